"""Route each web request to the provider (public schema) or one customer.

A request reaches a customer's console by a console hostname
(``ConsoleDomain``) or, for single-host installs, by the path prefix
``/c/<customer-slug>/``. Anything else is the provider's own site. See
docs/tenancy.md.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.urls import get_script_prefix, set_script_prefix, set_urlconf
from django_tenants.utils import remove_www

from tenants.models import ConsoleDomain, Customer

_PATH = re.compile(rf"^/{re.escape(settings.SPE_TENANT_PATH_PREFIX)}/(?P<slug>[a-z0-9-]+)(?P<rest>/.*)?$")


class CustomerRoutingMiddleware:
    """Select the schema and URLconf for a request (first in MIDDLEWARE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        connection.set_schema_to_public()
        try:
            hostname = remove_www(request.get_host().split(":")[0])
        except DisallowedHost:
            return HttpResponseNotFound()
        tenant = ConsoleDomain.objects.select_related("tenant").filter(domain=hostname).first()
        customer = tenant.tenant if tenant else None
        old_prefix = get_script_prefix()
        path_routed = False
        if customer is None:
            match = _PATH.match(request.path_info)
            if match:
                customer = Customer.objects.filter(slug=match["slug"]).first()
                if customer is None:
                    raise Http404("No such customer")
                request.path_info = match["rest"] or "/"
                set_script_prefix(f"{old_prefix}{settings.SPE_TENANT_PATH_PREFIX}/{match['slug']}/")
                path_routed = True
        request.tenant = customer
        if customer is not None:
            customer.domain_url = hostname
            connection.set_tenant(customer)
            request.urlconf = settings.ROOT_URLCONF
        else:
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
        set_urlconf(request.urlconf)
        try:
            return self.get_response(request)
        finally:
            if path_routed:
                set_script_prefix(old_prefix)
            connection.set_schema_to_public()
