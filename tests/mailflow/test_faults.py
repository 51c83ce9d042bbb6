"""Nothing is lost: crashes, a broker outage and a database outage on the mail path."""

from __future__ import annotations

import os
import signal
import smtplib
import time

import pytest
from django_tenants.utils import schema_context

from mailflow.models import MessageLog
from tests.mailflow.faults_support import PrivateRedis, TCPProxy
from tests.mailflow.mailpath_support import MailPath
from tests.mailflow.test_end_to_end import by_subject, message, send, wait_log

pytestmark = [pytest.mark.smtp, pytest.mark.slow]


def _redis_db(url: str, db: int) -> str:
    return f"{url.rsplit('/', 1)[0]}/{db}"


@pytest.fixture
def private_path(mailpath_env, tmp_path, request):
    """A mail path of the test's own (own Redis database), stopped afterwards."""
    paths = []

    def make(**env) -> MailPath:
        redis_db = 5 + len(paths)
        path = MailPath(tmp_path / f"path{len(paths)}",
                        {**mailpath_env, "SPE_REDIS_URL": _redis_db(mailpath_env["SPE_REDIS_URL"], redis_db), **env},
                        concurrency=1)
        paths.append(path)
        return path

    yield make
    for path in paths:
        path.stop()


def _wait_connections(sink, before: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while sink.handler.connections <= before:
        if time.monotonic() > deadline:
            raise AssertionError("the worker never connected to the sink")
        time.sleep(0.05)


def _arrived_once(sink, subject: str) -> None:
    by_subject(sink, subject, timeout=60)
    time.sleep(2)  # a duplicate would show up by now
    assert len([m for m in sink.handler.messages if f"Subject: {subject}".encode() in m.data]) == 1


def test_worker_process_killed_mid_message_delivers_once(private_path, clean_sink, committed):
    path = private_path().start()
    clean_sink.handler.stall.set()
    before = clean_sink.handler.connections
    spool_id = send(path.smtp_port, "sender@example.net", ["bob@acme.test"], message("Survives SIGKILL"))
    _wait_connections(clean_sink, before)
    [child] = path.worker_children()
    os.kill(child, signal.SIGKILL)  # the process delivering the message dies mid-delivery
    clean_sink.handler.stall.clear()
    _arrived_once(clean_sink, "Survives SIGKILL")
    assert wait_log("c_acme", spool_id, "delivered")
    assert path.spool_entries() == []


def test_whole_worker_killed_and_restarted_delivers_once(private_path, clean_sink, committed):
    path = private_path().start()
    clean_sink.handler.stall.set()
    before = clean_sink.handler.connections
    send(path.smtp_port, "sender@example.net", ["bob@acme.test"], message("Survives a dead node"))
    _wait_connections(clean_sink, before)
    path.kill("worker")  # main process and children, no chance to requeue
    clean_sink.handler.stall.clear()
    assert len(path.spool_entries()) == 1  # the message is still on disk
    path.start_worker()  # the restarted worker's recovery sweep finds it
    _arrived_once(clean_sink, "Survives a dead node")
    assert path.spool_entries() == []


def test_redis_down_gets_4xx_then_mail_flows_again(private_path, clean_sink, committed, tmp_path):
    redis = PrivateRedis(tmp_path / "redis").start()
    try:
        path = private_path(SPE_REDIS_URL=redis.url).start()
        send(path.smtp_port, "sender@example.net", ["bob@acme.test"], message("Before the outage"))
        by_subject(clean_sink, "Before the outage")
        redis.stop()
        with smtplib.SMTP("127.0.0.1", path.smtp_port, timeout=60) as client:
            client.ehlo("client.example.net")
            client.mail("sender@example.net")
            client.rcpt("bob@acme.test")
            code, reply = client.data(message("During the outage"))
        assert code == 451, reply  # temporary: the client keeps the message and retries
        assert path.spool_entries() == []
        redis.start()
        deadline = time.monotonic() + 30
        while True:  # the client retries, as any MTA would
            try:
                send(path.smtp_port, "sender@example.net", ["bob@acme.test"], message("During the outage"))
                break
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)
        _arrived_once(clean_sink, "During the outage")
    finally:
        redis.stop()


def test_postgres_down_mail_keeps_flowing_and_log_catches_up(private_path, clean_sink, committed, mailpath_env):
    from django.db import connection

    db = connection.settings_dict
    proxy = TCPProxy(int(db["PORT"])).open()
    url = f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}"
    path = private_path(SPE_DATABASE_URL=url).start()
    try:
        send(path.smtp_port, "sender@example.net", ["bob@acme.test"], message("Database is here"))
        by_subject(clean_sink, "Database is here")  # the worker has compiled acme's policy by now
        proxy.cut()  # PostgreSQL unreachable from the mail path from here on
        spool_id = send(path.smtp_port, "sender@example.net", ["bob@acme.test"], message("Database is away"))
        by_subject(clean_sink, "Database is away")
        time.sleep(3)  # several flush attempts fail meanwhile
        with schema_context("c_acme"):
            assert not MessageLog.objects.filter(spool_id=spool_id).exists()
        proxy.open()
        row = wait_log("c_acme", spool_id, "delivered", timeout=40)
        assert row.subject == "Database is away"
    finally:
        proxy.cut()
