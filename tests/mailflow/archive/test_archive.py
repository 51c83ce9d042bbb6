"""Archive: delivered mail copied, indexed in batches by the flusher, searched by every criterion,
exported, purged by retention except under legal hold, invisible to another customer."""

from __future__ import annotations

import io
import mailbox
import zipfile
from datetime import timedelta
from email.message import EmailMessage

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from audit.models import AuditEvent
from audit.services import Actor
from mailflow import worker
from mailflow.archive import index as archive_index
from mailflow.archive import services
from mailflow.archive.selectors import ArchiveQuery, page, search
from mailflow.models import ArchiveMessage, ArchiveSettings, LegalHold, MessageLog
from mailflow.store import get_store
from tests.mailflow.quarantine.support import flush, hold_as, message, spool

ADMIN = Actor(type="customer", name="admin@acme.test", ip="198.51.100.1")


def _with_attachment(subject: str, body: str, filename: str, sender="alice@example.net", to="bob@acme.test"):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"], msg["Message-ID"] = "Fri, 27 Nov 2026 10:00:00 +0000", f"<{abs(hash(subject))}@example.net>"
    msg.set_content(body)
    msg.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename=filename)
    return msg.as_bytes().replace(b"\n", b"\r\n")


@pytest.fixture
def archived(engine, clean_sink, world):
    """Three delivered messages of acme (and one of globex), archived and flushed."""
    sent = {
        "invoice": spool(engine, _with_attachment("Invoice 2231", "Payment of the turbine overhaul is due.",
                                                  "Invoice-2231.pdf"), sender="alice@example.net"),
        "lunch": spool(engine, message("Lunch on Friday", body=b"Shall we try the new ramen place?\r\n"),
                       sender="carol@example.org"),
        # over the text the engine carries in the log record: indexed from the stored copy instead
        "big": spool(engine, message("Quarterly figures", body=b"figures line\r\n" * 2500 + b"revenue grew\r\n"),
                     sender="dave@example.net", recipients=("eve@acme.test",)),
        "globex": spool(engine, message("Globex turbine secrets", to="bob@globex.test"), customer="globex",
                        recipients=("bob@globex.test",)),
    }
    for spool_id in sent.values():
        assert worker.process_entry(spool_id) == "delivered"
    flush(engine)
    return sent


def _ids(query: ArchiveQuery) -> set[str]:
    return set(search(query).values_list("spool_id", flat=True))


def test_delivered_mail_is_archived_once_and_quarantined_mail_is_not(engine, archived, monkeypatch):
    with schema_context("c_acme"):
        assert ArchiveMessage.objects.count() == 3
        row = ArchiveMessage.objects.get(spool_id=archived["invoice"])
        assert row.attachment_names == ["invoice-2231.pdf"] and row.recipients == ["bob@acme.test"]
        assert b"\r\nFrom: alice@example.net\r\n" in get_store().get("c_acme", row.store_key)
    with schema_context("c_globex"):
        assert list(ArchiveMessage.objects.values_list("spool_id", flat=True)) == [archived["globex"]]
    record = {"spool_id": archived["invoice"], "received": 0, "subject": "again",
              "archive": {"key": row.store_key, "text": "repeat", "names": []}}
    with schema_context("c_acme"):
        assert archive_index.write("c_acme", [record]) == 1  # a record flushed twice (a flusher died midway)
        assert ArchiveMessage.objects.count() == 3
        assert ArchiveMessage.objects.get(spool_id=archived["invoice"]).subject == "Invoice 2231"
    hold_as(monkeypatch, "spam")
    worker.process_entry(spool(engine, message("Held, not archived")))
    flush(engine)
    with schema_context("c_acme"):
        assert not ArchiveMessage.objects.filter(subject="Held, not archived").exists()


def test_search_by_every_criterion(engine, archived):
    a = archived
    today = timezone.localdate()
    with schema_context("c_acme"):
        assert _ids(ArchiveQuery(sender="alice@example.net")) == {a["invoice"]}
        assert _ids(ArchiveQuery(sender="@example.org")) == {a["lunch"]}
        assert _ids(ArchiveQuery(recipient="eve@acme.test")) == {a["big"]}
        assert _ids(ArchiveQuery(date_from=today, date_to=today)) == {a["invoice"], a["lunch"], a["big"]}
        assert _ids(ArchiveQuery(date_to=today - timedelta(days=1))) == set()
        assert _ids(ArchiveQuery(date_from=today + timedelta(days=1))) == set()
        assert _ids(ArchiveQuery(subject="friday")) == {a["lunch"]}
        assert _ids(ArchiveQuery(subject="turbine")) == set()  # only in a body here
        assert _ids(ArchiveQuery(size_min=20000)) == {a["big"]}
        assert _ids(ArchiveQuery(size_max=5000)) == {a["invoice"], a["lunch"]}
        assert _ids(ArchiveQuery(attachment="invoice-2231.pdf")) == {a["invoice"]}
        assert _ids(ArchiveQuery(text="turbine overhaul")) == {a["invoice"]}
        assert _ids(ArchiveQuery(text="ramen")) == {a["lunch"]}
        assert _ids(ArchiveQuery(text="revenue", sender="@example.net")) == {a["big"]}
        assert _ids(ArchiveQuery(for_address="bob@acme.test")) == {a["invoice"], a["lunch"]}
        first = page(ArchiveQuery(), 1, size=2)
        second = page(ArchiveQuery(), 2, size=2)
        assert len(first.rows) == 2 and first.has_next and len(second.rows) == 1 and not second.has_next
        assert first.rows[0].received >= first.rows[1].received >= second.rows[0].received


