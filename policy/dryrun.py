"""Evaluate a message against a customer's policy without sending anything (docs/policy.md).

Used by ``manage.py policy_test`` and, later, the consoles and the API: every
check's facts and symbols, each rule with whether it fired (and why not),
the actions taken and the resulting disposition.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from mailflow import spool as spool_mod
from mailflow.engine import pipeline
from mailflow.engine.context import MessageContext
from policy import engine
from tenants.models import Customer


@dataclass
class RuleTrace:
    name: str
    level: str
    fired: bool
    conditions: list[tuple[str, bool]] = field(default_factory=list)
    broken: str = ""


@dataclass
class DryRunReport:
    disposition: str
    reason: str
    category: str
    score: float
    symbols: list[tuple[str, float, str]]
    facts: dict[str, Any]
    rules: list[RuleTrace]
    actions: list[str]
    headers_added: list[tuple[str, str]]
    check_errors: dict[str, str]


def dry_run(customer: Customer, raw: bytes, *, direction: str = "inbound", sender: str = "",
            recipients: list[str] | None = None, client_ip: str = "192.0.2.1") -> DryRunReport:
    from mailflow.worker import gateway

    table = gateway().routing.get()
    envelope = spool_mod.Envelope(mail_from=sender, recipients=recipients or [f"postmaster@{customer.slug}"],
                                  customer=customer.slug, direction=direction, client_ip=client_ip,
                                  received_at=time.time())
    ctx = MessageContext("dryrun", envelope, raw, table.customer(customer.slug), table)
    explain: list = []
    disposition = pipeline.process(ctx, decide=lambda c: engine.decide(c, explain=explain), prepare=engine.prepare)
    traces = []
    env = engine.policy_for(ctx).env() if ctx.customer else None
    for rule, fired in explain:
        results = [(t, cond.evaluate(ctx, compiled, env) != negate) for cond, compiled, negate, t in rule.conditions]
        traces.append(RuleTrace(rule.name, rule.level, fired, results, rule.broken))
    return DryRunReport(
        disposition=disposition.kind, reason=disposition.reason, category=disposition.category, score=ctx.score,
        symbols=[(s.name, s.score, s.detail) for s in ctx.symbols],
        facts={k: v for k, v in ctx.facts.items()
               if not k.startswith("_") and k not in ("groups", "customer_footer_text", "customer_footer_html")},
        rules=traces, actions=list(ctx.actions_taken), headers_added=list(ctx.add_headers),
        check_errors=dict(ctx.check_errors),
    )
