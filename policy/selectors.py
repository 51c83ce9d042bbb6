"""Reads of policy data for consoles, API and reports (docs/policy.md)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone
from django_tenants.utils import schema_context

from policy.models import Level, Rule
from tenants.models import Customer


@dataclass(frozen=True)
class SuspectRule:
    name: str
    level: str
    fired: int
    messages: int
    reason: str


def suspect_rules(customer: Customer, *, days: int = 30, nearly_all: float = 0.95, now=None) -> list[SuspectRule]:
    """Rules that never fired, or fired on nearly every message, in the ``days`` before ``now`` (message log)."""
    from mailflow.models import MessageLog

    now = now or timezone.now()
    with schema_context(customer.schema_name):
        rows = list(MessageLog.objects.filter(received__gte=now - timedelta(days=days), received__lte=now)
                    .values_list("rules", flat=True))
        own = list(Rule.objects.filter(enabled=True, level=Level.CUSTOMER).values_list("name", "level"))
    with schema_context("public"):
        provider = list(Rule.objects.filter(enabled=True).exclude(level=Level.CUSTOMER).values_list("name", "level"))
    fired = Counter(name for rules in rows for name in set(rules or []))
    total = len(rows)
    out = []
    for name, level in provider + own:
        count = fired.get(name, 0)
        if count == 0:
            out.append(SuspectRule(name, level, 0, total, "never fired"))
        elif total and count / total >= nearly_all:
            out.append(SuspectRule(name, level, count, total, f"fired on {count} of {total} messages"))
    return out
