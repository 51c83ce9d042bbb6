"""Config-change notification: a version counter and a pub/sub channel in Redis.

Nodes keep compiled copies of provider-wide data (routing table, policy
snapshots) and reload when the version moves (docs/architecture.md).
Publishing is best-effort: a node also re-reads on a timer, so a Redis
outage delays a change by at most that interval and never blocks a write.
"""

from __future__ import annotations

import logging

import redis
from django.conf import settings

log = logging.getLogger(__name__)

VERSION_KEY = "spe:config:version"
CHANNEL = "spe:config:changed"

_client: redis.Redis | None = None


def client() -> redis.Redis:
    """A process-wide Redis client with short timeouts."""
    global _client
    if _client is None:
        _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    return _client


def publish_change() -> None:
    """Bump the config version and tell subscribed nodes."""
    try:
        version = client().incr(VERSION_KEY)
        client().publish(CHANNEL, version)
    except redis.RedisError as exc:
        log.warning("config change not published (nodes pick it up on their timer): %s", exc)


def current_version() -> int | None:
    """The config version, or None when Redis cannot be reached."""
    try:
        return int(client().get(VERSION_KEY) or 0)
    except redis.RedisError:
        return None
