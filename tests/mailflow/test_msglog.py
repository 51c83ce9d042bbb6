"""The message log flusher: a record PostgreSQL refuses is set aside, never holding back the others."""

from __future__ import annotations

import json
import time

import pytest
from django.core.management import call_command
from django_tenants.utils import schema_context

from mailflow import msglog, worker
from mailflow.models import MessageLog
from tests.mailflow.quarantine.support import flush, message, spool


@pytest.fixture
def queue(engine):
    redis = engine.redis
    for key in (msglog.QUEUE, msglog.PROCESSING, msglog.REFUSED):
        redis.delete(key)
    yield redis
    for key in (msglog.QUEUE, msglog.PROCESSING, msglog.REFUSED):
        redis.delete(key)


def _record(schema: str, spool_id: str, **fields) -> dict:
    now = time.time()
    return {"schema": schema, "spool_id": spool_id, "received": now, "updated": now, "direction": "inbound",
            "state": "delivered", "subject": f"hand-made {spool_id}", **fields}


def _logged(schema: str, *spool_ids: str) -> set[str]:
    with schema_context(schema):
        return set(MessageLog.objects.filter(spool_id__in=spool_ids).values_list("spool_id", flat=True))


def test_a_refused_record_is_set_aside_and_the_rest_of_the_batch_is_logged(engine, queue, world):
    before = spool(engine, message("Before the bad record"))
    assert worker.process_entry(before) == "delivered"
    msglog.push(queue, _record("c_acme", "bad-ip-record", client_ip="not-an-address"))
    msglog.push(queue, _record("c_acme", "huge-size-record", size=10**12))  # PostgreSQL's integer refuses it
    msglog.push(queue, _record("c_globex", "gone-customer-record") | {"schema": "c_no_such_customer"})
    after = spool(engine, message("After the bad record"))
    assert worker.process_entry(after) == "delivered"
    globex = spool(engine, message("For globex", to="bob@globex.test"), customer="globex",
                   recipients=("bob@globex.test",))
    assert worker.process_entry(globex) == "delivered"

    flush(engine)

    assert _logged("c_acme", before, after, "bad-ip-record", "huge-size-record") == {before, after}
    assert _logged("c_globex", globex) == {globex}
    assert msglog.backlog(queue) == 0  # nothing is retried for ever
    refused = msglog.refused(queue)
    reasons = {json.loads(e["record"])["spool_id"]: e["reason"] for e in refused}
    assert sorted(reasons) == ["bad-ip-record", "gone-customer-record", "huge-size-record"]
    assert "not-an-address" in reasons["bad-ip-record"]
    assert reasons["huge-size-record"].startswith("DataError") and "out of range" in reasons["huge-size-record"]
    assert reasons["gone-customer-record"].startswith("ProgrammingError")

    # the next message is logged at once: the refused ones are not in its way any more
    later = spool(engine, message("Later"))
    assert worker.process_entry(later) == "delivered"
    assert msglog.flush(queue) == 1
    assert _logged("c_acme", later) == {later}


def test_refused_records_are_listed_and_requeued_by_the_operator(engine, queue, world, capsys):
    msglog.push(queue, _record("c_acme", "fix-me", client_ip="192.0.2.9", size=2**40))
    assert msglog.flush(queue) == 0
    assert msglog.refused_count(queue) == 1

    call_command("msglog")
    out = capsys.readouterr().out
    assert "backlog 0  refused 1" in out
    assert "c_acme fix-me delivered" in out and "DataError" in out

    # the operator fixes the cause (here: the record itself) and puts it back
    entry = json.loads(queue.lindex(msglog.REFUSED, 0))
    fixed = json.loads(entry["record"]) | {"size": 4096}
    queue.lset(msglog.REFUSED, 0, json.dumps(entry | {"record": json.dumps(fixed)}))
    call_command("msglog", "--requeue", "--flush")
    out = capsys.readouterr().out
    assert "requeued 1 refused records" in out and "wrote 1 records" in out
    assert "backlog 0  refused 0" in out
    with schema_context("c_acme"):
        assert MessageLog.objects.get(spool_id="fix-me").size == 4096


