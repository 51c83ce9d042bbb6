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


REPORTED = ("Dear user, your mailbox has exceeded its storage quota and incoming messages are now returned. "
            "Confirm your account within 24 hours and the quota will be raised at no cost to you.")


def test_purge_drops_the_customers_stored_mail_feedback_layer_and_reports(settings, tmp_path):
    from mailflow import spam_feedback
    from mailflow.checks import fuzzy
    from mailflow.spam import Model
    from mailflow.spam.fuzzy import sketch_text
    from mailflow.store import get_store

    settings.SPE_STORE_DIR = tmp_path
    customer = _create("departing", "departing.test").customer
    key = get_store().put("c_departing", b"Subject: held mail\r\n\r\nsecret of departing\r\n")
    kept = get_store().put("c_staying", b"Subject: other\r\n\r\nnot theirs\r\n")
    spam_feedback.write_layer(Model(weights={1: 0.5}), spam_feedback.layer_path("c_departing"))
    sketch = sketch_text(REPORTED)
    fuzzy.report([(sketch, "spam")], "c_departing")
    fuzzy.report([(sketch, "spam")], "c_staying")
    try:
        services.schedule_deletion(customer, actor=ACTOR, grace_days=0)
        assert services.purge_deleted_customers(now=timezone.now() + timedelta(minutes=1)) == ["departing"]
        assert not get_store().exists("c_departing", key) and not (tmp_path / "c_departing").exists()
        assert get_store().get("c_staying", kept)  # another customer's mail is untouched
        assert not spam_feedback.layer_path("c_departing").exists()
        [match] = fuzzy.lookup(sketch)
        assert match.spam == {"c_staying"}
        deleted = AuditEvent.objects.get(event_type=events.CUSTOMER_DELETED, detail__contains="departing")
        assert "1 stored messages" in deleted.detail and "1 bulk-signature reports" in deleted.detail
    finally:
        fuzzy.forget(sketch)


def test_purge_waits_when_the_stored_mail_cannot_be_dropped(settings, tmp_path, monkeypatch):
    from mailflow.store import FileStore, StoreError

    settings.SPE_STORE_DIR = tmp_path
    customer = _create("stuck", "stuck.test").customer
    services.schedule_deletion(customer, actor=ACTOR, grace_days=0)

    def refuse(self, namespace):
        raise StoreError("disk is read-only")

    monkeypatch.setattr(FileStore, "drop_namespace", refuse)
    assert services.purge_deleted_customers(now=timezone.now() + timedelta(minutes=1)) == []
    assert schema_exists("c_stuck") and Customer.objects.filter(slug="stuck").exists()
    monkeypatch.undo()
    assert services.purge_deleted_customers(now=timezone.now() + timedelta(minutes=1)) == ["stuck"]
    assert not schema_exists("c_stuck")


def test_reactivation_cancels_scheduled_deletion():
    customer = _create("wavering", "wavering.test").customer
    services.schedule_deletion(customer, actor=ACTOR, grace_days=0)
    services.reactivate_customer(customer, actor=ACTOR)
    assert services.purge_deleted_customers(now=timezone.now() + timedelta(days=1)) == []
    assert schema_exists("c_wavering")
