"""DNS blocklists: the client IP against the zones of ``SPE_DNSBL_ZONES`` (docs/checks.md).

A zone entry is ``zone`` or ``zone:score`` (default score 3.0). Lookups go
through the node's resolver, run concurrently, and are bounded by one
deadline (``SPE_DNS_TIMEOUT``); answers (listed or not) are cached per
process for their TTL (``SPE_DNSBL_CACHE_TTL`` caps it, default 300 s). A
zone that does not answer in time counts as "not listed" and is named in
``dnsbl_errors``: a blocklist outage never holds mail up. ``127.255.255.x``
answers (the list refusing the query) are not listings. Private and
reserved client IPs are not looked up, except ``127.0.0.2``, the RFC 5782
test address every list carries.
"""

from __future__ import annotations

import ipaddress
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_futures

import dns.exception
import dns.resolver
from django.conf import settings

from mailflow.checks import resources
from mailflow.checks.base import Check, SymbolSpec
from mailflow.engine.context import MessageContext

DEFAULT_ZONE_SCORE = 3.0
RFC5782_TEST_IP = "127.0.0.2"
_POOL_LOCK = threading.Lock()
_POOL: tuple[int, ThreadPoolExecutor] | None = None


def parse_zones(entries: list[str], default: float = DEFAULT_ZONE_SCORE) -> list[tuple[str, float]]:
    """``["zen.example:4.5", "bl.example"]`` -> ``[("zen.example", 4.5), ("bl.example", 3.0)]``."""
    zones = []
    for entry in entries:
        zone, _, points = str(entry).strip().partition(":")
        if zone:
            zones.append((zone.strip(".").lower(), float(points) if points else default))
    return zones


def symbol_for(prefix: str, zone: str) -> str:
    """``RBL_ZEN_SPAMHAUS_ORG`` for ``zen.spamhaus.org``."""
    return prefix + re.sub(r"[^A-Z0-9]+", "_", zone.upper()).strip("_")


class ListingCache:
    """Per-process answers by (zone, query name): listed return codes or ``()``."""

    def __init__(self, max_entries: int = 20_000) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, tuple[str, ...]]] = {}
        self.max_entries = max_entries

    def get(self, name: str) -> tuple[str, ...] | None:
        with self._lock:
            entry = self._entries.get(name)
            if entry is None or entry[0] < time.monotonic():
                return None
            return entry[1]

    def put(self, name: str, codes: tuple[str, ...], ttl: float) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()  # crude but bounded; refills within one TTL
            self._entries[name] = (time.monotonic() + ttl, codes)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


CACHE = ListingCache()


def _pool() -> ThreadPoolExecutor:
    global _POOL
    import os

    with _POOL_LOCK:
        if _POOL is None or _POOL[0] != os.getpid():
            _POOL = (os.getpid(), ThreadPoolExecutor(8, thread_name_prefix="dnsbl"))
        return _POOL[1]


def lookup(name: str, timeout: float) -> tuple[str, ...]:
    """Listed return codes of ``name`` (A records in 127/8), ``()`` if not listed; raises on failure."""
    cached = CACHE.get(name)
    if cached is not None:
        return cached
    cap = float(getattr(settings, "SPE_DNSBL_CACHE_TTL", 300))
    try:
        answer = resources.resolver().resolve(name, "A", lifetime=timeout, search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        CACHE.put(name, (), cap)
        return ()
    codes = tuple(sorted(r.address for r in answer if r.address.startswith("127.")
                         and not r.address.startswith("127.255.255.")))
    CACHE.put(name, codes, min(cap, float(answer.rrset.ttl if answer.rrset is not None else cap)))
    return codes


def lookup_all(names: dict[str, str], timeout: float) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Look up ``{key: query name}`` concurrently within ``timeout``; (listed codes, keys that failed)."""
    futures = {key: _pool().submit(lookup, name, timeout) for key, name in names.items()}
    wait_futures(futures.values(), timeout=timeout + 0.2)
    listed: dict[str, tuple[str, ...]] = {}
    failed: list[str] = []
    for key, future in futures.items():
        if not future.done():
            future.cancel()
            failed.append(key)
            continue
        try:
            codes = future.result()
        except (dns.exception.DNSException, OSError):
            failed.append(key)
            continue
        if codes:
            listed[key] = codes
    return listed, failed


def reversed_ip(address: str) -> str | None:
    """The DNSBL query label of ``address`` (nibbles for IPv6), or None for an unusable one."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return None
    if not ip.is_global and str(ip) != RFC5782_TEST_IP:
        return None
    return ip.reverse_pointer.rsplit(".in-addr.arpa", 1)[0].rsplit(".ip6.arpa", 1)[0]


class Dnsbl(Check):
    name = "dnsbl"
    description = "Client IP against the configured DNS blocklists"
    symbols = (SymbolSpec("RBL_<ZONE>", DEFAULT_ZONE_SCORE, "The client IP is listed on this DNS blocklist"),)
    network = True
    time_budget = 5.0
    directions = frozenset({"inbound"})

    def run(self, ctx: MessageContext) -> None:
        ctx.facts["dnsbl"] = []
        zones = parse_zones(list(getattr(settings, "SPE_DNSBL_ZONES", []) or []))
        label = reversed_ip(ctx.envelope.client_ip)
        if not zones or label is None:
            return
        listed, failed = lookup_all({zone: f"{label}.{zone}" for zone, _ in zones}, resources.dns_timeout())
        for zone, points in zones:
            if zone in listed:
                ctx.facts["dnsbl"].append(zone)
                ctx.add_symbol(symbol_for("RBL_", zone), points, f"{ctx.envelope.client_ip}: {','.join(listed[zone])}")
        if failed:
            ctx.facts["dnsbl_errors"] = failed
