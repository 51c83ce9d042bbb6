"""Heuristic content rules (SpamAssassin-style), registered on import.

Every module listed in ``RULE_MODULES`` is imported here; each declares its
rules with ``@rule``.  ``RULES`` maps symbol name to ``Rule``.  See
docs/spam.md.
"""

from __future__ import annotations

import importlib

from mailflow.spam.heuristics.base import RULES, Hit, Rule, evaluate, register, rule

RULE_MODULES = (
    "html_rules",
    "url_rules",
    "phish_rules",
    "text_rules",
    "header_rules",
    "scam_rules",
    "recipient_rules",
)

for _name in RULE_MODULES:
    importlib.import_module(f"{__name__}.{_name}")

__all__ = ["RULES", "RULE_MODULES", "Hit", "Rule", "evaluate", "register", "rule"]
