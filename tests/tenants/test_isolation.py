"""One customer's context never sees another customer's rows."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django_tenants.utils import tenant_context

from audit.models import AuditEvent
from mailflow.models import Group, Mailbox
from policy.models import CustomerPolicy

pytestmark = pytest.mark.django_db


def test_same_rows_in_both_schemas_stay_apart(world):
    for customer in (world.acme, world.globex):
        with tenant_context(customer):
            Mailbox.objects.create(address=f"alice@{customer.slug}.test")
            Group.objects.create(name="Marketing")
    with tenant_context(world.acme):
        assert list(Mailbox.objects.values_list("address", flat=True)) == ["alice@acme.test"]
        assert Group.objects.count() == 1
        assert not get_user_model().objects.filter(username__endswith="globex.test").exists()
    with tenant_context(world.globex):
        assert list(Mailbox.objects.values_list("address", flat=True)) == ["alice@globex.test"]
        assert get_user_model().objects.filter(username="admin@globex.test").exists()


def test_each_customer_has_its_own_policy_and_audit_log(world):
    with tenant_context(world.acme):
        policy = CustomerPolicy.get()
        policy.spam_tag_score = 3.5
        policy.save()
        acme_audit = set(AuditEvent.objects.values_list("id", flat=True))
    with tenant_context(world.globex):
        assert CustomerPolicy.get().spam_tag_score == 5.0
        assert set(AuditEvent.objects.values_list("target_repr", flat=True)) == {"admin@globex.test"}
        assert acme_audit  # acme has its own rows, which globex's query did not return


def test_console_users_live_in_their_customer_schema_only(world):
    User = get_user_model()
    assert not User.objects.filter(username="admin@acme.test").exists()  # public: provider staff only
    with tenant_context(world.acme):
        assert User.objects.filter(username="admin@acme.test").exists()