def test_a_footer_added_by_a_rule_is_searchable_as_delivered(engine, archived, world):
    from policy import services as policy_services

    policy_services.create_rule(customer=None, actor=ADMIN, name="footer", level="global",
                                conditions=[{"type": "always"}],
                                actions=[{"type": "footer", "text": "Scanned by Example ISP zeppelinwatch"}])
    spool_id = spool(engine, message("Footer please", body=b"Plain words only.\r\n"))
    assert worker.process_entry(spool_id) == "delivered"
    flush(engine)
    with schema_context("c_acme"):
        assert _ids(ArchiveQuery(text="zeppelinwatch")) == {spool_id}
        assert _ids(ArchiveQuery(text="plain words")) == {spool_id}


def test_retention_purge_and_legal_holds(engine, archived, world):
    old = timezone.now() - timedelta(days=400)
    with tenant_context(world.acme):
        ArchiveMessage.objects.update(received=old)
        hold = services.place_legal_hold(reason="litigation", actor=ADMIN)
        assert services.purge_expired(world.acme) == 0  # customer-wide hold suspends deletion
        services.lift_legal_hold(hold, actor=ADMIN)
        services.place_legal_hold(address="eve@acme.test", reason="investigation", actor=ADMIN)
        assert services.purge_expired(world.acme) == 2  # the plan keeps 365 days
        assert list(ArchiveMessage.objects.values_list("spool_id", flat=True)) == [archived["big"]]
        LegalHold.objects.update(active=False)
        ArchiveSettings.objects.update_or_create(pk=1, defaults={"retention_days": 500})
        assert services.purge_expired(world.acme) == 0  # the customer's own retention is longer
        ArchiveSettings.objects.filter(pk=1).update(retention_days=None)
        assert services.purge_expired(world.acme) == 1
        assert AuditEvent.objects.filter(event_type="archive.purged").count() == 2
    with schema_context("c_globex"):
        assert ArchiveMessage.objects.count() == 1  # another customer's archive is untouched


def _admin_client(customer) -> Client:
    client = Client()
    with tenant_context(customer):
        client.force_login(get_user_model().objects.get(username=f"admin@{customer.slug}.test"))
    return client


def test_console_search_open_forward_and_export(engine, archived, world, clean_sink):
    client = _admin_client(world.acme)
    results = client.get("/c/acme/archive/", {"go": "1", "text": "turbine"})
    assert results.status_code == 200
    assert b"Invoice 2231" in results.content and b"Globex turbine secrets" not in results.content
    assert b"not valid" in client.get("/c/acme/archive/", {"go": "1", "date_from": "yesterday"}).content
    with schema_context("c_acme"):
        row = ArchiveMessage.objects.get(spool_id=archived["invoice"])
    opened = client.get(f"/c/acme/archive/{row.pk}/")
    assert b"Payment of the turbine overhaul" in opened.content
    clean_sink.handler.reset()
    assert client.post(f"/c/acme/archive/{row.pk}/forward/", REMOTE_ADDR="198.51.100.5").status_code == 302
    from tests.mailflow.quarantine.support import process_all

    process_all(engine)
    [copy] = clean_sink.handler.wait_for(1)
    assert copy.rcpt_tos == ["admin@acme.test"] and b"Invoice 2231" in copy.data
    mbox = client.get("/c/acme/archive/export/", {"sender": "@example.net", "format": "mbox"})
    data = b"".join(mbox.streaming_content)
    path = engine.spool.root / "export.mbox"
    path.write_bytes(data)
    subjects = sorted(m["Subject"] for m in mailbox.mbox(str(path)))
    assert subjects == ["Invoice 2231", "Quarterly figures"]
    zipped = client.get("/c/acme/archive/export/", {"text": "ramen", "format": "zip"})
    with zipfile.ZipFile(io.BytesIO(b"".join(zipped.streaming_content))) as zf:
        [name] = zf.namelist()
        assert name.endswith(f"{archived['lunch']}.eml") and b"ramen" in zf.read(name)
    with schema_context("c_acme"):
        events = list(AuditEvent.objects.filter(event_type__startswith="archive.").values_list("event_type", "ip"))
    assert sorted(events) == [("archive.exported", "127.0.0.1"), ("archive.exported", "127.0.0.1"),
                              ("archive.forwarded", "198.51.100.5")]


