"""DNS lookups for sender authentication through a given resolver, with a cache.

Every SPF, DKIM, DMARC and ARC lookup goes through ``DNSClient`` so the
gateway's configured resolver (nameservers and port are settings) is the
only way out. Answers are cached per process in a bounded LRU that
respects record TTLs (RFC 2308 SOA TTL for negative answers) and never
caches failures. See docs/sender-auth.md.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver

CacheKey = tuple[Any, ...]


@dataclass(frozen=True)
class DNSAnswer:
    """One lookup's outcome: ``ok``, ``nxdomain``, ``nodata`` or ``error``."""

    status: str
    records: tuple[Any, ...] = ()
    error: str = ""

    @property
    def failed(self) -> bool:
        """True for a temporary failure (timeout, SERVFAIL, no server)."""
        return self.status == "error"

    def txt(self) -> list[bytes]:
        """The TXT records, each with its character strings joined."""
        return [b"".join(rdata.strings) for rdata in self.records if hasattr(rdata, "strings")]


class DNSCache:
    """Thread-safe, size-bounded, TTL-respecting answer cache."""

    def __init__(
        self, max_entries: int = 10_000, max_ttl: float = 300.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.max_entries = max_entries
        self.max_ttl = max_ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[CacheKey, tuple[float, Any]] = OrderedDict()

    def get(self, key: CacheKey) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= self._clock():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: CacheKey, answer: DNSAnswer, ttl: float) -> None:
        if not answer.failed:
            self.put_value(key, answer, ttl)

    def put_value(self, key: CacheKey, value: Any, ttl: float) -> None:
        """Keep any value derived from cached answers (an SPF verdict) under the same bounds."""
        ttl = min(ttl, self.max_ttl)
        if ttl <= 0:
            return
        with self._lock:
            self._entries[key] = (self._clock() + ttl, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


DEFAULT_CACHE = DNSCache()


def _negative_ttl(response: Any) -> float:
    for rrset in getattr(response, "authority", ()) if response is not None else ():
        if rrset.rdtype == dns.rdatatype.SOA and len(rrset):
            return float(min(rrset.ttl, rrset[0].minimum))
    return 0.0


class DNSClient:
    """Resolve names through one dnspython ``Resolver`` and a shared cache."""

    def __init__(
        self, resolver: dns.resolver.Resolver, *, cache: DNSCache | None = DEFAULT_CACHE, timeout: float = 5.0
    ) -> None:
        self.resolver = resolver
        self.cache = cache
        self.timeout = timeout
        self.server_key = (tuple(str(ns) for ns in resolver.nameservers), getattr(resolver, "port", 53))

    def query(self, name: str, rtype: str, *, lifetime: float | None = None) -> DNSAnswer:
        """Look ``name``/``rtype`` up; never raises.

        ``lifetime`` of 0 or less (a spent time budget) answers from the
        cache only: a miss is a temporary failure, with no query sent.
        """
        key = (*self.server_key, str(name).rstrip(".").lower(), rtype.upper())
        if self.cache is not None:
            cached = self.cache.get(key)
            if cached is not None:
                return cached
        if lifetime is not None and lifetime <= 0:
            return DNSAnswer("error", error="no time left for lookups")
        answer, ttl = self._resolve(str(name), rtype.upper(), lifetime or self.timeout)
        if self.cache is not None:
            self.cache.put(key, answer, ttl)
        return answer

    def _resolve(self, name: str, rtype: str, lifetime: float) -> tuple[DNSAnswer, float]:
        try:
            qname = dns.name.from_text(name)
        except (dns.exception.DNSException, ValueError) as error:
            return DNSAnswer("nxdomain", error=f"invalid name: {error}"), 0.0  # such a name cannot exist
        try:
            result = self.resolver.resolve(qname, rtype, lifetime=lifetime, search=False, raise_on_no_answer=False)
        except dns.resolver.NXDOMAIN as error:
            responses = list(error.responses().values())
            return DNSAnswer("nxdomain"), _negative_ttl(responses[0] if responses else None)
        except dns.exception.DNSException as error:
            return DNSAnswer("error", error=f"{type(error).__name__}: {error}"), 0.0
        if result.rrset is None:
            return DNSAnswer("nodata"), _negative_ttl(result.response)
        return DNSAnswer("ok", tuple(result.rrset)), float(result.rrset.ttl)

    def txt(self, name: str) -> DNSAnswer:
        """Shortcut for a TXT lookup."""
        return self.query(name, "TXT")
