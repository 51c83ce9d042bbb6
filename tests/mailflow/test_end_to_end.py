"""Mail through the real receiver, engine workers and sender, to a real sink."""

from __future__ import annotations

import email
import email.policy
import io
import re
import smtplib
import time
import uuid

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from mailflow.models import MessageLog

pytestmark = pytest.mark.smtp


def message(subject: str, sender: str = "sender@example.net", to: str = "bob@acme.test",
            body: bytes = b"Hello Bob,\r\nthe report is attached.\r\n") -> bytes:
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n"
            f"Message-ID: <{uuid.uuid4().hex}@example.net>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n").encode() + body


def send(port: int, sender: str, rcpts: list[str], data: bytes, source: str = "127.0.0.1") -> str:
    with smtplib.SMTP("127.0.0.1", port, timeout=30, source_address=(source, 0)) as client:
        client.ehlo("client.example.net")
        client.mail(sender)
        for rcpt in rcpts:
            assert client.rcpt(rcpt)[0] == 250
        code, reply = client.data(data)
    assert code == 250, reply
    return reply.decode().rsplit(" ", 1)[-1]


def wait_log(schema: str, spool_id: str, state: str | None = None, timeout: float = 30.0) -> MessageLog:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with schema_context(schema):
            row = MessageLog.objects.filter(spool_id=spool_id).first()
        if row is not None and (state is None or row.state == state):
            return row
        time.sleep(0.2)
    raise AssertionError(f"no message log row {spool_id} in state {state} after {timeout}s (last: {row})")


def _subject_re(subject: str) -> re.Pattern:
    """A Subject line with this text, possibly after a tag such as [SPAM]."""
    return re.compile(rb"^Subject: (?:\[[^\]]*\] )*" + re.escape(subject.encode()), re.MULTILINE)


def by_subject(sink, subject: str, n: int = 1, timeout: float = 30.0) -> list:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in sink.handler.messages if _subject_re(subject).search(m.data)]
        if len(found) >= n:
            return found
        time.sleep(0.05)
    raise AssertionError(f"{n} message(s) with subject {subject!r} did not arrive")


def test_inbound_message_arrives_intact_and_is_logged(mailpath, clean_sink, committed):
    original = message("Quarterly report", body=("Caf\u00e9 cr\u00e8me \u2014 8-bit body\r\n" * 50).encode())
    spool_id = send(mailpath.smtp_port, "sender@example.net", ["bob@acme.test"], original)
    [arrived] = by_subject(clean_sink, "Quarterly report")
    assert arrived.rcpt_tos == ["bob@acme.test"]
    assert arrived.mail_from == "sender@example.net"
    assert arrived.data.endswith(original)  # same bytes; headers only added on top
    added = arrived.data[: -len(original)]
    assert b"Received: from client.example.net ([127.0.0.1])" in added
    assert f"X-SPE-Id: {spool_id}".encode() in added
    row = wait_log("c_acme", spool_id, "delivered")
    assert row.direction == "inbound"
    assert row.subject == "Quarterly report"
    assert row.recipients[0]["status"] == "delivered"
    assert row.latency_ms is not None
    assert row.size >= len(original)
    with schema_context("c_globex"):
        assert not MessageLog.objects.filter(spool_id=spool_id).exists()


def test_one_message_for_two_customers_reaches_both(mailpath, clean_sink, committed):
    send(mailpath.smtp_port, "sender@example.net", ["bob@acme.test", "carol@globex.test"], message("For both"))
    arrived = by_subject(clean_sink, "For both", n=2)
    assert sorted(r for m in arrived for r in m.rcpt_tos) == ["bob@acme.test", "carol@globex.test"]


def test_outbound_message_goes_to_the_recipients_mx(mailpath, clean_sink, committed):
    spool_id = send(mailpath.smtp_port, "user@acme.test", ["friend@example.net"],
                    message("Outbound hello", sender="user@acme.test", to="friend@example.net"), source="127.0.0.2")
    [arrived] = by_subject(clean_sink, "Outbound hello")
    assert arrived.rcpt_tos == ["friend@example.net"]
    assert wait_log("c_acme", spool_id, "delivered").direction == "outbound"


