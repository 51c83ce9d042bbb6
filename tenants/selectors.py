"""Reads of provider-wide data for views, API and commands (docs/tenancy.md)."""

from __future__ import annotations

from django.db.models import QuerySet
from django_tenants.utils import schema_context

from tenants.models import Customer, MailDomain


def customer_overview() -> list[Customer]:
    """All customers with their plan and domains, for the provider's home page."""
    with schema_context("public"):
        return list(
            Customer.objects.select_related("array", "subscription__plan").prefetch_related("mail_domains")
        )


def mail_domains_of(customer: Customer) -> QuerySet[MailDomain]:
    """The mail domains one customer owns (never another customer's)."""
    return MailDomain.objects.filter(customer=customer).order_by("domain")


def get_customer(slug: str) -> Customer:
    """One customer by slug; raises Customer.DoesNotExist."""
    with schema_context("public"):
        return Customer.objects.select_related("array", "subscription__plan").get(slug=slug)
