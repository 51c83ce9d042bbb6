"""The shipped model and rules on 2020s mail (``bench/modern*``): phishing and scams caught, list mail not held.

The samples were written apart from the rules and the training supplement
(see each set's README.md); these tests keep what they measure from slipping
back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.spam import QUARANTINE_THRESHOLD, TAG_THRESHOLD, score
from mailflow.spam.view import view_from_bytes

BENCH = Path(__file__).resolve().parents[3] / "bench"
MODERN = BENCH / "modern"


def _scores(folder: str, root: Path = MODERN) -> dict[str, float]:
    return {p.name: score(view_from_bytes(p.read_bytes())).score for p in sorted((root / folder).rglob("*.eml"))}


def test_no_technical_list_post_is_held() -> None:
    scores = _scores("ham/list_ham")
    assert len(scores) == 44
    assert {name: s for name, s in scores.items() if s >= TAG_THRESHOLD} == {}


def test_no_wanted_notification_is_tagged() -> None:
    scores = _scores("ham/hard_ham")
    assert len(scores) == 20
    assert {name: s for name, s in scores.items() if s >= TAG_THRESHOLD} == {}


def test_most_modern_phishing_and_scams_are_tagged() -> None:
    scores = _scores("spam")
    assert len(scores) == 64
    caught = sum(s >= TAG_THRESHOLD for s in scores.values())
    assert caught >= 0.9 * len(scores), sorted((s, n) for n, s in scores.items())[:12]


def test_every_modern_credential_phish_is_tagged() -> None:
    """Every credential phish here is caught: the rules, not the 2002 vocabulary, must carry them."""
    scores = {n: s for n, s in _scores("spam").items() if n.startswith("phish-")}
    assert {n: s for n, s in scores.items() if s < TAG_THRESHOLD} == {}


@pytest.mark.parametrize(("folder", "ham", "spam"), [("modern-holdout", 50, 70), ("modern-holdout-2", 65, 65)])
def test_held_out_sets_hold_no_ham_and_tag_most_spam(folder: str, ham: int, spam: int) -> None:
    """Sets written after the rules and apart from the supplement: no list post or notification tagged."""
    ham_scores, spam_scores = _scores("ham", BENCH / folder), _scores("spam", BENCH / folder)
    assert (len(ham_scores), len(spam_scores)) == (ham, spam)
    assert {name: s for name, s in ham_scores.items() if s >= TAG_THRESHOLD} == {}
    caught = sum(s >= TAG_THRESHOLD for s in spam_scores.values())
    assert caught >= 0.75 * spam, sorted((s, n) for n, s in spam_scores.items())[:12]


def test_no_held_out_person_to_person_message_is_tagged() -> None:
    """Short notes, payment threads, shared links and IT notices from colleagues (``bench/modern-personal``)."""
    scores = _scores("ham", BENCH / "modern-personal")
    assert len(scores) == 50
    assert {name: s for name, s in scores.items() if s >= TAG_THRESHOLD} == {}


def test_no_message_of_the_third_held_out_set_is_tagged() -> None:
    """List posts quoting phishing, advisories, CFPs, notifications and business mail (``bench/modern-holdout-3``)."""
    scores = _scores("ham", BENCH / "modern-holdout-3")
    assert len(scores) == 75
    assert {name: s for name, s in scores.items() if s >= TAG_THRESHOLD} == {}


def test_the_fourth_held_out_set_keeps_its_first_score() -> None:
    """Scored once, unseen (``bench/modern-holdout-4``): 59 of 75 spam tagged, 3 of 75 wanted messages held.

    Those three (a staff warning that quotes gift-card fraud, a Russian and a
    Vietnamese personal message) are a known weakness; the test keeps the set
    from getting worse, and from one more wanted message being held.
    """
    folder = BENCH / "modern-holdout-4"
    ham_scores, spam_scores = _scores("ham", folder), _scores("spam", folder)
    assert (len(ham_scores), len(spam_scores)) == (75, 75)
    held = {name for name, s in ham_scores.items() if s >= TAG_THRESHOLD}
    assert held <= {"n-26.eml", "c-20.eml", "c-34.eml"}, held
    assert not any(s >= QUARANTINE_THRESHOLD for s in ham_scores.values())
    assert sum(s >= TAG_THRESHOLD for s in spam_scores.values()) >= 59
