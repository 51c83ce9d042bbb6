"""Following URL shorteners to the link they hide (URLCensor; docs/checks.md).

A link through a known shortener (bit.ly, tinyurl.com, ...) hides its
target from the blocklists. ``expand`` asks the shortener itself, one HEAD
request per hop, no body fetched, and follows a hop only while its host is a
known shortener: nothing else is ever contacted. Every request of a message
shares one deadline. Hosts are resolved with the platform's resolver, and an
address that is private, loopback, link-local or otherwise not public is
refused (no request into the provider's own network), unless
``SPE_URL_EXPAND_ALLOW_PRIVATE`` is set (tests on loopback). HTTPS is
verified against the system's CAs, or ``SPE_URL_EXPAND_CAFILE``. Answers
are cached per process and in Redis for every process and node: a day for a
redirect, ten minutes for a failure.
After ``PAUSE_AFTER`` failures in a row (egress blocked, shorteners down)
a process stops asking for ``PAUSE_SECONDS``, so a campaign of unique links
cannot make every message wait out the deadline.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import json
import socket
import ssl
import time
from functools import cache
from urllib.parse import urljoin, urlsplit

import dns.exception
from django.conf import settings

from mailflow.checks import resources
from mailflow.checks.dnsbl import ListingCache
from mailflow.spam.urls import is_shortener

MAX_HOPS = 4
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
FOUND_TTL = 86400.0
FAILED_TTL = 600.0
USER_AGENT = "SPE-URLCensor/1.0 (+link check; HEAD only)"
_FAILED = "!"  # a cached failure is stored as ("!", reason)

PAUSE_AFTER = 5
PAUSE_SECONDS = 60.0

CACHE = ListingCache(max_entries=20_000)
SHARED_PREFIX = "spe:urlx:"  # the same answers in Redis, for every worker process and node
_state = {"failures": 0, "paused_until": 0.0}


class ExpandError(Exception):
    """The shortener could not be asked, or did not answer in time."""


def expand(url: str, deadline: float) -> tuple[str, ...]:
    """Where ``url`` leads: each location it redirects to, in order (empty: no redirect).

    Raises ``ExpandError`` when a shortener on the way cannot be asked.
    """
    cached = CACHE.get(url)
    if cached is None:
        cached = _shared_get(url)
        if cached is not None:
            CACHE.put(url, cached, FAILED_TTL if cached[:1] == (_FAILED,) else FOUND_TTL)
    if cached is not None:
        if cached[:1] == (_FAILED,):
            raise ExpandError(cached[1])
        return cached
    if time.monotonic() < _state["paused_until"]:
        raise ExpandError(f"paused: the last {PAUSE_AFTER} shorteners asked all failed")
    try:
        chain = _follow(url, deadline)
    except ExpandError as exc:
        CACHE.put(url, (_FAILED, str(exc)), FAILED_TTL)
        _shared_put(url, (_FAILED, str(exc)), FAILED_TTL)
        _state["failures"] += 1
        if _state["failures"] >= PAUSE_AFTER:
            _state["failures"], _state["paused_until"] = 0, time.monotonic() + PAUSE_SECONDS
        raise
    _state["failures"] = 0
    CACHE.put(url, chain, FOUND_TTL)
    _shared_put(url, chain, FOUND_TTL)
    return chain


def _shared_key(url: str) -> str:
    return SHARED_PREFIX + hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _shared_get(url: str) -> tuple[str, ...] | None:
    """The answer another worker process or node found, from Redis; None when absent or Redis is away."""
    try:
        raw = _redis().get(_shared_key(url))
        return tuple(json.loads(raw)) if raw else None
    except Exception:  # the shared cache is an optimisation: without it, the shortener is asked
        return None


def _shared_put(url: str, answer: tuple[str, ...], ttl: float) -> None:
    try:
        _redis().set(_shared_key(url), json.dumps(list(answer)), ex=int(ttl))
    except Exception:  # noqa: S110 - as above; the per-process cache still holds the answer
        pass


def _redis():
    from tenants.cache import client

    return client()


def reset() -> None:
    """Forget cached answers, here and in Redis, and any pause (tests; after fixing egress)."""
    CACHE.clear()
    _state["failures"], _state["paused_until"] = 0, 0.0
    try:
        client = _redis()
        keys = list(client.scan_iter(f"{SHARED_PREFIX}*", count=1000))
        if keys:
            client.delete(*keys)
    except Exception:  # noqa: S110 - nothing shared to forget when Redis is away
        pass


def _follow(url: str, deadline: float) -> tuple[str, ...]:
    chain: list[str] = []
    if "://" not in url[:10]:
        url = "http://" + url  # "www.bit.ly/x" as written in a text body
    for _ in range(MAX_HOPS):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname or not is_shortener(parts.hostname):
            break
        location = _ask(parts, deadline)
        if not location:
            break
        url = urljoin(url, location.strip())[:2000]
        if url in chain:
            break  # a loop between shorteners
        chain.append(url)
    return tuple(chain)


def _ask(parts, deadline: float) -> str | None:
    """One HEAD request to the shortener; the Location of a redirect, or None."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise ExpandError("no time left for this message's links")
    host = parts.hostname
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise ExpandError(f"bad port in {parts.netloc!r}") from exc
    address = _address(host, remaining)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    conn = http.client.HTTPConnection(host, port, timeout=remaining)
    try:
        sock = socket.create_connection((address, port), timeout=max(0.05, deadline - time.monotonic()))
        if parts.scheme == "https":
            sock = _tls().wrap_socket(sock, server_hostname=host)
        conn.sock = sock  # connected to the address checked above, not to whatever ``host`` resolves to later
        conn.request("HEAD", target, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
        response = conn.getresponse()
        location = response.getheader("Location")
        return location if response.status in REDIRECT_STATUSES and location else None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise ExpandError(f"{host}: {type(exc).__name__}: {exc}"[:300]) from exc
    finally:
        conn.close()


def _address(host: str, timeout: float) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        try:
            answer = resources.resolver().resolve(host, "A", lifetime=timeout, search=False)
        except dns.exception.DNSException as exc:
            raise ExpandError(f"{host}: {type(exc).__name__}") from exc
        address = ipaddress.ip_address(answer[0].address)
    if not address.is_global and not getattr(settings, "SPE_URL_EXPAND_ALLOW_PRIVATE", False):
        raise ExpandError(f"{host}: refused, {address} is not a public address")
    return str(address)


@cache
def _tls_for(cafile: str) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=cafile or None)


def _tls() -> ssl.SSLContext:
    return _tls_for(getattr(settings, "SPE_URL_EXPAND_CAFILE", "") or "")