def test_acme_admin_never_sees_globex_archive(engine, archived, world):
    with schema_context("c_acme"):
        acme_max = ArchiveMessage.objects.order_by("-pk").first().pk
    with schema_context("c_globex"):
        ArchiveMessage.objects.update(id=acme_max + 1000)
        LegalHold.objects.create(reason="globex only")
        globex_id = ArchiveMessage.objects.get().pk
    client = _admin_client(world.acme)
    for url in (f"/c/acme/archive/{globex_id}/", f"/c/acme/archive/{globex_id}/download/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/c/acme/archive/{globex_id}/forward/").status_code == 404
    listing = client.get("/c/acme/archive/", {"go": "1"})
    assert b"Globex turbine secrets" not in listing.content and b"Invoice 2231" in listing.content
    export = client.get("/c/acme/archive/export/", {"format": "mbox"})
    assert b"Globex" not in b"".join(export.streaming_content)
    with schema_context("c_acme"):
        assert not LegalHold.objects.exists() and not ArchiveSettings.objects.exists()
    assert Client().get("/c/acme/archive/").status_code == 302


def test_end_user_searches_own_archive_from_a_signed_link(engine, archived, world):
    from django.test import Client

    from mailflow.quarantine import links

    token = links.make_token("c_acme", "bob@acme.test", 0, "archive")
    client = Client()
    with schema_context("c_acme"):
        ArchiveSettings.objects.update_or_create(pk=1, defaults={"end_users_may_search": False})
    assert client.get(f"/c/acme/q/archive/{token}/").status_code == 403  # the customer has not allowed it
    with schema_context("c_acme"):
        ArchiveSettings.objects.filter(pk=1).update(end_users_may_search=True)
        bobs = ArchiveMessage.objects.get(spool_id=archived["invoice"])
        eves = ArchiveMessage.objects.get(spool_id=archived["big"])
    page = client.get(f"/c/acme/q/archive/{token}/", {"text": "turbine"})
    assert page.status_code == 200
    assert b"Invoice 2231" in page.content
    assert b"Quarterly figures" not in page.content  # eve's mail
    assert b"Globex turbine secrets" not in page.content  # another customer's
    opened = client.get(f"/c/acme/q/archive/{token}/{bobs.pk}/")
    assert opened.status_code == 200 and b"Payment of the turbine overhaul" in opened.content
    assert client.get(f"/c/acme/q/archive/{token}/{eves.pk}/").status_code == 404
    assert client.get(f"/c/globex/q/archive/{token}/").status_code == 400  # acme's link is nothing in globex
    other = links.make_token("c_acme", "bob@acme.test", 0, "list")
    assert client.get(f"/c/acme/q/archive/{other}/").status_code == 400  # a link for another page
    with schema_context("c_acme"):
        ArchiveSettings.objects.filter(pk=1).update(end_users_may_search=False)


def test_nul_characters_in_a_message_do_not_stop_the_log_or_the_archive(engine, clean_sink, world):
    data = message("=?utf-8?q?invoice=00_March?=", body=b"payment due \x00 zanzibarquote\r\n")
    spool_id = spool(engine, data)
    after = spool(engine, message("The next message"))
    assert worker.process_entry(spool_id) == "delivered"
    assert worker.process_entry(after) == "delivered"
    flush(engine)
    with schema_context("c_acme"):
        assert MessageLog.objects.get(spool_id=spool_id).subject == "invoice March"
        assert MessageLog.objects.filter(spool_id=after).exists()  # the batch was not held back
        assert _ids(ArchiveQuery(text="zanzibarquote")) == {spool_id}


def _html_only(subject: str, html: str) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "news@example.net", "bob@acme.test", subject
    msg["Date"], msg["Message-ID"] = "Fri, 27 Nov 2026 10:00:00 +0000", f"<{abs(hash(subject))}@example.net>"
    msg.set_content(html, subtype="html")
    return msg.as_bytes().replace(b"\n", b"\r\n")


def test_html_only_mail_is_searchable_by_the_text_a_reader_sees(engine, clean_sink, world):
    page_html = ("<html><head><title>t</title><style>.quokkastyle{color:red}</style>"
                 "<script>var wombatscript = 1;</script></head><body><p>Caf&eacute; "
                 "<b>kumquat</b>&nbsp;tasting</p>" + "<div>" * 2000 + "deep platypus" + "</div>" * 2000
                 + "</body></html>")
    spool_id = spool(engine, _html_only("Tasting notes", page_html))
    assert worker.process_entry(spool_id) == "delivered"
    flush(engine)
    with schema_context("c_acme"):
        assert _ids(ArchiveQuery(text="kumquat tasting")) == {spool_id}
        assert _ids(ArchiveQuery(text="café")) == {spool_id}  # entities decoded
        assert _ids(ArchiveQuery(text="platypus")) == {spool_id}  # text nested 2,000 deep
        assert _ids(ArchiveQuery(text="wombatscript")) == set()  # script and style are not text
        assert _ids(ArchiveQuery(text="quokkastyle")) == set()
