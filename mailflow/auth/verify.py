"""Sender authentication of one inbound message: SPF, DKIM, ARC, then DMARC.

``verify`` never raises: malformed messages, DNS timeouts and garbage keys
become temperror/permerror results. See docs/sender-auth.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

import dns.resolver

from mailflow.auth.dkimcheck import LookupBudget, verify_arc, verify_dkim
from mailflow.auth.dmarc import aligned, evaluate_dmarc, from_domain_of, from_fields_of
from mailflow.auth.dnsclient import DEFAULT_CACHE, DNSCache, DNSClient
from mailflow.auth.results import ARCResult, AuthResults, DKIMSignatureResult, DMARCResult, SPFResult
from mailflow.auth.spfcheck import check_spf

logger = logging.getLogger(__name__)
KEY_LOOKUP_BUDGET = 2.0  # DNS timeouts that all DKIM and ARC key lookups of one message may take together
T = TypeVar("T")


def _guard(step: str, call: Callable[[], T], fallback: T) -> T:
    try:
        return call()
    except Exception:
        logger.exception("sender authentication step %s crashed", step)
        return fallback


def verify(
    raw: bytes,
    *,
    client_ip: str,
    helo: str,
    mail_from: str,
    resolver: dns.resolver.Resolver | DNSClient,
    timeout: float = 5.0,
    cache: DNSCache | None = DEFAULT_CACHE,
    from_fields: list[str] | None = None,
) -> AuthResults:
    """Authenticate ``raw`` as received from ``client_ip`` with ``helo`` and ``mail_from``.

    ``timeout`` bounds each DNS lookup and the whole SPF evaluation.
    Answers are cached in ``cache`` (per process, TTL-bounded); pass
    ``cache=None`` to always ask the resolver. ``from_fields``: the message's
    From fields as the caller's own compat32 parse read them (else parsed here).
    """
    client = resolver if isinstance(resolver, DNSClient) else DNSClient(resolver, cache=cache, timeout=timeout)
    raw = bytes(raw)
    spf = _guard(
        "spf",
        lambda: check_spf(client, client_ip=client_ip, helo=helo, mail_from=mail_from),
        SPFResult("temperror", reason="internal error"),
    )
    if from_fields is None:  # read once, for the DKIM preference and for DMARC
        from_fields = _guard("from", lambda: from_fields_of(raw), None)
    from_domain = _guard("from", lambda: from_domain_of(raw, from_fields)[0], "")
    # DKIM and ARC key lookups share KEY_LOOKUP_BUDGET timeouts; signatures of the From domain go first
    budget = LookupBudget(KEY_LOOKUP_BUDGET * client.timeout)
    dkim = _guard(
        "dkim",
        lambda: verify_dkim(raw, client, prefer=lambda domain: aligned(domain, from_domain, "r"), budget=budget),
        (DKIMSignatureResult("permerror", reason="internal error"),),
    )
    arc = _guard("arc", lambda: verify_arc(raw, client, budget=budget), ARCResult("fail", reason="internal error"))
    dmarc = _guard(
        "dmarc",
        lambda: evaluate_dmarc(raw, client, spf, dkim, from_fields=from_fields),
        DMARCResult("temperror", reason="internal error"),
    )
    return AuthResults(spf=spf, dkim=dkim, dmarc=dmarc, arc=arc)
