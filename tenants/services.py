"""Customer lifecycle and provisioning: every write to provider-wide data.

See docs/tenancy.md. Each function owns its transaction, validates with
``full_clean``, and writes the audit row in the same transaction. Creating a
customer creates its schema; if anything fails, nothing is left behind.
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group as AuthGroup
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django_tenants.utils import schema_context, tenant_context

from audit import events
from audit.services import Actor, record
from tenants import cache
from tenants.models import Array, ConsoleDomain, Customer, DkimKey, MailDomain, Plan, Subscription
from tenants.validators import normalise_domain

log = logging.getLogger(__name__)

CUSTOMER_ADMINS = "Customer administrators"
CUSTOMER_SUB_ADMINS = "Customer sub-administrators"


@dataclass(frozen=True, slots=True)
class NewCustomer:
    """What ``create_customer`` made: the customer and its first admin login."""

    customer: Customer
    admin_username: str
    admin_password: str


def _schema_name_for(slug: str) -> str:
    name = "c_" + re.sub(r"[^a-z0-9_]", "_", slug.lower())
    return name[:63]


def _snapshot(customer: Customer) -> dict:
    return {"status": customer.status, "delete_after": str(customer.delete_after or "")}


def default_array() -> Array:
    """The array new customers go to when none is named (created on first use)."""
    array, _ = Array.objects.get_or_create(
        slug=settings.SPE_DEFAULT_ARRAY, defaults={"name": settings.SPE_DEFAULT_ARRAY.title()}
    )
    return array


def create_customer(
    *,
    name: str,
    plan: Plan,
    actor: Actor,
    slug: str = "",
    contact_email: str = "",
    array: Array | None = None,
    mail_domains: tuple[tuple[str, str, int], ...] = (),
    validate_recipients: bool = False,
    console_hostname: str = "",
    admin_email: str = "",
    admin_password: str = "",
    licensed_users: int = 25,
) -> NewCustomer:
    """Create a customer, its schema, default policy, first admin and mail domains.

    ``mail_domains`` holds ``(domain, delivery_host, delivery_port)`` triples.
    Raises ``ValidationError`` (nothing created) on a duplicate or bad value.
    """
    slug = slug or slugify(name)[:50]
    if Customer.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"A customer with the slug {slug!r} already exists."})
    for domain, _host, _port in mail_domains:
        if MailDomain.objects.filter(domain=normalise_domain(domain)).exists():
            raise ValidationError({"domain": f"The mail domain {domain!r} already belongs to a customer."})
    password = admin_password or secrets.token_urlsafe(12)
    username = admin_email or (f"admin@{mail_domains[0][0]}" if mail_domains else f"admin@{slug}.invalid")
    with transaction.atomic():
        customer = Customer(
            name=name,
            slug=slug,
            schema_name=_schema_name_for(slug),
            contact_email=contact_email,
            array=array or default_array(),
        )
        customer.full_clean()
        customer.save(verbosity=0)
        connection.set_schema_to_public()
        Subscription.objects.create(
            customer=customer, plan=plan, licensed_users=licensed_users, starts=timezone.localdate()
        )
        for domain, host, port in mail_domains:
            add_mail_domain(customer, domain=domain, delivery_host=host, delivery_port=port,
                            validate_recipients=validate_recipients, actor=actor)
        if console_hostname:
            console = ConsoleDomain(domain=console_hostname.lower(), tenant=customer, is_primary=True)
            console.full_clean()
            console.save()
        _initialise_schema(customer, username=username, password=password, actor=actor)
        record(events.CUSTOMER_CREATED, actor=actor, target=customer, after={"plan": plan.slug, **_snapshot(customer)})
        transaction.on_commit(cache.publish_change)
    return NewCustomer(customer=customer, admin_username=username, admin_password=password)


def _initialise_schema(customer: Customer, *, username: str, password: str, actor: Actor) -> None:
    """Inside the new schema: default policy and the first administrator."""
    from policy.models import CustomerPolicy

    with tenant_context(customer):
        CustomerPolicy.get()
        admins, _ = AuthGroup.objects.get_or_create(name=CUSTOMER_ADMINS)
        AuthGroup.objects.get_or_create(name=CUSTOMER_SUB_ADMINS)
        user = get_user_model().objects.create_user(username=username, email=username, password=password)
        user.groups.add(admins)
        record(events.CONSOLE_USER_CREATED, actor=actor, target=user, detail="first customer administrator")


def add_mail_domain(
    customer: Customer,
    *,
    domain: str,
    delivery_host: str,
    delivery_port: int,
    actor: Actor,
    validate_recipients: bool = False,
    tls_policy: str = MailDomain.TLSPolicy.OPPORTUNISTIC,
) -> MailDomain:
    """Attach a mail domain and its inbound delivery route to a customer."""
    with schema_context("public"), transaction.atomic():
        mail_domain = MailDomain(
            domain=normalise_domain(domain),
            customer=customer,
            delivery_host=delivery_host,
            delivery_port=delivery_port,
            validate_recipients=validate_recipients,
            tls_policy=tls_policy,
        )
        mail_domain.full_clean()
        mail_domain.save()
        record(events.MAIL_DOMAIN_ADDED, actor=actor, target=mail_domain,
               after={"customer": customer.slug, "route": f"{delivery_host}:{delivery_port}"})
        transaction.on_commit(cache.publish_change)
    return mail_domain


def _set_status(customer: Customer, status: str, event: str, *, actor: Actor, detail: str = "") -> Customer:
    with schema_context("public"), transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        before = _snapshot(customer)
        customer.status = status
        customer.status_changed = timezone.now()
        if status != Customer.Status.PENDING_DELETION:
            customer.delete_after = None
        customer.save(update_fields=["status", "status_changed", "delete_after"])
        record(event, actor=actor, target=customer, before=before, after=_snapshot(customer), detail=detail)
        transaction.on_commit(cache.publish_change)
    return customer


def suspend_customer(customer: Customer, *, actor: Actor, reason: str = "") -> Customer:
    """Stop service: the receiver refuses the customer's mail temporarily."""
    return _set_status(customer, Customer.Status.SUSPENDED, events.CUSTOMER_SUSPENDED, actor=actor, detail=reason)


