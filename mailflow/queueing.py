"""Handing a spool entry to the engine: one Celery task carrying the spool id.

See docs/mailflow.md. The task goes to the queue of the customer's array.
Publishing retries briefly; if the broker stays unreachable the caller gets
an exception (the receiver then answers 4xx and removes the entry).

The receiver publishes one task per message, hundreds a second, and
Celery's ``send_task`` builds each through its app, its AMQP layer, a kombu
producer and the virtual channel: about 0.48 ms of CPU, a sixth of what the
receiver spends on a message. Every ``process_message`` task is the same
message apart from its ids and the spool id, so ``enqueue`` writes that
message itself (Celery's task protocol 2, as kombu's Redis transport
stores it) and pushes it onto the queue's list, as the transport does:
0.12 ms. ``tests/mailflow/test_queueing.py`` compares it, field by field,
with what ``send_task`` publishes, so a Celery or kombu upgrade that
changes the message fails a test rather than the mail path.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid

import redis
from django.db import connection

PROCESS_TASK = "mailflow.process_message"
RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}

_EMBED = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}
_client_lock = threading.Lock()
_client = None
_origin = ""
_reply_to = ""


def _broker():
    """One Redis client per process for the broker (thread-safe; its pool starts afresh after a fork)."""
    global _client, _origin, _reply_to
    if _client is None:
        with _client_lock:
            if _client is None:
                from celery.utils.nodenames import anon_nodename
                from django.conf import settings

                from spe.celery import app

                options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
                _origin = anon_nodename()
                _reply_to = app.thread_oid
                _client = redis.Redis.from_url(
                    settings.CELERY_BROKER_URL,
                    socket_connect_timeout=options.get("socket_connect_timeout"),
                    socket_timeout=options.get("socket_timeout"),
                )
    return _client


def task_message(spool_id: str, queue: str, schema_name: str = "public") -> bytes:
    """The Redis transport's stored form of a ``process_message`` task for ``spool_id`` on ``queue``."""
    task_id = str(uuid.uuid4())
    argsrepr = repr([spool_id])
    body = json.dumps([[spool_id], {}, _EMBED]).encode()
    return json.dumps({
        "body": base64.b64encode(body).decode(),
        "content-encoding": "utf-8",
        "content-type": "application/json",
        "headers": {
            "lang": "py", "task": PROCESS_TASK, "id": task_id, "shadow": None, "eta": None, "expires": None,
            "group": None, "group_index": None, "retries": 0, "timelimit": [None, None],
            "root_id": task_id, "parent_id": None, "argsrepr": argsrepr, "kwargsrepr": "{}",
            "origin": _origin, "ignore_result": False, "replaced_task_nesting": 0,
            "stamped_headers": None, "stamps": {}, "_schema_name": schema_name,
        },
        "properties": {
            "correlation_id": task_id, "reply_to": _reply_to, "argsrepr": argsrepr, "kwargsrepr": "{}",
            "delivery_mode": 2, "delivery_info": {"exchange": "", "routing_key": queue}, "priority": 0,
            "body_encoding": "base64", "delivery_tag": str(uuid.uuid4()),
        },
    }).encode()


def enqueue(spool_id: str, queue: str) -> None:
    """Queue ``process_message(spool_id)`` on ``queue``; raises when the broker stays unreachable."""
    client = _broker()
    message = task_message(spool_id, queue, getattr(connection, "schema_name", "public"))
    policy = RETRY_POLICY
    for attempt in range(policy["max_retries"] + 1):
        try:
            client.lpush(queue, message)
            return
        except (redis.ConnectionError, redis.TimeoutError):
            if attempt == policy["max_retries"]:
                raise
            time.sleep(min(policy["interval_start"] + attempt * policy["interval_step"], policy["interval_max"]))