def test_relay_from_unregistered_client_is_refused(mailpath):
    with smtplib.SMTP("127.0.0.1", mailpath.smtp_port, timeout=10) as client:
        client.ehlo("client.example.net")
        client.mail("user@acme.test")
        assert client.rcpt("friend@example.net")[0] == 554


def test_downstream_4xx_is_retried_then_delivered(mailpath, clean_sink, committed):
    clean_sink.handler.reply_queue.append("451 4.3.0 Mailbox temporarily busy")
    spool_id = send(mailpath.smtp_port, "sender@example.net", ["bob@acme.test"], message("Retry me"))
    deferred = wait_log("c_acme", spool_id, "deferred")
    assert "4.3.0 Mailbox temporarily busy" in deferred.recipients[0]["reply"]
    [arrived] = by_subject(clean_sink, "Retry me", timeout=30)
    assert arrived.rcpt_tos == ["bob@acme.test"]
    row = wait_log("c_acme", spool_id, "delivered")
    assert row.attempts == 2


def test_downstream_5xx_bounces_to_sender_with_a_dsn(mailpath, clean_sink, committed):
    clean_sink.handler.reply_queue.append("550 5.1.1 No such mailbox here")
    spool_id = send(mailpath.smtp_port, "sender@example.net", ["bob@acme.test"], message("Doomed"))
    [dsn] = by_subject(clean_sink, "Undelivered Mail Returned to Sender")
    assert dsn.mail_from in ("", "<>")  # the null sender
    assert dsn.rcpt_tos == ["sender@example.net"]
    report = email.message_from_bytes(dsn.data, policy=email.policy.default)
    assert report.get_content_type() == "multipart/report"
    status = next(p for p in report.walk() if p.get_content_type() == "message/delivery-status")
    text = status.as_string()
    assert "Final-Recipient: rfc822; bob@acme.test" in text
    assert "Status: 5.1.1" in text
    assert "No such mailbox here" in text
    assert "Subject: Doomed" in dsn.data.decode()
    row = wait_log("c_acme", spool_id, "bounced")
    assert row.recipients[0]["status"] == "failed"


def test_null_sender_failure_is_logged_but_not_bounced(mailpath, clean_sink, committed):
    clean_sink.handler.reply_queue.append("550 5.1.1 No such mailbox here")
    spool_id = send(mailpath.smtp_port, "", ["bob@acme.test"], message("Bounce of a bounce"))
    row = wait_log("c_acme", spool_id, "bounced")
    assert row.mail_from == ""
    time.sleep(1.5)
    assert not [m for m in clean_sink.handler.messages if b"Undelivered Mail" in m.data]


def test_outbound_to_domain_with_null_mx_bounces(mailpath, clean_sink, committed):
    spool_id = send(mailpath.smtp_port, "user@acme.test", ["x@nomail.example.net"],
                    message("To null MX", sender="user@acme.test", to="x@nomail.example.net"), source="127.0.0.2")
    [dsn] = by_subject(clean_sink, "Undelivered Mail Returned to Sender")
    assert dsn.rcpt_tos == ["user@acme.test"]  # back to the customer's own server
    assert b"null MX" in dsn.data
    assert wait_log("c_acme", spool_id, "bounced")


def test_node_status_reports_receiver_and_engine(mailpath):
    from mailflow.heartbeat import read_all
    from tenants.cache import client

    deadline = time.monotonic() + 15
    roles = []
    while time.monotonic() < deadline and sorted(roles) != ["engine"] * mailpath.concurrency + ["receiver"]:
        roles = [row["role"] for row in read_all(client())]
        time.sleep(0.3)
    assert sorted(roles) == ["engine"] * mailpath.concurrency + ["receiver"]  # each engine process reports

    out = io.StringIO()
    call_command("nodestatus", stdout=out)
    lines = out.getvalue().splitlines()
    [receiver] = [line for line in lines if " receiver " in line]
    engines = [line for line in lines if " engine " in line]
    assert "connections " in receiver and "received " in receiver and "spool free " in receiver
    pids = {line.split(" pid ")[1].split()[0] for line in engines}
    assert len(engines) == len(pids) == mailpath.concurrency
    for engine in engines:
        for figure in ("queue 0", "behind ", "log backlog ", "log refused 0", "clamd ok", "spam model ok"):
            assert figure in engine