def reactivate_customer(customer: Customer, *, actor: Actor) -> Customer:
    """Resume normal service after a suspension, expiry or scheduled deletion."""
    return _set_status(customer, Customer.Status.ACTIVE, events.CUSTOMER_REACTIVATED, actor=actor)


def expire_customer(customer: Customer, *, actor: Actor) -> Customer:
    """The subscription ended: mail passes unfiltered or is refused, per plan."""
    return _set_status(customer, Customer.Status.EXPIRED, events.CUSTOMER_EXPIRED, actor=actor)


def schedule_deletion(customer: Customer, *, actor: Actor, grace_days: int | None = None) -> Customer:
    """Mark for deletion; the schema is dropped once the grace period has passed."""
    days = settings.SPE_CUSTOMER_DELETE_GRACE_DAYS if grace_days is None else grace_days
    with schema_context("public"), transaction.atomic():
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        before = _snapshot(customer)
        customer.status = Customer.Status.PENDING_DELETION
        customer.status_changed = timezone.now()
        customer.delete_after = timezone.now() + timedelta(days=days)
        customer.save(update_fields=["status", "status_changed", "delete_after"])
        record(events.CUSTOMER_DELETION_SCHEDULED, actor=actor, target=customer,
               before=before, after=_snapshot(customer))
        transaction.on_commit(cache.publish_change)
    return customer


def purge_deleted_customers(*, now=None, actor: Actor | None = None) -> list[str]:
    """Drop the schema and rows of customers whose deletion grace has passed."""
    from mailflow import customer_data

    now = now or timezone.now()
    actor = actor or Actor.system("retention")
    purged = []
    with schema_context("public"):
        due = Customer.objects.filter(status=Customer.Status.PENDING_DELETION, delete_after__lte=now)
        for customer in due:
            slug, schema = customer.slug, customer.schema_name
            try:  # the bytes outside the schema go first: if they cannot, the customer waits for the next run
                dropped = customer_data.drop(schema)
            except Exception:
                log.exception("customer %s: its stored data could not be dropped; purge retried next run", slug)
                continue
            with transaction.atomic():
                with connection.cursor() as cursor:  # fire deferred FK checks before the DROP
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                customer.delete(force_drop=True)
                record(events.CUSTOMER_DELETED, actor=actor,
                       detail=f"customer {slug} (schema {schema}) deleted with {dropped['messages']} stored "
                              f"messages and {dropped['reports']} bulk-signature reports")
            purged.append(slug)
    if purged:
        cache.publish_change()
    return purged


def generate_dkim_key(mail_domain: MailDomain, *, actor: Actor, selector: str = "") -> tuple[str, str]:
    """Make (or replace) the domain's DKIM key; returns the DNS record (name, TXT value) to publish."""
    from mailflow.auth import dns_record, generate_keypair
    from tenants.secrets import encrypt

    selector = selector or f"spe{timezone.now():%Y%m}"
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", selector):
        raise ValidationError({"selector": "a selector is letters, digits and hyphens"})
    private_pem, public_b64 = generate_keypair()
    with schema_context("public"), transaction.atomic():
        DkimKey.objects.update_or_create(mail_domain=mail_domain, defaults={
            "selector": selector, "private_key_encrypted": encrypt(private_pem), "public_key": public_b64,
            "enabled": True})
        record(events.DKIM_KEY_GENERATED, actor=actor, target=mail_domain, after={"selector": selector})
        transaction.on_commit(cache.publish_change)
    return dns_record(selector, mail_domain.domain, public_b64)
