"""The engine's processing of one spool entry, in process: idempotence, locking, checks."""

from __future__ import annotations

import os
import time

from mailflow import spool as spool_mod
from mailflow import worker
from mailflow.checks.base import Check, CheckTemporaryFailure
from mailflow.engine import pipeline

MSG = b"From: a@example.net\r\nTo: bob@acme.test\r\nSubject: engine test\r\n\r\nbody\r\n"


def spool_message(gw, data: bytes = MSG, recipients=("bob@acme.test",)) -> str:
    spool_id = spool_mod.new_id()
    env = spool_mod.Envelope(mail_from="a@example.net", recipients=list(recipients), customer="acme",
                             direction="inbound", client_ip="192.0.2.1")
    gw.spool.write(spool_id, env, data)
    return spool_id


def test_processing_twice_delivers_once(engine, clean_sink):
    spool_id = spool_message(engine)
    assert worker.process_entry(spool_id) == "delivered"
    assert worker.process_entry(spool_id) == "gone"
    assert len(clean_sink.handler.wait_for(1)) == 1
    assert engine.spool.find(spool_id) is None


def test_entry_locked_by_another_process_is_left_alone(engine, clean_sink):
    spool_id = spool_message(engine)
    with engine.spool.locked(spool_id):
        assert worker.process_entry(spool_id) == "busy"
    assert clean_sink.handler.count == 0
    assert worker.process_entry(spool_id) == "delivered"


def test_partial_delivery_is_not_repeated_on_retry(engine, clean_sink):
    clean_sink.handler.rcpt_reply["carol@acme.test"] = "450 4.2.1 try later"
    spool_id = spool_message(engine, recipients=("bob@acme.test", "carol@acme.test"))
    assert worker.process_entry(spool_id) == "deferred"
    envelope, _ = engine.spool.read(engine.spool.path(spool_id, spool_mod.DEFERRED))
    assert envelope.delivered == ["bob@acme.test"]
    clean_sink.handler.rcpt_reply.clear()
    envelope.next_attempt = 0
    engine.spool.update(spool_id, envelope, engine.spool.read(engine.spool.find(spool_id))[1], spool_mod.DEFERRED)
    assert worker.process_entry(spool_id) == "delivered"
    received = clean_sink.handler.wait_for(2)
    assert [m.rcpt_tos for m in received] == [["bob@acme.test"], ["carol@acme.test"]]


class _Unreachable(Check):
    name = "unreachable"
    description = "a scanner that cannot be reached"
    on_error = "tempfail"

    def run(self, ctx) -> None:
        raise CheckTemporaryFailure("scanner unreachable")


def test_check_that_cannot_run_defers_the_message_unchanged(engine, clean_sink, monkeypatch):
    monkeypatch.setattr(pipeline.checks, "registry", [_Unreachable])
    spool_id = spool_message(engine)
    assert worker.process_entry(spool_id) == "deferred"
    envelope, data = engine.spool.read(engine.spool.path(spool_id, spool_mod.DEFERRED))
    assert not envelope.processed  # checks run again on the retry
    assert data.endswith(MSG)
    assert clean_sink.handler.count == 0


def test_message_that_keeps_crashing_is_held_not_delivered(engine, clean_sink, settings, monkeypatch):
    settings.SPE_MAX_PROCESSING_ATTEMPTS = 2

    def crash(ctx):
        raise RuntimeError("engine bug")

    monkeypatch.setattr(pipeline, "process", crash)
    spool_id = spool_message(engine)
    for _ in range(2):
        assert worker.process_entry(spool_id).startswith("error")
        envelope, data = engine.spool.read(engine.spool.find(spool_id))
        envelope.next_attempt = 0
        engine.spool.update(spool_id, envelope, data, spool_mod.DEFERRED)
    assert worker.process_entry(spool_id) == "held"
    assert engine.spool.path(spool_id, spool_mod.HOLD).exists()
    assert clean_sink.handler.count == 0


def test_archive_bomb_becomes_a_fact_not_a_crash(engine, clean_sink):
    import io
    import zipfile
    from email.message import EmailMessage

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.bin", b"\0" * (60 * 1024 * 1024))
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@example.net", "bob@acme.test", "bomb"
    msg.set_content("see attached")
    msg.add_attachment(buf.getvalue(), maintype="application", subtype="zip", filename="report.zip")
    spool_id = spool_message(engine, msg.as_bytes())
    assert worker.process_entry(spool_id) == "delivered"  # policy decides what to do with the fact
    [arrived] = clean_sink.handler.wait_for(1)
    assert b"X-SPE-Symbols: ARCHIVE_BOMB" in arrived.data


def test_an_envelope_summary_json_cannot_hold_as_is_is_still_spooled(tmp_path):
    from dataclasses import dataclass

    @dataclass
    class Finding:
        engine: str

    spool = spool_mod.Spool(tmp_path)
    envelope = spool_mod.Envelope("a@example.net", ["bob@acme.test"], "acme", "inbound")
    envelope.summary = {"facts": {"finding": Finding("clamav"), "tags": {"x"}}}
    path = spool.write("abc123", envelope, b"Subject: x\r\n\r\nbody\r\n")
    read, data = spool.read(path)
    assert read.summary == {"facts": {"finding": {"engine": "clamav"}, "tags": "{'x'}"}}
    assert data == b"Subject: x\r\n\r\nbody\r\n"


def test_a_delivered_entry_is_deleted_from_the_spool_and_its_lock_with_it(engine, clean_sink):
    spool_id = spool_message(engine)
    assert worker.process_entry(spool_id) == "delivered"
    assert spool_mod.drain_reaper()
    assert sorted(p.name for p in engine.spool.root.glob(f"*/{spool_id}*")) == []


def test_sweep_clears_finished_entries_a_dead_worker_left(tmp_path):
    spool = spool_mod.Spool(tmp_path)
    old, new = tmp_path / "done" / "old.incoming.msg", tmp_path / "done" / "new.incoming.msg"
    old.write_bytes(b"x")
    new.write_bytes(b"x")
    os.utime(old, (time.time() - 600, time.time() - 600))
    assert spool.sweep_done(older_than=60) == 1
    assert not old.exists() and new.exists()


def test_spool_census_counts_entries_and_ages_the_oldest_by_its_id(tmp_path):
    spool = spool_mod.Spool(tmp_path)
    now = time.time()
    for age in (90.0, 5.0, 30.0):
        spool_id = f"{int((now - age) * 1000):011x}{'ab' * 5}"
        (tmp_path / spool_mod.INCOMING / f"{spool_id}.msg").write_bytes(b"x")
    (tmp_path / spool_mod.INCOMING / "leftover.tmp").write_bytes(b"x")  # not an entry
    count, oldest = spool.census(spool_mod.INCOMING)
    assert count == 3 and 89.0 < oldest < 100.0
    assert spool.census(spool_mod.DEFERRED) == (0, 0.0)
    odd = tmp_path / spool_mod.DEFERRED / "0-not-a-spool-id.msg"  # named by hand: aged by when it was written
    odd.write_bytes(b"x")
    os.utime(odd, (now - 600, now - 600))
    count, oldest = spool.census(spool_mod.DEFERRED)
    assert count == 1 and 599.0 < oldest < 610.0
