"""DMARC (RFC 7489) policy discovery, identifier alignment and disposition.

The organisational domain comes from the Public Suffix List snapshot that
ships inside the ``publicsuffixlist`` package; nothing is fetched at run
time. Policy records are looked up through the given ``DNSClient``. See
docs/sender-auth.md for the rules implemented and their limits.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from email.parser import BytesParser
from email.utils import getaddresses
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

from mailflow.auth.dkimcheck import header_block
from mailflow.auth.dnsclient import DNSClient
from mailflow.auth.results import DKIMSignatureResult, DMARCResult, SPFResult
from mailflow.mime.policies import COMPAT32

POLICIES = ("none", "quarantine", "reject")
DOWNGRADE = {"reject": "quarantine", "quarantine": "none", "none": "none"}

_psl: PublicSuffixList | None = None
_psl_lock = threading.Lock()


@lru_cache(maxsize=65_536)  # the public-suffix walk is costly and domains repeat
def org_domain(domain: str) -> str:
    """The organisational domain (public suffix plus one label) of ``domain``."""
    global _psl
    domain = domain.strip().rstrip(".").lower()
    with _psl_lock:
        if _psl is None:
            _psl = PublicSuffixList()
    return _psl.privatesuffix(domain) or domain


def aligned(identifier: str, from_domain: str, mode: str) -> bool:
    """Relaxed (``r``) or strict (``s``) identifier alignment."""
    identifier = identifier.strip().rstrip(".").lower()
    if not identifier or not from_domain:
        return False
    if mode == "s":
        return identifier == from_domain
    return org_domain(identifier) == org_domain(from_domain)


@dataclass(frozen=True)
class DMARCRecord:
    """The tags of one DMARC policy record that evaluation uses."""

    p: str
    sp: str
    adkim: str = "r"
    aspf: str = "r"
    pct: int = 100


def parse_record(text: bytes | str) -> DMARCRecord | None:
    """Parse a ``v=DMARC1`` record; None when it must be ignored (RFC 7489 6.6.3)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    tags: dict[str, str] = {}
    for part in text.split(";"):
        key, sep, value = part.partition("=")
        if sep and key.strip():
            tags.setdefault(key.strip().lower(), value.strip())
    if next(iter(tags), None) != "v" or tags["v"] != "DMARC1":
        return None
    p, sp = tags.get("p", "").lower(), tags.get("sp", "").lower()
    if p not in POLICIES or (sp and sp not in POLICIES):
        if "mailto:" not in tags.get("rua", "").lower():
            return None
        p, sp = "none", ""
    try:
        pct = min(100, max(0, int(tags.get("pct", "100"))))
    except ValueError:
        pct = 100
    modes = {k: tags.get(k, "r").lower() if tags.get(k, "r").lower() in ("r", "s") else "r" for k in ("adkim", "aspf")}
    return DMARCRecord(p=p, sp=sp or p, pct=pct, **modes)


def from_fields_of(raw: bytes) -> list[str]:
    """Every From field of ``raw`` as written (compat32), read from the header section alone."""
    headers = BytesParser(policy=COMPAT32).parsebytes(header_block(raw) + b"\r\n\r\n", headersonly=True)
    return [str(v) for v in headers.get_all("From") or []]


def from_domain_of(raw: bytes, from_fields: list[str] | None = None) -> tuple[str, str]:
    """The single RFC5322.From domain, or ("", reason) when there is none.

    ``from_fields``: the From fields when the caller has parsed the message
    already (the engine's parse reads them the same way), sparing a second parse.
    """
    values = from_fields_of(raw) if from_fields is None else from_fields
    if len(values) != 1:
        return "", f"{len(values)} From header fields"
    domains = {addr.rpartition("@")[2].strip().rstrip(".>").lower() for _, addr in getaddresses(values) if "@" in addr}
    if len(domains) != 1:
        return "", "From has no single author domain"
    return domains.pop(), ""


def _records_at(client: DNSClient, domain: str) -> tuple[list[bytes] | None, str]:
    answer = client.txt(f"_dmarc.{domain}")
    if answer.failed:
        return None, answer.error
    return [t for t in answer.txt() if t.strip().lower().startswith(b"v=dmarc1")], ""


def discover_policy(client: DNSClient, from_domain: str) -> tuple[DMARCRecord | None, str, str]:
    """Find the policy record: (record, domain it was found at, temperror text)."""
    candidates = [from_domain]
    if org_domain(from_domain) != from_domain:
        candidates.append(org_domain(from_domain))
    for domain in candidates:
        records, error = _records_at(client, domain)
        if records is None:
            return None, domain, error
        if records:
            record = parse_record(records[0]) if len(records) == 1 else None
            return record, domain, ""
    return None, "", ""


def evaluate_dmarc(
    raw: bytes,
    client: DNSClient,
    spf: SPFResult,
    dkim: tuple[DKIMSignatureResult, ...],
    *,
    sample: Callable[[], float] = random.random,
    from_fields: list[str] | None = None,
) -> DMARCResult:
    """Evaluate DMARC given the SPF and DKIM results of the same message."""
    from_domain, problem = from_domain_of(raw, from_fields)
    if not from_domain:
        return DMARCResult("permerror", reason=problem)
    record, record_domain, error = discover_policy(client, from_domain)
    if error:
        return DMARCResult("temperror", from_domain=from_domain, record_domain=record_domain, reason=error)
    if record is None:
        return DMARCResult("none", from_domain=from_domain, reason="no usable DMARC record")
    policy = record.sp if record_domain != from_domain else record.p
    spf_ok = spf.result == "pass" and aligned(spf.domain, from_domain, record.aspf)
    dkim_ok = any(sig.result == "pass" and aligned(sig.domain, from_domain, record.adkim) for sig in dkim)
    result = "pass" if spf_ok or dkim_ok else "fail"
    applied = result == "pass" or record.pct >= 100 or sample() * 100 < record.pct
    disposition = "none" if result == "pass" else policy if applied else DOWNGRADE[policy]
    return DMARCResult(
        result=result,
        from_domain=from_domain,
        policy=policy,
        disposition=disposition,
        spf_aligned=spf_ok,
        dkim_aligned=dkim_ok,
        pct=record.pct,
        pct_applied=applied,
        record_domain=record_domain,
        reason="aligned identifier passed" if result == "pass" else "no aligned identifier passed",
    )
