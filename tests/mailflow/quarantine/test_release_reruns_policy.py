"""A release skips only the rule that held the message: other rules and the virus check still apply."""

from __future__ import annotations

import base64

from django_tenants.utils import schema_context, tenant_context

from audit.services import Actor
from mailflow import worker
from mailflow.models import QuarantineItem
from mailflow.quarantine import services
from mailflow.quarantine.permissions import Role
from policy import services as policy
from tests.mailflow.av.samples import eicar
from tests.mailflow.quarantine.support import flush, message, process_all, spool

ADMIN = Actor(type="customer", name="admin@acme.test", ip="198.51.100.1")
NOC = Actor.system("tests")


def _rules() -> None:
    policy.create_rule(customer=None, actor=NOC, name="hold contracts", level="global", order=1,
                       conditions=[{"type": "header", "name": "Subject", "pattern": "contract"}],
                       actions=[{"type": "quarantine", "category": "legal"}])
    policy.create_rule(customer=None, actor=NOC, name="stamp", level="global", order=2,
                       conditions=[{"type": "always"}], actions=[{"type": "add_header", "name": "X-Stamp",
                                                                  "value": "checked"}])


def _hold_and_release(engine, data: bytes, monkeypatch=None) -> list[str]:
    spool_id = spool(engine, data)
    if monkeypatch is not None:  # the signature arrives only after the message was held
        from mailflow.engine import pipeline

        monkeypatch.setattr(pipeline.checks, "registry",
                            [c for c in pipeline.checks.CHECKS if c.name != "antivirus"])
    assert worker.process_entry(spool_id) == "quarantined"
    if monkeypatch is not None:
        monkeypatch.undo()
    flush(engine)
    with schema_context("c_acme"):
        item = QuarantineItem.objects.get(spool_id=spool_id)
    assert (item.category, item.rule) == ("legal", "hold contracts")
    with tenant_context(item_customer()):
        services.release(item_customer(), item, actor=ADMIN, role=Role.ADMIN)
    return process_all(engine)


def item_customer():
    from tenants.models import Customer

    return Customer.objects.get(slug="acme")


def test_released_message_skips_the_holding_rule_but_not_the_others(engine, clean_sink):
    _rules()
    assert _hold_and_release(engine, message("Your contract")) == ["delivered"]
    [arrived] = clean_sink.handler.wait_for(1)
    assert b"X-Stamp: checked" in arrived.data  # the other rule still ran


def test_released_message_with_a_virus_is_held_again_as_a_virus(engine, clean_sink, monkeypatch):
    _rules()
    data = message("Your contract").replace(
        b"\r\n\r\n", b"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n"
                     b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(eicar()) + b"\r\n" + b"\r\n", 1)
    assert _hold_and_release(engine, data, monkeypatch) == ["quarantined"]
    flush(engine)
    with schema_context("c_acme"):
        assert QuarantineItem.objects.filter(category="virus").count() == 1
    assert clean_sink.handler.count == 0
