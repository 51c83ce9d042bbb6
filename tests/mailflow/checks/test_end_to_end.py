"""The checks on the real mail path: SMTP receiver, engine worker process, sink, message log."""

from __future__ import annotations

import io
import uuid
from email.policy import SMTP

import pytest

from tests.mailflow.checks.samples import EICAR_WRAPPINGS, eicar_message, harmless_zip_message, mail
from tests.mailflow.checks.shortener_support import Shortener
from tests.mailflow.test_end_to_end import by_subject, send, wait_log

pytestmark = pytest.mark.smtp


def symbols_of(row) -> list[str]:
    return [name for name, _score, _detail in row.symbols]


@pytest.mark.parametrize("wrapping", sorted(EICAR_WRAPPINGS))
def test_eicar_reaches_the_log_as_virus_found(mailpath, clean_sink, committed, wrapping):
    subject = f"EICAR {wrapping} {uuid.uuid4().hex[:6]}"
    raw, inner = eicar_message(wrapping, subject)
    spool_id = send(mailpath.smtp_port, "sender@example.net", ["bob@acme.test"], raw)
    row = wait_log("c_acme", spool_id)
    assert "VIRUS_FOUND" in symbols_of(row)
    assert row.facts["virus_found"] is True
    assert inner in [v["path"] for v in row.facts["virus"] if v["engine"] == "clamav"]


def test_clean_message_with_a_harmless_zip_is_delivered_intact(mailpath, clean_sink, committed):
    subject = f"Figures {uuid.uuid4().hex[:6]}"
    original = harmless_zip_message(subject)
    spool_id = send(mailpath.smtp_port, "sender@example.net", ["bob@acme.test"], original)
    [arrived] = by_subject(clean_sink, subject)
    assert arrived.data.endswith(original)
    added = arrived.data[: -len(original)].decode()
    assert "Authentication-Results: gateway.spe.test;" in added
    row = wait_log("c_acme", spool_id, "delivered")
    assert row.facts["virus"] == [] and row.facts["virus_found"] is False
    assert sorted(row.facts["av_engines"]) == ["clamav", "yara"]
    assert "VIRUS_FOUND" not in symbols_of(row)


def test_forged_sender_of_a_reject_domain_shows_dmarc_fail_reject(mailpath, dns_server, clean_sink, committed):
    domain = f"bank{uuid.uuid4().hex[:8]}.test"
    dns_server.add_record(domain, "TXT", "v=spf1 ip4:198.51.100.7 -all")
    dns_server.add_record(f"_dmarc.{domain}", "TXT", "v=DMARC1; p=reject")
    subject = f"Wire transfer {uuid.uuid4().hex[:6]}"
    raw = mail(subject, sender=f"Treasury <treasury@{domain}>").as_bytes(policy=SMTP)
    spool_id = send(mailpath.smtp_port, f"treasury@{domain}", ["bob@acme.test"], raw)
    row = wait_log("c_acme", spool_id)
    assert row.facts["spf"] == "fail"
    assert row.facts["dmarc"] == "fail"
    assert row.facts["dmarc_policy"] == "reject"
    assert "DMARC_POLICY_REJECT" in symbols_of(row)


def test_a_shortened_link_to_a_blocklisted_site_is_seen_through(mailpath, dns_server, clean_sink, committed):
    dns_server.add_record("cutt.ly", "A", "127.0.0.1")
    try:
        with Shortener() as shortener:
            path = f"/{uuid.uuid4().hex[:8]}"
            shortener.route(path, 301, "https://secure.blocked-landing.test/signin")
            link = f"http://cutt.ly:{shortener.port}{path}"
            subject = f"Shared document {uuid.uuid4().hex[:6]}"
            raw = mail(subject, body=f"Bob, the document is here: {link}\n").as_bytes(policy=SMTP)
            spool_id = send(mailpath.smtp_port, "sender@example.net", ["bob@acme.test"], raw)
            row = wait_log("c_acme", spool_id)
    finally:
        dns_server.remove("cutt.ly")
    assert {"URL_SHORTENER_EXPANDED", "URL_PROVIDER_BLOCKLIST"} <= set(symbols_of(row))
    [target] = [u for u in row.facts["urls"] if u.get("via") == link]
    assert target["host"] == "secure.blocked-landing.test" and target["listed"] == ["provider"]
    [arrived] = by_subject(clean_sink, subject)
    assert b"URL_PROVIDER_BLOCKLIST" in arrived.data  # X-SPE-Symbols on the delivered copy


