"""Node status: receivers and workers publish a heartbeat to Redis every few seconds.

See docs/mailflow.md. Each process writes one hash ``spe:node:<node>:<role>:<id>``
with a short expiry, so a dead process disappears from the status by itself.
``manage.py nodestatus`` reads them; the consoles will too.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import threading
import time

from django.conf import settings

from mailflow import msglog
from mailflow import spool as spool_mod

log = logging.getLogger(__name__)

PREFIX = "spe:node:"
VERSION = "0.1.0"
INTERVAL = 5.0
TTL = 30


def _disk_free(path) -> int:
    try:
        return shutil.disk_usage(path).free
    except OSError:
        return -1


def spool_figures(spool: spool_mod.Spool) -> dict:
    deferred, _age = spool.census(spool_mod.DEFERRED)
    incoming, behind = spool.census(spool_mod.INCOMING)
    return {
        "spool_incoming": incoming, "spool_deferred": deferred,
        "engine_behind_s": round(behind, 1),
        "spool_free_bytes": _disk_free(spool.root),
        "store_free_bytes": _disk_free(settings.SPE_STORE_DIR if settings.SPE_STORE_DIR.exists() else settings.VAR_DIR),
    }


def publish(client, role: str, figures: dict) -> None:
    key = f"{PREFIX}{settings.SPE_NODE_NAME}:{role}:{socket.gethostname()}:{os.getpid()}"
    payload = {"node": settings.SPE_NODE_NAME, "role": role, "host": socket.gethostname(), "pid": os.getpid(),
               "ts": time.time(), "version": VERSION, **figures}
    client.set(key, json.dumps(payload), ex=TTL)


def read_all(client) -> list[dict]:
    rows = []
    for key in client.scan_iter(f"{PREFIX}*", count=500):
        raw = client.get(key)
        if raw:
            rows.append(json.loads(raw))
    return sorted(rows, key=lambda r: (r["node"], r["role"], r["pid"]))


def engine_health() -> dict:
    """Whether clamd answers, the spam model loads and html.parser is fixed: failures show on the node status."""
    from mailflow.av.clamd import ClamdScanner
    from mailflow.checks import resources
    from mailflow.spam.htmltext import stdlib_parser_is_linear

    health = {}
    try:
        ClamdScanner(socket_path=settings.SPE_CLAMD_SOCKET, timeout=2.0).ping()
        health["clamd"] = "ok"
    except Exception as exc:
        health["clamd"] = f"unreachable: {exc}"[:200]
    try:
        resources.spam_model()
        health["spam_model"] = "ok"
    except Exception as exc:
        health["spam_model"] = f"unusable: {exc}"[:200]
    health["html_parser"] = "ok" if stdlib_parser_is_linear() else "quadratic on unclosed tags (CVE-2025-6069)"
    return health


def start_worker_heartbeat(sender=None) -> threading.Thread:
    from mailflow import worker

    queues = [f"array.{settings.SPE_DEFAULT_ARRAY}"]
    try:
        queues = sorted(q.name for q in sender.app.amqp.queues.consume_from.values())
    except AttributeError:
        pass

    def loop() -> None:
        gw = worker.gateway()
        while True:
            try:
                figures = spool_figures(gw.spool)
                figures["queue_depth"] = sum(int(gw.redis.llen(q)) for q in queues)
                figures["queues"] = queues
                figures["log_backlog"] = msglog.backlog(gw.redis)
                figures["log_refused"] = msglog.refused_count(gw.redis)
                figures.update(engine_health())
                publish(gw.redis, "engine", figures)
            except Exception as exc:
                log.warning("heartbeat not published: %s", exc)
            time.sleep(INTERVAL)

    thread = threading.Thread(target=loop, name="heartbeat", daemon=True)
    thread.start()
    return thread
