"""The Celery broker transport: kombu's Redis transport, with its clients reused.

kombu's Redis channel builds a new ``redis.Redis`` client object for every
publish, every acknowledgement and every unacked-message bookkeeping step
(``Channel.conn_or_acquire``). Building one fills two response-callback
tables of some eighty entries each, which cost about a tenth of a
millisecond per call on the mail path: a publish in the receiver, and two
or three calls per message in the engine. A ``redis.Redis`` client is
thread-safe and takes a connection from its pool per command, so one
client per channel and pool does the same work. Selected with
``CELERY_BROKER_TRANSPORT``; see docs/mailflow.md.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    _shared_client = None

    @contextmanager
    def conn_or_acquire(self, client=None) -> Iterator:
        if client:
            yield client
            return
        shared = self._shared_client
        if shared is None or shared.connection_pool is not self.pool:  # a new pool after a reconnect
            shared = self._shared_client = self._create_client()
        yield shared


class Transport(kombu_redis.Transport):
    Channel = Channel
