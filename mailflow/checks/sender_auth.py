"""Sender authentication of inbound mail: SPF, DKIM, DMARC, ARC (docs/checks.md).

Runs ``mailflow.auth.verify`` through the node's resolver (settings
``SPE_DNS_NAMESERVERS``/``SPE_DNS_PORT``/``SPE_DNS_TIMEOUT``, or the system
resolver with short timeouts), exposes the results as facts for policy,
adds the auth symbols and an ``Authentication-Results`` header. DNS failures
are ``temperror`` results, never exceptions. Enforcing a DMARC policy is a
policy decision: this check only reports it.
"""

from __future__ import annotations

from django.conf import settings

from mailflow.auth import SYMBOLS, AuthResults, authentication_results_header, symbols, verify
from mailflow.checks import resources
from mailflow.checks.base import Check, SymbolSpec
from mailflow.engine.context import MessageContext

# Best DKIM result first: one verified signature is enough to say "pass".
_DKIM_ORDER = ("pass", "fail", "permerror", "temperror")


def dkim_summary(results: AuthResults) -> str:
    """``pass`` if any signature verified, else the worst failure, ``none`` without signatures."""
    seen = {sig.result for sig in results.dkim}
    return next((r for r in _DKIM_ORDER if r in seen), "none")


def auth_facts(results: AuthResults) -> dict:
    dmarc = results.dmarc
    # The effective policy for this message: after pct sampling when DMARC failed.
    effective = dmarc.disposition if dmarc.result == "fail" else dmarc.policy
    return {
        "spf": results.spf.result,
        "spf_domain": results.spf.domain,
        "dkim": dkim_summary(results),
        "dkim_domains": list(results.dkim_pass_domains),
        "dkim_aligned": dmarc.dkim_aligned,
        "spf_aligned": dmarc.spf_aligned,
        "dmarc": dmarc.result,
        "dmarc_policy": effective,
        "dmarc_published_policy": dmarc.policy,
        "dmarc_from_domain": dmarc.from_domain,
        "arc": results.arc.result,
    }


class SenderAuth(Check):
    name = "sender_auth"
    description = "SPF, DKIM, DMARC and ARC for inbound mail; adds Authentication-Results"
    symbols = tuple(SymbolSpec(s.name, s.score, s.description) for s in SYMBOLS.values())
    network = True
    time_budget = 15.0  # 3 s timeout x (SPF 1 + DKIM and ARC keys 2 + DMARC 2) with every server silent
    directions = frozenset({"inbound"})

    def run(self, ctx: MessageContext) -> None:
        env = ctx.envelope
        results = verify(ctx.raw, client_ip=env.client_ip, helo=env.helo, mail_from=env.mail_from,
                         resolver=resources.resolver(), timeout=resources.dns_timeout(),
                         from_fields=ctx.parsed.from_fields)
        ctx.facts.update(auth_facts(results))
        for name, points in symbols(results):
            ctx.add_symbol(name, points, SYMBOLS[name].description if name in SYMBOLS else "")
        ctx.add_headers.append(
            ("Authentication-Results", authentication_results_header(results, settings.SPE_HOSTNAME, fold=True)))