def test_mail_from_a_look_alike_of_the_customers_domain_is_marked(mailpath, clean_sink, committed):
    subject = f"Urgent wire {uuid.uuid4().hex[:6]}"
    raw = mail(subject, sender="Chief Executive <ceo@acrne.test>").as_bytes(policy=SMTP)
    spool_id = send(mailpath.smtp_port, "ceo@acrne.test", ["bob@acme.test"], raw)
    row = wait_log("c_acme", spool_id)
    assert "FROM_LOOKALIKE_OWN_DOMAIN" in symbols_of(row)
    assert row.facts["lookalike_of"]["acrne.test"] == {"own": "acme.test", "kind": "look-alike letters",
                                                       "in": "From"}


# Mail the content layers pass (it scores near 0 on its own): only reports can make it spam.
BLAND = (
    "Hello {name},\n\nThe autumn meeting of the allotment association is on the first Saturday of next month in "
    "the village hall. We will agree the plot rents for next year, elect a new treasurer and hear how the water "
    "tank repairs went. Tea and cake from {hour} o'clock; bring your seed swap envelopes.\n\nSee you there,\n"
    "The committee\n"
)


def test_a_campaign_the_provider_reported_is_caught_at_every_customer(mailpath, clean_sink, committed, tmp_path):
    from django.core.management import call_command

    from mailflow.checks import fuzzy
    from mailflow.spam.fuzzy import sketch_text

    subject = f"Meeting {uuid.uuid4().hex[:6]}"
    before = mail(subject, body=BLAND.format(name="Bob", hour=2), sender="Committee <committee@allotments.test>")
    spool_id = send(mailpath.smtp_port, "committee@allotments.test", ["bob@acme.test"], before.as_bytes(policy=SMTP))
    first = wait_log("c_acme", spool_id)
    assert "FUZZY_SPAM" not in symbols_of(first) and first.score < 5.0
    reported = tmp_path / "trap.eml"
    reported.write_bytes(mail("Meeting", body=BLAND.format(name="Trap", hour=4)).as_bytes(policy=SMTP))
    out = io.StringIO()
    call_command("fuzzy", "spam", str(reported), stdout=out)
    assert "reported 1 message(s) as spam" in out.getvalue()
    try:
        subject = f"Meeting {uuid.uuid4().hex[:6]}"
        after = mail(subject, body=BLAND.format(name="Carol", hour=3), sender="Committee <committee@allotments.test>")
        raw = after.as_bytes(policy=SMTP)
        spool_id = send(mailpath.smtp_port, "committee@allotments.test", ["carol@globex.test"], raw)
        row = wait_log("c_globex", spool_id)
    finally:
        fuzzy.forget(sketch_text(BLAND.format(name="Trap", hour=4)))
    assert "FUZZY_SPAM" in symbols_of(row) and row.score >= 5.0
    [arrived] = by_subject(clean_sink, subject)  # another customer's copy is now tagged as spam
    assert b"X-Spam-Flag: YES" in arrived.data and b"FUZZY_SPAM" in arrived.data


def test_a_date_a_day_ahead_of_the_gateways_clock_is_marked(mailpath, clean_sink, committed):
    import time
    from email.utils import formatdate

    subject = f"Tomorrow {uuid.uuid4().hex[:6]}"
    ahead, now = mail(subject), mail(f"{subject} now")
    ahead.replace_header("Date", formatdate(time.time() + 86400))
    now.replace_header("Date", formatdate(time.time()))
    rows = [wait_log("c_acme", send(mailpath.smtp_port, "alice@sender.test", ["bob@acme.test"],
                                    m.as_bytes(policy=SMTP))) for m in (ahead, now)]
    assert "DATE_IN_FUTURE" in symbols_of(rows[0])  # against the gateway's own Received line
    assert "DATE_IN_FUTURE" not in symbols_of(rows[1])
