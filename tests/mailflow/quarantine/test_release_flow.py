"""Held mail end to end in process: quarantined by the engine, digest delivered over SMTP to the sink,
released from the digest's signed link, delivered byte-identical (headers added on top) to the sink."""

from __future__ import annotations

import email
import email.policy

from django.test import Client
from django_tenants.utils import schema_context

from audit.models import AuditEvent
from mailflow import worker
from mailflow.models import MessageLog, QuarantineItem
from mailflow.quarantine import digest
from mailflow.store import get_store
from policy.models import ListEntry
from tests.mailflow.quarantine.support import flush, hold_as, links_in, message, process_all, spool


def _digest_for(world):
    from django_tenants.utils import tenant_context

    with tenant_context(world.acme):
        return digest.send_due(world.acme, force=True)


def _path(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_held_message_is_released_from_the_digest_link(engine, clean_sink, world, monkeypatch):
    hold_as(monkeypatch, "spam", "spam score 9.1")
    original = message("Cheap watches")
    spool_id = spool(engine, original, recipients=("bob@acme.test", "carol@acme.test"))
    assert worker.process_entry(spool_id) == "quarantined"
    assert clean_sink.handler.count == 0
    flush(engine)
    with schema_context("c_acme"):
        items = list(QuarantineItem.objects.filter(spool_id=spool_id).order_by("recipient"))
        assert MessageLog.objects.get(spool_id=spool_id).state == "quarantined"
    assert [(i.recipient, i.category, i.status) for i in items] == [
        ("bob@acme.test", "spam", "held"), ("carol@acme.test", "spam", "held")]
    assert items[0].store_key == items[1].store_key  # stored once for both recipients
    stored = get_store().get("c_acme", items[0].store_key)
    assert stored.endswith(original)
    with schema_context("c_globex"):
        assert not QuarantineItem.objects.filter(spool_id=spool_id).exists()

    assert _digest_for(world) == 2
    assert process_all(engine) == ["delivered", "delivered"]
    digests = clean_sink.handler.wait_for(2)
    bob_digest = next(m for m in digests if m.rcpt_tos == ["bob@acme.test"])
    parsed = email.message_from_bytes(bob_digest.data, policy=email.policy.default)
    assert "held for you" in parsed["Subject"]
    assert {p.get_content_type() for p in parsed.walk()} >= {"text/plain", "text/html"}
    assert "Cheap watches" in parsed.get_body(("plain",)).get_content()
    found = links_in(bob_digest.data)
    assert set(found) == {"view", "release", "allow-sender", "list"}
    release_url = found["release"][0]
    assert release_url.startswith("http://127.0.0.1:8000/c/acme/q/release/")

    client = Client()
    page = client.get(_path(release_url))
    assert page.status_code == 200 and b"Cheap watches" in page.content  # confirmation, nothing done yet
    with schema_context("c_acme"):
        assert QuarantineItem.objects.get(recipient="bob@acme.test", spool_id=spool_id).status == "held"
    done = client.post(_path(release_url), REMOTE_ADDR="198.51.100.7")
    assert done.status_code == 200 and b"Released" in done.content
    clean_sink.handler.reset()
    assert process_all(engine) == ["delivered"]
    [arrived] = clean_sink.handler.wait_for(1)
    assert arrived.rcpt_tos == ["bob@acme.test"]
    assert arrived.data.endswith(stored)  # byte-identical, only headers added on top
    assert b"\r\nX-SPE-Released: " in b"\r\n" + arrived.data[: -len(stored)]  # only headers were added

    again = client.post(_path(release_url))
    assert again.status_code == 409 and b"already released" in again.content
    assert client.get(_path(release_url)).content.count(b"already released") == 1
    tampered = release_url[:-6] + ("A" if release_url[-6] != "A" else "B") + release_url[-5:]
    refused = client.post(_path(tampered))
    assert refused.status_code == 400 and b"not valid" in refused.content
    assert clean_sink.handler.count == 1  # nothing more went out

    flush(engine)
    with schema_context("c_acme"):
        audit = AuditEvent.objects.get(event_type="quarantine.released")
        assert (audit.actor_type, audit.actor_name, audit.ip) == ("end_user", "bob@acme.test", "198.51.100.7")
        assert audit.after["spool_id"] == spool_id
        assert any("released to bob@acme.test by bob@acme.test" in a for a in MessageLog.objects.get(
            spool_id=spool_id).actions)
        released_log = MessageLog.objects.exclude(spool_id=spool_id).filter(facts__released_from=spool_id).get()
        assert released_log.facts["released_by"] == "bob@acme.test"
        assert QuarantineItem.objects.get(recipient="carol@acme.test", spool_id=spool_id).status == "held"


def test_release_and_allow_sender_from_the_link(engine, clean_sink, world, monkeypatch):
    hold_as(monkeypatch, "spam")
    spool_id = spool(engine, message("Newsletter"), sender="news@example.org")
    worker.process_entry(spool_id)
    flush(engine)
    _digest_for(world)
    process_all(engine)
    [dig] = clean_sink.handler.wait_for(1)
    allow_url = links_in(dig.data)["allow-sender"][0]
    assert Client().post(_path(allow_url)).status_code == 200
    with schema_context("c_acme"):
        assert ListEntry.objects.filter(kind="allow", owner="bob@acme.test", value="news@example.org").exists()
        assert AuditEvent.objects.filter(event_type="quarantine.sender_allowed").count() == 1


def test_link_for_one_customer_is_refused_by_another(engine, clean_sink, world, monkeypatch):
    hold_as(monkeypatch, "spam")
    worker.process_entry(spool(engine, message("Cross customer")))
    flush(engine)
    _digest_for(world)
    process_all(engine)
    [dig] = clean_sink.handler.wait_for(1)
    release_url = links_in(dig.data)["release"][0]
    foreign = _path(release_url).replace("/c/acme/", "/c/globex/")
    response = Client().post(foreign)
    assert response.status_code == 400 and b"not valid" in response.content
    with schema_context("c_acme"):
        assert QuarantineItem.objects.get().status == "held"


def test_expired_link_gets_a_clear_page(engine, clean_sink, world, monkeypatch, settings):
    hold_as(monkeypatch, "spam")
    worker.process_entry(spool(engine, message("Old one")))
    flush(engine)
    _digest_for(world)
    process_all(engine)
    [dig] = clean_sink.handler.wait_for(1)
    settings.SPE_QUARANTINE_LINK_DAYS = 0
    import time

    time.sleep(1.1)
    response = Client().get(_path(links_in(dig.data)["view"][0]))
    assert response.status_code == 410 and b"expired" in response.content


def test_list_page_from_the_digest_shows_only_the_recipients_mail(engine, clean_sink, world, monkeypatch):
    hold_as(monkeypatch, "spam")
    worker.process_entry(spool(engine, message("For Bob only")))
    worker.process_entry(spool(engine, message("For Dave only", to="dave@acme.test"), recipients=("dave@acme.test",)))
    flush(engine)
    _digest_for(world)
    process_all(engine)
    bob = next(m for m in clean_sink.handler.wait_for(2) if m.rcpt_tos == ["bob@acme.test"])
    page = Client().get(_path(links_in(bob.data)["list"][0]))
    assert page.status_code == 200
    assert b"For Bob only" in page.content and b"For Dave only" not in page.content


def test_view_link_shows_headers_and_a_safe_rendering(engine, clean_sink, world, monkeypatch):
    hold_as(monkeypatch, "spam")
    html = (b'<p>Hi <img src="https://tracker.example/p.gif"><script>alert(1)</script>'
            b'<form action="https://evil.example"><input name="pw"></form><a href="javascript:x()">x</a></p>')
    data = (b"From: s@example.net\r\nTo: bob@acme.test\r\nSubject: Pretty\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/html; charset=utf-8\r\n\r\n" + html)
    worker.process_entry(spool(engine, data))
    flush(engine)
    _digest_for(world)
    process_all(engine)
    [dig] = clean_sink.handler.wait_for(1)
    page = Client().get(_path(links_in(dig.data)["view"][0]))
    body = page.content
    assert page.status_code == 200
    assert b"remote image blocked" in body
    assert b"tracker.example" not in body and b"<script>alert" not in body
    assert b"evil.example" not in body and b'name="pw"' not in body and b"javascript:" not in body
    assert b"Subject" in body and b"Pretty" in body
    assert "default-src 'none'" in page["Content-Security-Policy"]
