"""Spam content score: classifier plus heuristic rules (docs/checks.md, docs/spam.md).

Builds the spam layers' ``MessageView`` from the engine's single parse (no
second parse) and adds every symbol ``mailflow.spam.score`` returns. Mail
from an allow-listed sender is not scored. A damaged model file never stops
mail: the rules still run, the check's error is recorded on the message and
an error line is logged on every message until the file is repaired.
"""

from __future__ import annotations

import logging
from typing import Any

from mailflow import spam_feedback
from mailflow.checks import resources
from mailflow.checks.base import Check, SymbolSpec
from mailflow.engine.context import MessageContext
from mailflow.spam import RULES, MessageView, ModelError, score
from mailflow.spam.view import view_from_parsed

log = logging.getLogger(__name__)

def view_of(ctx: MessageContext) -> MessageView:
    """The spam view of ``ctx.parsed``: built once, after the URL check, for every check that reads it."""
    if ctx.spam_view is None:
        links = [u["url"] for u in ctx.facts.get("urls", ()) if u.get("via") or u.get("in_attachment")]
        ctx.spam_view = view_from_parsed(ctx.parsed, link_targets=links, recipients=ctx.envelope.recipients)
    return ctx.spam_view


class _NoModel:
    """Stands in for a damaged model: neutral logit, so only the rules score."""

    def features(self, view: MessageView) -> list[int]:
        return []

    def margin_of(self, ids: list[int]) -> float:
        return 0.0


class SpamContent(Check):
    name = "spam"
    description = "Statistical classifier and heuristic content rules"
    symbols = (
        SymbolSpec("BAYES_SPAM", 0.0, "Classifier: spam probability above 0.5 (up to 11 points)"),
        SymbolSpec("BAYES_HAM", 0.0, "Classifier: spam probability below 0.5 (down to -2 points)"),
        *(SymbolSpec(r.name, r.score, r.description) for r in RULES.values()),
    )
    time_budget = 0.5
    directions = frozenset({"inbound"})

    def run(self, ctx: MessageContext) -> None:
        ctx.facts["spam_probability"] = None
        if ctx.facts.get("sender_allowlisted"):
            ctx.facts["spam_skipped"] = "allowlisted"
            return
        view = view_of(ctx)
        model: Any
        error: ModelError | None = None
        try:
            model = spam_feedback.model_for(ctx.customer.schema) if ctx.customer else resources.spam_model()
        except ModelError as exc:
            log.error("spam model unusable (%s); scoring with rules only until it is replaced", exc)
            model, error = _NoModel(), exc
        verdict = score(view, model)
        for hit in verdict.symbols:
            if error is not None and hit.name.startswith("BAYES_"):
                continue
            ctx.add_symbol(hit.name, hit.score, hit.description)
        if error is not None:
            ctx.facts["spam_skipped"] = "model unusable"
            raise RuntimeError(f"spam model unusable: {error}")
        ctx.facts["spam_probability"] = round(verdict.probability or 0.0, 4)
