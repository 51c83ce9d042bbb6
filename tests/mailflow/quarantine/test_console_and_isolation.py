"""The customer console's quarantine pages, and two-customer isolation of every quarantine model and view."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.test import Client
from django_tenants.utils import schema_context, tenant_context

from mailflow import worker
from mailflow.models import (
    QuarantineFeedback,
    QuarantineItem,
    QuarantinePermission,
    QuarantineSettings,
)
from policy.models import ListEntry
from tests.mailflow.quarantine.support import flush, hold_as, message, spool


def _admin_client(customer) -> Client:
    client = Client()
    with tenant_context(customer):
        client.force_login(get_user_model().objects.get(username=f"admin@{customer.slug}.test"))
    return client


def _same_rows_in_both(engine, monkeypatch) -> dict[str, QuarantineItem]:
    hold_as(monkeypatch, "spam")
    made = {}
    for slug in ("acme", "globex"):
        sid = spool(engine, message(f"secret of {slug}", to=f"bob@{slug}.test"), customer=slug,
                    recipients=(f"bob@{slug}.test",))
        assert worker.process_entry(sid) == "quarantined"
    flush(engine)
    with schema_context("c_acme"):
        acme_pk = QuarantineItem.objects.get().pk
    with schema_context("c_globex"):  # an id that exists only in globex
        QuarantineItem.objects.update(id=acme_pk + 1000)
    for slug in ("acme", "globex"):
        with schema_context(f"c_{slug}"):
            made[slug] = QuarantineItem.objects.get()
            ListEntry.objects.create(kind="allow", owner=f"bob@{slug}.test", value="x@example.net")
            QuarantineFeedback.objects.create(spool_id=made[slug].spool_id, store_key=made[slug].store_key,
                                              recipient=f"bob@{slug}.test", label="spam")
            QuarantinePermission.objects.create(category="spam", role="end_user", action="forward", allowed=True)
            QuarantineSettings.get()
    return made


def test_acme_admin_never_sees_globex_held_mail(engine, world, monkeypatch):
    made = _same_rows_in_both(engine, monkeypatch)
    client = _admin_client(world.acme)
    listing = client.get("/c/acme/quarantine/")
    assert listing.status_code == 200
    assert b"secret of acme" in listing.content and b"secret of globex" not in listing.content
    assert client.get(f"/c/acme/quarantine/{made['acme'].pk}/").status_code == 200
    globex_id = made["globex"].pk
    assert client.get(f"/c/acme/quarantine/{globex_id}/").status_code == 404
    assert client.get(f"/c/acme/quarantine/{globex_id}/download/").status_code == 404
    assert client.post(f"/c/acme/quarantine/{globex_id}/release/").status_code == 404
    assert client.post(f"/c/acme/quarantine/{globex_id}/delete/").status_code == 404
    # acme's session is not valid in globex's console
    assert client.get(f"/c/globex/quarantine/{globex_id}/").status_code == 302
    with schema_context("c_globex"):
        assert QuarantineItem.objects.get().status == "held"
    with schema_context("c_acme"):
        for model in (QuarantineItem, ListEntry, QuarantineFeedback, QuarantinePermission, QuarantineSettings):
            assert model.objects.count() == 1
        assert not QuarantineItem.objects.filter(recipient__endswith="globex.test").exists()
        assert not ListEntry.objects.filter(owner__endswith="globex.test").exists()


def test_console_item_page_and_actions(engine, clean_sink, world, monkeypatch):
    made = _same_rows_in_both(engine, monkeypatch)
    client = _admin_client(world.acme)
    item = made["acme"]
    page = client.get(f"/c/acme/quarantine/{item.pk}/")
    assert b"secret of acme" in page.content and b"Release" in page.content
    assert client.get("/c/acme/quarantine/?folder=spam&recipient=bob@acme.test").content.count(b"secret of acme") == 1
    assert b"Nothing held" in client.get("/c/acme/quarantine/?folder=virus").content
    eml = client.get(f"/c/acme/quarantine/{item.pk}/download/")
    assert eml["Content-Type"] == "message/rfc822" and b"Subject: secret of acme" in eml.content
    assert client.post(f"/c/acme/quarantine/{item.pk}/release/").status_code == 302
    with schema_context("c_acme"):
        assert QuarantineItem.objects.get(pk=item.pk).status == "released"
    assert b"already released" in client.post(f"/c/acme/quarantine/{item.pk}/release/", follow=True).content


def test_console_requires_an_administrator(engine, world, monkeypatch):
    _same_rows_in_both(engine, monkeypatch)
    assert Client().get("/c/acme/quarantine/").status_code == 302  # to the login page
    with tenant_context(world.acme):
        user = get_user_model().objects.create_user("plain@acme.test", password="x" * 12)
    try:
        client = Client()
        with tenant_context(world.acme):
            client.force_login(user)
        assert client.get("/c/acme/quarantine/").status_code == 403
    finally:
        with tenant_context(world.acme):
            user.delete()


CAMPAIGN = (
    b"Dear {name},\r\n\r\nyour mailbox has exceeded its storage quota and incoming messages are now returned to "
    b"their senders. Confirm your account within 24 hours at https://quota-desk.example/confirm?id={n} and "
    b"the quota will be raised at no cost to you.\r\n\r\nMail Administrator\r\n"
)


def test_a_report_from_the_console_marks_the_campaigns_next_copies(engine, world, monkeypatch, tmp_path):
    from mailflow import spam_feedback
    from mailflow.checks import fuzzy
    from mailflow.models import MessageLog
    from mailflow.spam.fuzzy import sketch_text
    from mailflow.tasks import learn_spam_feedback

    monkeypatch.setattr(spam_feedback, "models_dir", lambda: tmp_path)  # the learned layers stay in this test
    spam_feedback.forget()
    hold_as(monkeypatch, "spam")
    first = CAMPAIGN.replace(b"{name}", b"Bob").replace(b"{n}", b"81723")
    sid = spool(engine, message("Mailbox full", body=first))
    assert worker.process_entry(sid) == "quarantined"
    flush(engine)
    with schema_context("c_acme"):
        item = QuarantineItem.objects.get()
    client = _admin_client(world.acme)
    try:
        assert client.post(f"/c/acme/quarantine/{item.pk}/report_spam/").status_code == 302
        learn_spam_feedback()
        copies = {}
        for slug in ("acme", "globex"):
            copy = CAMPAIGN.replace(b"{name}", b"Carol").replace(b"{n}", b"55190")
            sid = spool(engine, message("Mailbox full", body=copy, to=f"carol@{slug}.test"), customer=slug,
                        recipients=(f"carol@{slug}.test",))
            worker.process_entry(sid)
            copies[slug] = sid
        flush(engine)
        with schema_context("c_acme"):
            assert QuarantineFeedback.objects.get().learned
            acme_row = MessageLog.objects.get(spool_id=copies["acme"])
        with schema_context("c_globex"):
            globex_row = MessageLog.objects.get(spool_id=copies["globex"])
    finally:
        fuzzy.forget(sketch_text(first.decode()))
        spam_feedback.forget()
    assert "FUZZY_SPAM" in [name for name, _score, _detail in acme_row.symbols]
    assert "FUZZY_SPAM" not in [name for name, _score, _detail in globex_row.symbols]  # one customer's word alone
