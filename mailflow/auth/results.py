"""Typed results of sender authentication (SPF, DKIM, DMARC, ARC).

Result words follow RFC 8601's registry so they can be written into an
Authentication-Results header unchanged. See docs/sender-auth.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SPF_RESULTS = ("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror")
DKIM_RESULTS = ("pass", "fail", "none", "temperror", "permerror")
DMARC_RESULTS = ("pass", "fail", "none", "temperror", "permerror")
DMARC_POLICIES = ("none", "quarantine", "reject")
ARC_RESULTS = ("pass", "fail", "none")


@dataclass(frozen=True)
class SPFResult:
    """SPF (RFC 7208) verdict for the MAIL FROM identity (HELO when it is empty)."""

    result: str = "none"
    domain: str = ""
    identity: str = "mailfrom"  # "mailfrom" or "helo"
    mail_from: str = ""
    reason: str = ""


@dataclass(frozen=True)
class DKIMSignatureResult:
    """Verdict for one DKIM-Signature header (RFC 6376)."""

    result: str = "none"
    domain: str = ""
    selector: str = ""
    reason: str = ""
    b_prefix: str = ""  # first characters of b=, to tell signatures apart (RFC 6008)


@dataclass(frozen=True)
class DMARCResult:
    """DMARC (RFC 7489) evaluation for the RFC5322.From domain.

    ``policy`` is the policy the domain owner published for this From
    domain (``sp`` for subdomains when the record came from the
    organisational domain). ``disposition`` is what the receiver should
    do after ``pct`` sampling: ``none`` whenever the result is not fail.
    """

    result: str = "none"
    from_domain: str = ""
    policy: str = "none"
    disposition: str = "none"
    spf_aligned: bool = False
    dkim_aligned: bool = False
    pct: int = 100
    pct_applied: bool = True
    record_domain: str = ""
    reason: str = ""


@dataclass(frozen=True)
class ARCResult:
    """ARC (RFC 8617) chain validation result."""

    result: str = "none"
    instances: int = 0
    reason: str = ""


@dataclass(frozen=True)
class AuthResults:
    """Everything sender authentication found out about one message."""

    spf: SPFResult = field(default_factory=SPFResult)
    dkim: tuple[DKIMSignatureResult, ...] = ()
    dmarc: DMARCResult = field(default_factory=DMARCResult)
    arc: ARCResult = field(default_factory=ARCResult)

    @property
    def dkim_pass_domains(self) -> tuple[str, ...]:
        """Signing domains (d=) of the signatures that verified."""
        return tuple(sig.domain for sig in self.dkim if sig.result == "pass")
