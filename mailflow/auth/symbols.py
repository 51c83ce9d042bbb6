"""Symbols and default scores for sender authentication results.

Scores are defaults; per-customer overrides live in policy data. Negative
scores make mail less likely to be held, positive ones more likely.
The table is documented in docs/sender-auth.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailflow.auth.results import AuthResults


@dataclass(frozen=True)
class Symbol:
    """A named fact with its default score and what it means."""

    name: str
    score: float
    description: str


SYMBOLS: dict[str, Symbol] = {}


def _register(name: str, score: float, description: str) -> None:
    if name in SYMBOLS:
        raise ValueError(f"duplicate symbol {name}")
    SYMBOLS[name] = Symbol(name, score, description)


for _name, _score, _text in (
    ("SPF_PASS", -0.5, "SPF authorises the client IP for the envelope sender domain"),
    ("SPF_FAIL", 1.5, "SPF says the client IP is not allowed to send for the domain (-all)"),
    ("SPF_SOFTFAIL", 0.5, "SPF says the client IP is probably not allowed (~all)"),
    ("SPF_NEUTRAL", 0.0, "SPF makes no assertion about the client IP (?all)"),
    ("SPF_NONE", 0.0, "The envelope sender domain publishes no SPF record"),
    ("SPF_TEMPERROR", 0.0, "SPF could not be checked because of a DNS failure"),
    ("SPF_PERMERROR", 0.5, "The SPF record is broken (syntax, too many lookups)"),
    ("DKIM_VALID", -0.5, "At least one DKIM signature verified"),
    ("DKIM_INVALID", 1.0, "A DKIM signature did not verify (altered message or wrong key)"),
    ("DKIM_TEMPERROR", 0.0, "A DKIM key could not be fetched because of a DNS failure"),
    ("DKIM_PERMERROR", 0.5, "A DKIM signature or its key record is malformed or missing"),
    ("DKIM_NONE", 0.0, "The message carries no DKIM signature"),
    ("DMARC_PASS", -1.0, "An identifier aligned with the From domain passed"),
    ("DMARC_POLICY_REJECT", 5.0, "DMARC failed and the domain asks receivers to reject"),
    ("DMARC_POLICY_QUARANTINE", 3.0, "DMARC failed and the domain asks receivers to quarantine"),
    ("DMARC_POLICY_NONE", 0.5, "DMARC failed; the domain only monitors (p=none or pct sampling)"),
    ("DMARC_NONE", 0.0, "The From domain publishes no DMARC policy"),
    ("DMARC_TEMPERROR", 0.0, "The DMARC policy could not be fetched because of a DNS failure"),
    ("DMARC_PERMERROR", 0.5, "DMARC could not be applied: no single From domain"),
    ("ARC_PASS", -0.5, "The ARC chain of intermediaries validated"),
    ("ARC_FAIL", 1.0, "The ARC chain is broken"),
    ("ARC_NONE", 0.0, "The message carries no ARC chain"),
):
    _register(_name, _score, _text)


def _dkim_names(results: AuthResults) -> list[str]:
    if not results.dkim:
        return ["DKIM_NONE"]
    by_result = {
        "pass": "DKIM_VALID",
        "fail": "DKIM_INVALID",
        "temperror": "DKIM_TEMPERROR",
        "permerror": "DKIM_PERMERROR",
    }
    seen = {sig.result for sig in results.dkim}
    return [name for result, name in by_result.items() if result in seen]


def _dmarc_name(results: AuthResults) -> str:
    dmarc = results.dmarc
    if dmarc.result == "fail":
        return f"DMARC_POLICY_{dmarc.disposition.upper()}"
    return {"pass": "DMARC_PASS", "temperror": "DMARC_TEMPERROR", "permerror": "DMARC_PERMERROR"}.get(
        dmarc.result, "DMARC_NONE"
    )


def symbols(results: AuthResults) -> list[tuple[str, float]]:
    """The symbols ``results`` raise, each with its default score."""
    names = [
        f"SPF_{results.spf.result.upper()}",
        *_dkim_names(results),
        _dmarc_name(results),
        f"ARC_{results.arc.result.upper()}",
    ]
    return [(name, SYMBOLS[name].score) for name in names if name in SYMBOLS]
