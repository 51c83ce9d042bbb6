"""SPF (RFC 7208) evaluation with pyspf, resolving through a given ``DNSClient``.

pyspf looks names up through its module-level ``spf.DNSLookup`` function
and offers no per-query hook. This module installs, once, a replacement
that reads the client of the *current* evaluation from a ``ContextVar``:
each thread (and each asyncio task) sees only its own client, so parallel
checks with different resolvers never mix. When no client is set (pyspf
used elsewhere in the process) the original pyspf lookup runs unchanged.

A verdict depends only on the client address, the sender, the HELO name and
the DNS answers, which the client caches anyway; so verdicts other than
temperror are kept in the client's cache too, for ``RESULT_TTL`` seconds,
and a sender's stream of mail from one address is evaluated once a minute,
not once a message. See docs/sender-auth.md.
"""

from __future__ import annotations

import contextvars
import threading
from typing import Any

import spf

from mailflow.auth.dnsclient import DNSClient
from mailflow.auth.results import SPFResult

RESULT_TTL = 60.0

_current_client: contextvars.ContextVar[DNSClient | None] = contextvars.ContextVar("spf_dns_client", default=None)
_original_lookup = spf.DNSLookup
_install_lock = threading.Lock()


def _as_pyspf(name: str, qtype: str, rdata: Any) -> tuple[tuple[str, str], Any]:
    if qtype in ("A", "AAAA"):
        return (name, qtype), rdata.address
    if qtype == "MX":
        return (name, qtype), (rdata.preference, rdata.exchange)
    if qtype == "PTR":
        return (name, qtype), rdata.target.to_text(True)
    return (name, qtype), list(rdata.strings)


def _lookup(name: str, qtype: str, strict: Any = True, timeout: float = 30) -> list[tuple[tuple[str, str], Any]]:
    client = _current_client.get()
    if client is None:
        return _original_lookup(name, qtype, strict, timeout)
    answer = client.query(name, qtype, lifetime=min(float(timeout), client.timeout) or client.timeout)
    if answer.failed:
        raise spf.TempError(f"DNS {answer.error}")
    return [_as_pyspf(name, qtype, rdata) for rdata in answer.records]


def install_dns_hook() -> None:
    """Route pyspf's lookups through the per-context client (idempotent)."""
    with _install_lock:
        if spf.DNSLookup is not _lookup:
            spf.DNSLookup = _lookup


def _domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().rstrip(".").lower()


def check_spf(client: DNSClient, *, client_ip: str, helo: str, mail_from: str) -> SPFResult:
    """Evaluate SPF for the MAIL FROM (or, for a null sender, the HELO) identity."""
    key = ("spf-verdict", *client.server_key, client_ip, mail_from or "", (helo or "").lower())
    cached = client.cache.get(key) if client.cache is not None else None
    if cached is not None:
        return cached
    result = _evaluate(client, client_ip=client_ip, helo=helo, mail_from=mail_from)
    if client.cache is not None and result.result != "temperror":
        client.cache.put_value(key, result, RESULT_TTL)
    return result


def _evaluate(client: DNSClient, *, client_ip: str, helo: str, mail_from: str) -> SPFResult:
    install_dns_hook()
    mail_from = (mail_from or "").strip().strip("<>")
    identity = "mailfrom" if mail_from else "helo"
    domain = _domain_of(mail_from) if mail_from else (helo or "").strip().rstrip(".").lower()
    token = _current_client.set(client)
    try:
        query = spf.query(i=client_ip, s=mail_from, h=helo or "", timeout=client.timeout, querytime=client.timeout)
        result, _code, explanation = query.check()
    except Exception as error:  # pyspf raises on malformed input (bad IP, odd names)
        return SPFResult("permerror", domain, identity, mail_from, f"{type(error).__name__}: {error}")
    finally:
        _current_client.reset(token)
    result = (
        result if result in ("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror") else "permerror"
    )
    return SPFResult(result, domain, identity, mail_from, str(explanation or ""))
