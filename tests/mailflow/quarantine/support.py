"""Shared helpers for quarantine and archive tests: the in-process engine with a quarantining policy."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from django_tenants.utils import schema_context

from mailflow import msglog, worker
from mailflow import spool as spool_mod


def message(subject: str, sender: str = "sender@example.net", to: str = "bob@acme.test",
            body: bytes = b"Hello Bob,\r\nplease find the invoice.\r\n") -> bytes:
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: Fri, 27 Nov 2026 10:00:00 +0000\r\n"
            f"Message-ID: <{uuid.uuid4().hex}@example.net>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n").encode() + body


def spool(gw, data: bytes, recipients=("bob@acme.test",), customer="acme", sender="sender@example.net",
          direction="inbound") -> str:
    spool_id = spool_mod.new_id()
    env = spool_mod.Envelope(mail_from=sender, recipients=list(recipients), customer=customer,
                             direction=direction, client_ip="192.0.2.1")
    gw.spool.write(spool_id, env, data)
    return spool_id


def hold_as(monkeypatch, category: str, reason: str = "held by test policy") -> None:
    """A provider rule that quarantines every message into ``category`` (a release skips just this rule)."""
    from audit.services import Actor
    from policy import services

    services.create_rule(customer=None, actor=Actor.system("tests"), name=f"hold as {category}", level="global",
                         conditions=[{"type": "always"}],
                         actions=[{"type": "quarantine", "category": category, "reason": reason}])


def flush(gw) -> None:
    """Write every queued log record now.

    The mail-path processes other tests start (beat flushes every 2 s) share
    this Redis queue: when their flusher holds the lock, wait until it has
    written what it took, instead of going on with records still unwritten.
    """
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        msglog.flush(gw.redis)
        if msglog.backlog(gw.redis) == 0:
            return
        time.sleep(0.05)
    raise AssertionError(f"message log not flushed: {msglog.backlog(gw.redis)} records still queued")


def incoming(gw) -> list[str]:
    return [sid for sid, _ in gw.spool.entries(spool_mod.INCOMING)]


def process_all(gw) -> list[str]:
    """Process every incoming entry (released copies, digests), as an engine worker would."""
    return [worker.process_entry(sid) for sid in incoming(gw)]


def links_in(data: bytes) -> dict[str, list[str]]:
    text = data.decode("utf-8", "replace").replace("=\r\n", "").replace("=\n", "")
    found: dict[str, list[str]] = {}
    for m in re.finditer(r"https?://[^\s\"<>]+/q/(list|view|release|allow-sender)/([^/\s\"<>]+)/", text):
        found.setdefault(m.group(1), [])
        if m.group(0) not in found[m.group(1)]:
            found[m.group(1)].append(m.group(0))
    return found


def wipe(*schemas: str) -> None:
    from audit.models import AuditEvent
    from mailflow.models import (
        ArchiveMessage,
        ArchiveSettings,
        LegalHold,
        MessageLog,
        QuarantineFeedback,
        QuarantineItem,
        QuarantinePermission,
        QuarantineSettings,
    )

    for schema in schemas:
        with schema_context(schema):
            from policy.models import ListEntry

            for model in (QuarantineItem, QuarantinePermission, QuarantineFeedback, ListEntry,
                          QuarantineSettings, ArchiveMessage, LegalHold, ArchiveSettings, MessageLog):
                model.objects.all().delete()
            AuditEvent.objects.filter(event_type__startswith="quarantine.").delete()
            AuditEvent.objects.filter(event_type__startswith="archive.").delete()


@pytest.fixture
def engine(engine, settings):
    """The shared in-process engine, with stores deleted at once and quarantine/archive rows wiped."""
    settings.SPE_STORE_DELETE_GRACE = 0
    flush(engine)
    wipe("c_acme", "c_globex")
    yield engine
    wipe("c_acme", "c_globex")
