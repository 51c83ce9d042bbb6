"""Heuristic rule contract and registry.

A rule is a named predicate over a ``MessageView`` with a description and
a default score, declared with ``@rule(...)``.  Names are unique: a second
rule with the same name raises ``ValueError`` at import.  Rules that read
headers say so (``reads_headers=True``) and are skipped when scoring a
body-only view.  See docs/spam.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mailflow.spam.view import MessageView

Predicate = Callable[[MessageView], bool]
NAME_PATTERN = re.compile(r"^[A-Z][A-Z0-9_]{2,40}$")


@dataclass(frozen=True)
class Rule:
    """One declared heuristic."""

    name: str
    description: str
    score: float
    check: Predicate
    reads_headers: bool = False


@dataclass(frozen=True)
class Hit:
    """A rule (or the classifier) that fired, with the score it adds."""

    name: str
    score: float
    description: str


RULES: dict[str, Rule] = {}


def register(new: Rule) -> Rule:
    """Add ``new`` to the registry; duplicate or malformed names raise."""
    if not NAME_PATTERN.match(new.name):
        raise ValueError(f"bad rule name {new.name!r}")
    if new.name in RULES:
        raise ValueError(f"duplicate heuristic rule name {new.name!r}")
    if not new.description.strip():
        raise ValueError(f"rule {new.name} has no description")
    RULES[new.name] = new
    return new


def rule(name: str, description: str, score: float, *, reads_headers: bool = False) -> Callable[[Predicate], Predicate]:
    """Decorator: register the decorated predicate as a rule."""

    def wrap(func: Predicate) -> Predicate:
        register(Rule(name, description, score, func, reads_headers))
        return func

    return wrap


def lure_text(view: MessageView) -> str:
    """Subject and visible text (the first 20,000 characters), built once per message for the phrase rules.

    Runs of whitespace become one space, so a phrase matches however the
    sender's software wrapped its lines.  Quoted lines (``> ...``) are left
    out: they are someone else's words, as when a postmaster list quotes the
    phishing it discusses, while a hijacked thread's lure is in the new text.
    """
    text = view.memo.get("lure_text")
    if text is None:
        body = view.body_text[:20000]
        if ">" in body:
            body = "\n".join(line for line in body.splitlines() if not line.lstrip().startswith(">"))
        text = view.memo["lure_text"] = " ".join(f"{view.subject}\n{body}".split())
    return text  # type: ignore[return-value]


def phrase_rule(name: str, description: str, score: float, pattern: Any, *, at_least: int = 2) -> Predicate:
    """Register a rule that fires when ``at_least`` different phrases of ``pattern`` are in the lure text.

    Most scam trades are recognised this way: one of their phrases is what
    ordinary mail says too, two or three independent ones are the pitch.
    """

    def check(view: MessageView) -> bool:
        return distinct_matches(pattern, lure_text(view)) >= at_least

    check.__name__ = check.__qualname__ = name.lower()
    register(Rule(name, description, score, check))
    return check


def distinct_matches(pattern: Any, text: str) -> int:
    """How many different phrases of ``pattern`` occur in ``text`` (case ignored)."""
    return len({m.group(0).lower() for m in pattern.finditer(text)})


def evaluate(
    view: MessageView,
    *,
    body_only: bool = False,
    scores: dict[str, float] | None = None,
) -> list[Hit]:
    """Run every registered rule; return the hits in registry order.

    ``scores`` overrides default scores by rule name.  A rule that raises is
    treated as not matching: one broken rule must not stop the scan.
    """
    hits = []
    for item in RULES.values():
        if body_only and item.reads_headers:
            continue
        try:
            matched = bool(item.check(view))
        except Exception:  # a rule bug never blocks mail
            matched = False
        if matched:
            score = item.score if scores is None else scores.get(item.name, item.score)
            hits.append(Hit(item.name, score, item.description))
    return hits
