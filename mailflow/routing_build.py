"""Build the routing table from PostgreSQL (docs/mailflow.md).

The only place the mail path reads provider-wide data from the database; it
runs when the config version moves, never per message.
"""

from __future__ import annotations

from django_tenants.utils import schema_context

from mailflow.routing import CustomerRoute, DomainRoute, RoutingTable
from tenants.models import Customer, MailDomain


def _customer_route(customer: Customer) -> CustomerRoute:
    from mailflow.models import Mailbox
    from mailflow.names import person_name
    from policy.models import CustomerPolicy

    plan = customer.subscription.plan if hasattr(customer, "subscription") else None
    with schema_context(customer.schema_name):
        policy = CustomerPolicy.objects.filter(pk=1).first()
        names = Mailbox.objects.filter(active=True).exclude(display_name="").values_list("display_name", flat=True)
        staff_names = tuple(sorted({n for n in map(person_name, names) if n}))
    max_bytes = (policy and policy.max_message_bytes) or (plan.max_message_bytes if plan else 50 * 1024 * 1024)
    max_rcpts = (policy and policy.max_recipients) or (plan.max_recipients if plan else 500)
    return CustomerRoute(
        slug=customer.slug,
        schema=customer.schema_name,
        name=customer.name,
        status=customer.status,
        queue=customer.array.queue,
        filtering=plan.filtering if plan else True,
        expired_mail=plan.expired_mail if plan else "tempfail",
        max_message_bytes=max_bytes,
        max_recipients=max_rcpts,
        outbound_relays=tuple(customer.outbound_relays or ()),
        archiving=plan.archiving if plan else False,
        archive_retention_days=plan.archive_retention_days if plan else 0,
        end_user_quarantine=plan.end_user_quarantine if plan else True,
        staff_names=staff_names,
    )


def _directory(schema: str) -> set[str]:
    from mailflow.models import Alias, Mailbox

    with schema_context(schema):
        addresses = set(Mailbox.objects.filter(active=True).values_list("address", flat=True))
        addresses |= set(Alias.objects.filter(mailbox__active=True).values_list("address", flat=True))
    return addresses


def _dkim(domain: MailDomain) -> tuple[str, str]:
    key = getattr(domain, "dkim_key", None)
    return (key.selector, key.private_key_encrypted) if key is not None and key.enabled else ("", "")


def build_routing_table(version: int) -> RoutingTable:
    """Read customers, plans, domains and (for validating domains) directories."""
    with schema_context("public"):
        customers = {
            c.slug: c for c in Customer.objects.select_related("array", "subscription__plan")
        }
        domains = list(MailDomain.objects.select_related("customer", "dkim_key"))
    routes = {slug: _customer_route(c) for slug, c in customers.items()}
    directories: dict[str, set[str]] = {}
    recipients = {}
    for d in domains:
        if d.validate_recipients:
            schema = d.customer.schema_name
            if schema not in directories:
                directories[schema] = _directory(schema)
            suffix = "@" + d.domain
            recipients[d.domain] = frozenset(a for a in directories[schema] if a.endswith(suffix))
    return RoutingTable(
        version=version,
        customers=routes,
        domains={
            d.domain: DomainRoute(d.domain, d.customer.slug, d.delivery_host, d.delivery_port,
                                  d.tls_policy, d.validate_recipients, *_dkim(d))
            for d in domains
        },
        recipients=recipients,
    )