def test_records_left_by_a_flush_that_died_are_written_once(engine, queue, world):
    sent = spool(engine, message("Mid-flush crash"))
    assert worker.process_entry(sent) == "delivered"
    # a flusher died after moving the record to the processing list
    queue.lmove(msglog.QUEUE, msglog.PROCESSING, "RIGHT", "LEFT")
    msglog.push(queue, _record("c_acme", "bad-after-crash", client_ip="nonsense"))
    assert msglog.flush(queue) == 1
    assert _logged("c_acme", sent) == {sent}
    assert msglog.backlog(queue) == 0
    assert msglog.refused_count(queue) == 1


def test_records_are_written_as_the_model_defines_them(engine, queue, world):
    """Field limits, defaults, an empty client address, NUL and 8-bit bytes, and the newest record of a message."""
    long = _record("c_acme", "long-fields", helo="h" * 300, mail_from="m" * 300 + "@example.net",
                   subject="s" * 1200, remote_reply="r" * 600, client_ip="", tls=True, size=5120, score=7.5,
                   symbols=[["BAYES_SPAM", 7.5, ""]], facts={"spf": "pass"}, latency_ms=42, attempts=3)
    sparse = {"schema": "c_acme", "spool_id": "sparse", "received": 1_700_000_000.25, "updated": 1_700_000_001.0,
              "direction": "outbound", "state": "bounced"}
    older = _record("c_acme", "twice", state="deferred", subject="first attempt")
    newer = older | {"state": "delivered", "subject": "second attempt", "updated": older["updated"] + 60}
    nul = _record("c_acme", "with-nul", subject="cut\x00here", facts={"note": "a\x00b"})
    # an 8-bit HELO and file name, read with surrogateescape; an emoji is a valid surrogate pair in JSON
    odd = _record("c_acme", "odd-bytes", helo="caf\udce9.example", facts={"names": ["r\udcf6ntgen.pdf", "\U0001f600"]})
    for record in (long, sparse, newer, older, nul, odd):  # the newer record of "twice" is queued first
        msglog.push(queue, record)

    assert msglog.flush(queue) == 6

    with schema_context("c_acme"):
        rows = {r.spool_id: r for r in MessageLog.objects.filter(spool_id__in=["long-fields", "sparse", "twice",
                                                                                "with-nul", "odd-bytes"])}
    row = rows["long-fields"]
    assert (len(row.helo), len(row.mail_from), len(row.subject), len(row.remote_reply)) == (255, 254, 998, 500)
    assert row.client_ip is None and row.tls is True and row.size == 5120 and row.score == 7.5
    assert row.symbols == [["BAYES_SPAM", 7.5, ""]] and row.facts == {"spf": "pass"}
    assert (row.latency_ms, row.attempts) == (42, 3)
    row = rows["sparse"]
    assert (row.helo, row.mail_from, row.subject, row.remote_reply, row.size, row.score) == ("", "", "", "", 0, 0.0)
    assert (row.recipients, row.symbols, row.facts, row.rules, row.actions) == ([], [], {}, [], [])
    assert (row.latency_ms, row.attempts, row.direction, row.state) == (None, 1, "outbound", "bounced")
    assert row.received.timestamp() == 1_700_000_000.25
    assert (rows["twice"].state, rows["twice"].subject) == ("delivered", "second attempt")
    assert (rows["with-nul"].subject, rows["with-nul"].facts) == ("cuthere", {"note": "ab"})
    assert rows["odd-bytes"].helo.startswith("caf\ufffd") and rows["odd-bytes"].helo.endswith(".example")
    assert rows["odd-bytes"].facts["names"][1] == "\U0001f600" and "\ufffd" in rows["odd-bytes"].facts["names"][0]
    assert msglog.refused(queue) == []


def test_records_queued_in_any_key_order_reach_their_customer(engine, queue, world):
    """The flusher reads the schema from the front of a pushed record; a record queued otherwise is parsed."""
    msglog.push(queue, {"spool_id": "schema-last-push", "received": time.time(), "updated": time.time(),
                        "direction": "inbound", "state": "delivered", "schema": "c_globex"})
    hand_made = _record("c_acme", "schema-last-by-hand")
    queue.lpush(msglog.QUEUE, json.dumps({k: v for k, v in hand_made.items() if k != "schema"} | {"schema": "c_acme"}))
    flush(engine)
    assert _logged("c_globex", "schema-last-push") == {"schema-last-push"}
    assert _logged("c_acme", "schema-last-by-hand") == {"schema-last-by-hand"}
    assert msglog.backlog(queue) == 0 and msglog.refused(queue) == []
