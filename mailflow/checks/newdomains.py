"""Newly seen domains: link and sender domains this platform has never met before (docs/checks.md).

Phishing runs on domains registered for the campaign and thrown away days
later; a provider's gateways see most of the legitimate domains its
customers correspond with again and again. Every registrable domain of a
message's links and of its From address is recorded the first time any
customer receives it (one Redis hash for the whole platform, one round trip
per message). A domain first seen within ``SPE_NEW_DOMAIN_WINDOW_HOURS``
(48) counts as newly seen, but only once the memory is older than
``SPE_NEW_DOMAIN_WARMUP_DAYS`` (14): on a new installation every domain is
new. Entries not seen again for ``SPE_NEW_DOMAIN_FORGET_DAYS`` (180) are
pruned by beat, so the hash stays bounded; such a domain counts as new once
more when it comes back. The customer's own domains are never counted.

A domain's first-seen time never changes once recorded, so each worker
process also keeps the answers it got for ``LOCAL_TTL`` seconds (and the
memory's start): mail from and to the domains a provider meets every day
costs no round trip, and only domains this process has not asked about in
the last hour go to Redis (where their "last seen" is refreshed as before).
"""

from __future__ import annotations

import logging
import time

from django.conf import settings

from mailflow.auth.dmarc import org_domain
from mailflow.checks.base import Check, SymbolSpec
from mailflow.engine.context import MessageContext

log = logging.getLogger(__name__)

FIRST_SEEN = "spe:domains:first"  # domain -> "first-seen last-seen" (epoch seconds)
SINCE = "spe:domains:since"  # when the memory began
MAX_DOMAINS = 20  # per message
LOCAL_TTL = 3600.0  # seconds a process trusts a first-seen time it was told
LOCAL_MAX = 100_000  # domains a process remembers; past that it starts afresh

_local: dict[str, tuple[float, float]] = {}  # domain -> (first seen, when Redis said so)
_local_since: list[float] = []  # [memory start, when Redis said so], once known


def forget_local() -> None:
    """Drop what this process remembers (tests that change the Redis memory behind its back)."""
    _local.clear()
    _local_since.clear()


def _client():
    from tenants.cache import client

    return client()


def _window() -> float:
    return float(getattr(settings, "SPE_NEW_DOMAIN_WINDOW_HOURS", 48)) * 3600


def _warm(since: float, now: float) -> bool:
    return now - since >= float(getattr(settings, "SPE_NEW_DOMAIN_WARMUP_DAYS", 14)) * 86400


def record_and_age(domains: list[str], now: float | None = None) -> tuple[dict[str, float], float]:
    """Record ``domains`` as seen now; return each one's first-seen time and when the memory began."""
    now = time.time() if now is None else now
    first = {d: _local[d][0] for d in domains if d in _local and now - _local[d][1] < LOCAL_TTL}
    missing = [d for d in domains if d not in first]
    if not missing and _local_since and now - _local_since[1] < LOCAL_TTL:
        return first, _local_since[0]
    first_seen, since = _ask_redis(missing, now)
    first.update(first_seen)
    if len(_local) + len(first_seen) > LOCAL_MAX:
        _local.clear()
    _local.update((d, (t, now)) for d, t in first_seen.items())
    _local_since[:] = [since, now]
    return first, since


def _ask_redis(domains: list[str], now: float) -> tuple[dict[str, float], float]:
    """One round trip: record ``domains`` (first time only), read their first-seen times and the memory's start."""
    stamp = f"{now:.0f} {now:.0f}"
    pipe = _client().pipeline(transaction=False)
    pipe.set(SINCE, f"{now:.0f}", nx=True)
    pipe.get(SINCE)
    for domain in domains:
        pipe.hsetnx(FIRST_SEEN, domain, stamp)
    if domains:
        pipe.hmget(FIRST_SEEN, domains)
    replies = pipe.execute()
    since = float(replies[1] or now)
    first: dict[str, float] = {}
    stale: list[str] = []
    for domain, value in zip(domains, replies[-1] if domains else (), strict=True):
        parts = (value or stamp.encode()).split()
        first[domain] = float(parts[0])
        if float(parts[-1]) < now - 86400:  # "last seen" is refreshed at most daily, for the pruning
            stale.append(domain)
    if stale:
        pipe = _client().pipeline(transaction=False)
        for domain in stale:
            pipe.hset(FIRST_SEEN, domain, f"{first[domain]:.0f} {now:.0f}")
        pipe.execute()
    return first, since


def prune(now: float | None = None, batch: int = 1000) -> int:
    """Forget domains not seen for ``SPE_NEW_DOMAIN_FORGET_DAYS``; returns how many were dropped."""
    now = time.time() if now is None else now
    horizon = now - float(getattr(settings, "SPE_NEW_DOMAIN_FORGET_DAYS", 180)) * 86400
    client, dropped, cursor = _client(), 0, 0
    while True:
        cursor, entries = client.hscan(FIRST_SEEN, cursor, count=batch)
        stale = [d for d, v in entries.items() if float((v.split() or [b"0"])[-1]) < horizon]
        if stale:
            dropped += client.hdel(FIRST_SEEN, *stale)
        if cursor == 0:
            return dropped


class NewDomains(Check):
    name = "new_domains"
    description = "Link and sender domains this platform first met within the last hours"
    symbols = (
        SymbolSpec("URL_NEW_DOMAIN", 1.0, "A link goes to a domain first seen on this platform in the last hours"),
        SymbolSpec("FROM_NEW_DOMAIN", 1.0, "The sender's domain was first seen on this platform in the last hours"),
    )
    directions = frozenset({"inbound"})
    network = True  # the platform's Redis, whose first-seen record it also writes

    def run(self, ctx: MessageContext) -> None:
        ctx.facts["new_domains"] = []
        if not getattr(settings, "SPE_NEW_DOMAINS", True):
            return
        own = {org_domain(d) for d in ctx.routing.domains_of(ctx.envelope.customer)} if ctx.routing else set()
        urls = ctx.facts.get("urls") or ()
        links = {org_domain(u["host"]) for u in urls if u.get("host") and not u.get("ip_literal")}
        sender_address = ctx.parsed.from_ or ctx.envelope.mail_from
        sender = org_domain(sender_address.rpartition("@")[2]) if "@" in sender_address else ""
        wanted = sorted(({sender} | links) - own - {""})[:MAX_DOMAINS]
        if not wanted:
            return
        now = time.time()
        try:
            first, since = record_and_age(wanted, now)
        except Exception as exc:  # a Redis outage must not stop mail; the fact says why nothing was judged
            ctx.facts["new_domains_error"] = f"{type(exc).__name__}: {exc}"[:200]
            return
        if not _warm(since, now):
            return
        new = sorted(d for d in wanted if now - first[d] <= _window())
        ctx.facts["new_domains"] = new
        new_links = [d for d in new if d in links]
        if new_links:
            self.hit(ctx, "URL_NEW_DOMAIN", ", ".join(new_links)[:200])
        if sender in new:
            self.hit(ctx, "FROM_NEW_DOMAIN", sender)
