"""Per-client-IP connection and message-rate limits for the receiver.

In-process counters (each receiver process enforces its own share), cheap
enough to consult on every connection and every MAIL command. See
docs/mailflow.md.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque


class ConnectionLimiter:
    """Counts concurrent connections per client IP."""

    def __init__(self, per_ip: int, total: int) -> None:
        self.per_ip = per_ip
        self.total = total
        self._by_ip: dict[str, int] = defaultdict(int)
        self.active = 0

    def acquire(self, ip: str) -> bool:
        if self.active >= self.total or self._by_ip[ip] >= self.per_ip:
            return False
        self._by_ip[ip] += 1
        self.active += 1
        return True

    def release(self, ip: str) -> None:
        self.active -= 1
        self._by_ip[ip] -= 1
        if self._by_ip[ip] <= 0:
            del self._by_ip[ip]


class RateLimiter:
    """At most ``limit`` events per client IP in any ``window`` seconds."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, ip: str, now: float | None = None) -> bool:
        if self.limit <= 0:
            return True
        now = time.monotonic() if now is None else now
        events = self._events[ip]
        while events and now - events[0] >= self.window:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True
