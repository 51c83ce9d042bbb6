"""The landing pages of the provider site and of each customer console."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from tenants import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Provider staff see their customers; a customer's users see their own domains."""
    customer = request.tenant
    if customer is None:
        if not request.user.is_staff:
            return render(request, "forbidden.html", status=403)
        return render(request, "provider_home.html", {"customers": selectors.customer_overview()})
    return render(request, "customer_home.html", {"customer": customer,
                                                  "mail_domains": selectors.mail_domains_of(customer)})


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers: the web process answers and the database is reachable."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
