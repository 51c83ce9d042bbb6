"""Customer lifecycle: create, suspend, reactivate, expire, delete after grace."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_exists, tenant_context

from audit import events
from audit.models import AuditEvent
from audit.services import Actor
from policy.models import CustomerPolicy
from tenants import services
from tenants.models import Customer, MailDomain
from tests.factories import ArrayFactory, PlanFactory

pytestmark = pytest.mark.django_db(transaction=False)
ACTOR = Actor(type="provider", id="1", name="noc")


def _create(slug: str, domain: str):
    return services.create_customer(
        name=slug.title(), slug=slug, plan=PlanFactory(), array=ArrayFactory(),
        mail_domains=((domain, "127.0.0.1", 2526),), actor=ACTOR,
    )


def test_create_makes_schema_policy_admin_domain_and_audit_row():
    made = _create("initech", "initech.test")
    customer = made.customer
    assert customer.schema_name == "c_initech"
    assert schema_exists("c_initech")
    assert MailDomain.objects.get(domain="initech.test").customer == customer
    assert customer.subscription.plan.slug == "standard"
    with tenant_context(customer):
        assert CustomerPolicy.objects.count() == 1
        admin = get_user_model().objects.get(username=made.admin_username)
        assert admin.check_password(made.admin_password)
        assert admin.groups.filter(name=services.CUSTOMER_ADMINS).exists()
        assert AuditEvent.objects.filter(event_type=events.CONSOLE_USER_CREATED).count() == 1
    connection.set_schema_to_public()
    created = AuditEvent.objects.get(event_type=events.CUSTOMER_CREATED, target_id=str(customer.pk))
    assert created.actor_name == "noc"
    assert created.after["plan"] == "standard"


def test_duplicate_mail_domain_is_refused_and_leaves_nothing(world):
    before = Customer.objects.count()
    with pytest.raises(ValidationError, match="already belongs"):
        _create("acme-copy", "ACME.test")
    assert Customer.objects.count() == before
    assert not schema_exists("c_acme_copy")


def test_failed_schema_creation_leaves_no_customer_row(monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_initialise_schema", boom)
    with pytest.raises(RuntimeError):
        _create("doomed", "doomed.test")
    assert not Customer.objects.filter(slug="doomed").exists()
    assert not MailDomain.objects.filter(domain="doomed.test").exists()
    assert not schema_exists("c_doomed")


def test_invalid_domain_is_refused():
    with pytest.raises(ValidationError, match="not a valid mail domain"):
        _create("badco", "not a domain")
    assert not Customer.objects.filter(slug="badco").exists()


def test_suspend_reactivate_expire_are_audited(world):
    customer = world.acme
    suspended = services.suspend_customer(customer, actor=ACTOR, reason="unpaid invoice")
    assert suspended.status == Customer.Status.SUSPENDED
    assert Customer.objects.get(pk=customer.pk).status == Customer.Status.SUSPENDED
    services.expire_customer(customer, actor=ACTOR)
    assert Customer.objects.get(pk=customer.pk).status == Customer.Status.EXPIRED
    services.reactivate_customer(customer, actor=ACTOR)
    assert Customer.objects.get(pk=customer.pk).status == Customer.Status.ACTIVE
    kinds = list(
        AuditEvent.objects.filter(target_id=str(customer.pk), target_type="Customer")
        .order_by("id").values_list("event_type", "detail")
    )
    assert kinds[-3:] == [(events.CUSTOMER_SUSPENDED, "unpaid invoice"), (events.CUSTOMER_EXPIRED, ""),
                          (events.CUSTOMER_REACTIVATED, "")]


def test_deletion_waits_for_grace_period_then_drops_schema():
    customer = _create("leaving", "leaving.test").customer
    services.schedule_deletion(customer, actor=ACTOR, grace_days=30)
    assert services.purge_deleted_customers() == []
    assert schema_exists("c_leaving")
    later = timezone.now() + timedelta(days=31)
    assert services.purge_deleted_customers(now=later) == ["leaving"]
    assert not schema_exists("c_leaving")
    assert not Customer.objects.filter(slug="leaving").exists()
    assert not MailDomain.objects.filter(domain="leaving.test").exists()
    assert AuditEvent.objects.filter(event_type=events.CUSTOMER_DELETED, detail__contains="leaving").exists()


def test_reactivation_cancels_scheduled_deletion():
    customer = _create("wavering", "wavering.test").customer
    services.schedule_deletion(customer, actor=ACTOR, grace_days=0)
    services.reactivate_customer(customer, actor=ACTOR)
    assert services.purge_deleted_customers(now=timezone.now() + timedelta(days=1)) == []
    assert schema_exists("c_wavering")
