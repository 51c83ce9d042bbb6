"""The shipped model and rules on 2020s mail (``bench/modern``): phishing and scams caught, list mail not held.

The samples were written apart from the rules (see ``bench/modern/README.md``);
these tests keep what they measure from slipping back.
"""

from __future__ import annotations

from pathlib import Path

from mailflow.spam import TAG_THRESHOLD, score
from mailflow.spam.view import view_from_bytes

MODERN = Path(__file__).resolve().parents[3] / "bench" / "modern"


def _scores(folder: str) -> dict[str, float]:
    return {p.name: score(view_from_bytes(p.read_bytes())).score for p in sorted((MODERN / folder).rglob("*.eml"))}


def test_no_technical_list_post_is_held() -> None:
    scores = _scores("ham/list_ham")
    assert len(scores) == 44
    assert {name: s for name, s in scores.items() if s >= TAG_THRESHOLD} == {}


def test_at_most_one_wanted_notification_is_tagged() -> None:
    scores = _scores("ham/hard_ham")
    assert len(scores) == 20
    assert sum(s >= TAG_THRESHOLD for s in scores.values()) <= 1


def test_most_modern_phishing_and_scams_are_tagged() -> None:
    scores = _scores("spam")
    assert len(scores) == 64
    caught = sum(s >= TAG_THRESHOLD for s in scores.values())
    assert caught >= 0.85 * len(scores), sorted((s, n) for n, s in scores.items())[:12]


def test_every_modern_credential_phish_is_tagged() -> None:
    """Every credential phish here is caught: the rules, not the 2002 vocabulary, must carry them."""
    scores = {n: s for n, s in _scores("spam").items() if n.startswith("phish-")}
    assert {n: s for n, s in scores.items() if s < TAG_THRESHOLD} == {}
