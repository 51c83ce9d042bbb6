"""The broker transport: kombu's Redis transport with its client objects reused."""

from __future__ import annotations

import pytest
from django.conf import settings
from kombu import Connection

from mailflow.broker import Channel


@pytest.fixture
def connection():
    conn = Connection(settings.CELERY_BROKER_URL, transport=settings.CELERY_BROKER_TRANSPORT)
    yield conn
    conn.release()


def test_the_platform_uses_the_reusing_transport(connection):
    assert isinstance(connection.default_channel, Channel)


def test_messages_published_and_acknowledged_build_one_redis_client(connection, monkeypatch):
    channel = connection.default_channel
    built = []
    original = channel._create_client
    monkeypatch.setattr(channel, "_create_client", lambda *a, **kw: built.append(1) or original(*a, **kw))
    queue = connection.SimpleQueue("spe-test-broker", channel=channel)
    queue.clear()
    for n in range(5):
        queue.put({"n": n})
    received = []
    for _ in range(5):
        message = queue.get(timeout=5)
        received.append(message.payload["n"])
        message.ack()
    assert received == [0, 1, 2, 3, 4]
    assert len(built) == 1  # kombu itself would build one per publish and per acknowledgement
    queue.close()


def test_a_new_connection_pool_gets_a_new_client(connection):
    channel = connection.default_channel
    with channel.conn_or_acquire() as first:
        pass
    channel._pool = None  # what a reconnect does: the next use builds a new pool
    with channel.conn_or_acquire() as second:
        second.ping()
    assert second is not first
    assert second.connection_pool is channel.pool
