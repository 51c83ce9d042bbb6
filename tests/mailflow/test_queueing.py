"""Enqueueing a message for the engine: the task message written by hand is the one Celery would send."""

from __future__ import annotations

import json

import pytest
import redis
from django.conf import settings
from django_tenants.utils import schema_context
from kombu import Connection

from mailflow.queueing import PROCESS_TASK, enqueue
from spe.celery import app

QUEUE = "spe-test-queueing"
_IDS = {("headers", "id"), ("headers", "root_id"), ("properties", "correlation_id"), ("properties", "delivery_tag")}


@pytest.fixture
def broker():
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete(QUEUE)
    yield client
    client.delete(QUEUE)


def _pop(client) -> dict:
    raw = client.rpop(QUEUE)  # the worker's end of the list (kombu pushes left, pops right)
    assert raw is not None, "nothing was queued"
    return json.loads(raw)


def _without_ids(message: dict) -> dict:
    for section, key in _IDS:
        message[section].pop(key)
    return message


def _sent_by_celery(client, spool_id: str) -> dict:
    app.send_task(PROCESS_TASK, args=[spool_id], queue=QUEUE, argsrepr=repr([spool_id]), kwargsrepr="{}")
    return _pop(client)


def test_the_task_message_is_the_one_celery_sends(broker):
    enqueue("20261202-abc", QUEUE)
    ours = _pop(broker)
    celerys = _sent_by_celery(broker, "20261202-abc")
    assert ours["headers"]["root_id"] == ours["headers"]["id"] == ours["properties"]["correlation_id"]
    assert ours["headers"]["id"] != celerys["headers"]["id"]
    assert _without_ids(ours) == _without_ids(celerys)


def test_a_task_queued_in_a_customer_schema_carries_it_as_celery_would(broker):
    with schema_context("c_acme"):  # a quarantine release queues from inside the customer's schema
        enqueue("20261202-def", QUEUE)
        ours = _pop(broker)
        celerys = _sent_by_celery(broker, "20261202-def")
    assert ours["headers"]["_schema_name"] == "c_acme"
    assert _without_ids(ours) == _without_ids(celerys)


def test_the_queued_task_reads_back_through_the_broker_transport(broker):
    enqueue("20261202-ghi", QUEUE)
    with Connection(settings.CELERY_BROKER_URL, transport=settings.CELERY_BROKER_TRANSPORT) as conn:
        queue = conn.SimpleQueue(QUEUE)
        message = queue.get(timeout=5)
        assert message.headers["task"] == PROCESS_TASK
        args, kwargs, _embed = message.decode()
        assert (args, kwargs) == (["20261202-ghi"], {})
        message.ack()
        queue.close()


def test_an_unreachable_broker_raises_after_the_retries(monkeypatch):
    from mailflow import queueing

    dead = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)  # nothing listens on port 1
    monkeypatch.setattr(queueing, "_client", dead)
    monkeypatch.setitem(queueing.RETRY_POLICY, "interval_step", 0.01)
    with pytest.raises(redis.ConnectionError):
        enqueue("20261202-jkl", QUEUE)
