"""Who may do what with held mail; actions refused with reasons; audit; purge; unparseable mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from audit.models import AuditEvent
from audit.services import Actor
from mailflow import worker
from mailflow.models import QuarantineItem, QuarantinePermission
from mailflow.quarantine import digest, links, services
from mailflow.store import get_store
from tests.mailflow.quarantine.support import flush, hold_as, links_in, message, process_all, spool

Role = QuarantinePermission.Role
END_USER = Actor(type="end_user", name="bob@acme.test", ip="198.51.100.9")
ADMIN = Actor(type="customer", name="admin@acme.test", ip="198.51.100.1")


def _hold(engine, monkeypatch, category: str, data: bytes | None = None, **kw) -> QuarantineItem:
    hold_as(monkeypatch, category)
    spool_id = spool(engine, data or message(f"held as {category}"), **kw)
    assert worker.process_entry(spool_id) == "quarantined"
    flush(engine)
    with schema_context("c_acme"):
        return QuarantineItem.objects.filter(spool_id=spool_id).first()


def test_virus_cannot_be_released_by_an_end_user_by_any_path(engine, clean_sink, world, monkeypatch):
    item = _hold(engine, monkeypatch, "virus")
    with tenant_context(world.acme):
        digest.send_due(world.acme, force=True)
        with pytest.raises(ValidationError):
            services.set_permission(category="virus", role=Role.END_USER, action="release", allowed=True,
                                    actor=ADMIN)
        QuarantinePermission.objects.create(category="virus", role=Role.END_USER, action="release", allowed=True)
        with pytest.raises(services.NotAllowed):
            services.release(world.acme, item, actor=END_USER, role=Role.END_USER)
    process_all(engine)
    [dig] = clean_sink.handler.wait_for(1)
    assert "release" not in links_in(dig.data) and "allow-sender" not in links_in(dig.data)
    forged = links.url("acme", "c_acme", "bob@acme.test", item.pk, "release").split("8000", 1)[1]
    client = Client()
    assert client.get(forged).status_code == 403
    assert client.post(forged).status_code == 403
    listing = client.get(links_in(dig.data)["list"][0].split("8000", 1)[1])
    assert b"held as virus" in listing.content and b"/q/release/" not in listing.content
    with schema_context("c_acme"):
        assert QuarantineItem.objects.get(pk=item.pk).status == "held"
    clean_sink.handler.reset()
    process_all(engine)
    assert clean_sink.handler.count == 0


def test_administrator_sets_what_end_users_and_sub_admins_may_do(engine, world, monkeypatch):
    item = _hold(engine, monkeypatch, "policy")
    with tenant_context(world.acme):
        with pytest.raises(services.NotAllowed):  # default: end users only view policy holds
            services.release(world.acme, item, actor=END_USER, role=Role.END_USER)
        services.set_permission(category="policy", role=Role.SUB_ADMIN, action="release", allowed=False, actor=ADMIN)
        with pytest.raises(services.NotAllowed):
            services.release(world.acme, item, actor=ADMIN, role=Role.SUB_ADMIN)
        services.set_permission(category="policy", role=Role.END_USER, action="release", allowed=True, actor=ADMIN)
        services.release(world.acme, item, actor=END_USER, role=Role.END_USER)
        assert AuditEvent.objects.filter(event_type="quarantine.permission_changed").count() == 2


def test_release_to_a_recipient_no_longer_hosted_is_refused_with_a_reason(engine, world, monkeypatch):
    item = _hold(engine, monkeypatch, "spam", recipients=("bob@acme.test",))
    with tenant_context(world.acme):
        QuarantineItem.objects.filter(pk=item.pk).update(recipient="bob@gone.test")
        item.refresh_from_db()
        with pytest.raises(services.RecipientGone, match=r"gone\.test is no longer hosted"):
            services.release(world.acme, item, actor=ADMIN, role=Role.ADMIN)
        QuarantineItem.objects.filter(pk=item.pk).update(recipient="nobody@acme.test")
        item.refresh_from_db()
        from tenants.models import MailDomain

        with schema_context("public"):
            MailDomain.objects.filter(domain="acme.test").update(validate_recipients=True)
        try:
            with pytest.raises(services.RecipientGone, match="no longer in the directory"):
                services.release(world.acme, item, actor=ADMIN, role=Role.ADMIN)
        finally:
            with schema_context("public"):
                MailDomain.objects.filter(domain="acme.test").update(validate_recipients=False)
        assert QuarantineItem.objects.get(pk=item.pk).status == "held"


def test_unparseable_message_is_stored_and_released_byte_for_byte(engine, clean_sink, world, monkeypatch):
    garbage = (b"From: \xff\xfe broken\r\nContent-Type: multipart/mixed; boundary=\r\nSubject: =?x?q?\r\n\r\n"
               + bytes(b for b in range(256) if b not in (10, 13)) + b"\r\n--\r\n--\r\n")
    item = _hold(engine, monkeypatch, "unscannable", data=garbage)
    with tenant_context(world.acme):
        stored = get_store().get("c_acme", item.store_key)
        assert stored.endswith(garbage)
        services.release(world.acme, item, actor=ADMIN, role=Role.ADMIN)
    assert process_all(engine) == ["delivered"]
    [arrived] = clean_sink.handler.wait_for(1)
    assert arrived.data.endswith(stored)


def test_delete_forward_download_report_are_audited_with_ip(engine, clean_sink, world, monkeypatch):
    item = _hold(engine, monkeypatch, "spam")
    with tenant_context(world.acme):
        services.report(item, label="spam", actor=ADMIN, role=Role.ADMIN)
        data = services.download(world.acme, item, actor=ADMIN, role=Role.ADMIN)
        services.forward(world.acme, item, to="admin@acme.test", actor=ADMIN, role=Role.ADMIN)
        with pytest.raises(services.RecipientGone):
            services.forward(world.acme, item, to="someone@example.net", actor=ADMIN, role=Role.ADMIN)
        services.delete(world.acme, item, actor=ADMIN, role=Role.ADMIN)
        with pytest.raises(services.AlreadyHandled):
            services.release(world.acme, item, actor=ADMIN, role=Role.ADMIN)
        events = dict(AuditEvent.objects.filter(event_type__startswith="quarantine.").values_list("event_type", "ip"))
        assert events == {"quarantine.reported": "198.51.100.1", "quarantine.downloaded": "198.51.100.1",
                          "quarantine.forwarded": "198.51.100.1", "quarantine.deleted": "198.51.100.1"}
        assert not get_store().exists("c_acme", item.store_key)  # no index row needs it any more
    process_all(engine)
    [copy] = clean_sink.handler.wait_for(1)
    assert copy.rcpt_tos == ["admin@acme.test"] and copy.data.endswith(data)


def test_retention_purge_removes_old_items_and_is_audited(engine, world, monkeypatch):
    from mailflow.tasks import purge_quarantine

    old = _hold(engine, monkeypatch, "spam")
    new = _hold(engine, monkeypatch, "spam", data=message("recent"))
    with schema_context("c_acme"):
        QuarantineItem.objects.filter(pk=old.pk).update(held_at=timezone.now() - timedelta(days=31))
    assert purge_quarantine() == 1
    with schema_context("c_acme"):
        assert list(QuarantineItem.objects.values_list("pk", flat=True)) == [new.pk]
        assert AuditEvent.objects.get(event_type="quarantine.purged").after == {"count": 1}
    assert not get_store().exists("c_acme", old.store_key)
    assert get_store().exists("c_acme", new.store_key)
