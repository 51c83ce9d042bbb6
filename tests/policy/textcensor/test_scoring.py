"""Weights, multipliers, caps, thresholds and the explanation of a score."""

import pytest

from policy.textcensor import evaluate_one


def test_each_occurrence_adds_the_weight() -> None:
    assert evaluate_one("+3 secret", "secret secret secret").score == 9


def test_negative_weight_lowers_the_score() -> None:
    script = '+10 "project falcon"\n-4 "press release"'
    assert evaluate_one(script, "press release: project falcon launches").score == 6


def test_lines_add_up() -> None:
    script = "+5 alpha\n+2 beta\n-1 gamma"
    assert evaluate_one(script, "alpha beta gamma").score == 6


def test_decimal_weights() -> None:
    assert evaluate_one("+0.5 maybe", "maybe maybe maybe").score == 1.5


@pytest.mark.parametrize(("occurrences", "expected"), [(1, 3), (2, 9), (3, 21), (4, 40)])
def test_mult_grows_each_further_occurrence_and_cap_limits_the_line(occurrences: int, expected: float) -> None:
    # 3 + 6 + 12 + 24 ... capped at 40
    text = " ".join(["secret"] * occurrences)
    assert evaluate_one("+3 secret MULT 2 CAP 40", text).score == expected


def test_mult_below_one_shrinks_repeats() -> None:
    assert evaluate_one("+4 offer MULT 0.5", "offer offer offer").score == 7  # 4 + 2 + 1


def test_mult_zero_counts_once() -> None:
    assert evaluate_one("+5 winner MULT 0", "winner " * 20).score == 5


def test_cap_without_mult() -> None:
    assert evaluate_one("+4 free CAP 10", "free " * 10).score == 10


def test_cap_applies_to_negative_weights() -> None:
    assert evaluate_one("-3 unsubscribe CAP 5", "unsubscribe " * 4).score == -5


def test_huge_multiplier_is_bounded() -> None:
    result = evaluate_one("+1000 spam MULT 1000", "spam " * 500)
    assert result.score == 1e9
    assert result.triggered


@pytest.mark.parametrize(("hits", "triggered"), [(2, False), (3, True), (4, True)])
def test_threshold_triggers_at_exactly_the_threshold(hits: int, triggered: bool) -> None:
    result = evaluate_one("+5 falcon\nTHRESHOLD 15", "falcon " * hits)
    assert result.threshold == 15
    assert result.triggered is triggered


def test_default_threshold_is_one() -> None:
    assert evaluate_one("+1 falcon", "falcon").triggered
    assert not evaluate_one("+0.5 falcon", "falcon").triggered


def test_no_match_scores_zero_and_does_not_trigger() -> None:
    result = evaluate_one("+5 falcon\nTHRESHOLD 5", "nothing here")
    assert result.score == 0
    assert not result.triggered
    assert result.hits == ()


def test_hits_explain_which_lines_matched() -> None:
    script = '# watch list\n+10 "project falcon"\n+3 secret* MULT 2 CAP 20\n+1 unrelated\nTHRESHOLD 15'
    result = evaluate_one(script, "Project Falcon is secret; the secrets stay secret.")
    assert [(hit.line, hit.count, hit.score) for hit in result.hits] == [(2, 1, 10), (3, 3, 20)]
    assert result.hits[0].source == '+10 "project falcon"'
    assert result.hits[1].samples == ("secret", "secrets")
    assert result.hits[1].zones == {"body": 3}
    assert result.score == 30
    explanation = result.explain()
    assert "triggered" in explanation
    assert "line 3" in explanation
    assert "'secrets'" in explanation


def test_comments_are_not_part_of_the_line_source() -> None:
    result = evaluate_one("+1 c#   # the language", "I write C#")
    assert result.hits[0].source == "+1 c#"
