"""Boolean and proximity operators, as a rule author sees them."""

import pytest

from policy.textcensor import evaluate_one


def score(script: str, text: str) -> float:
    return evaluate_one(script, text).score


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the merger is off", 0),
        ("the merger is confidential", 5),
        ("confidential and nothing else", 0),
    ],
)
def test_and_needs_every_operand(text: str, expected: float) -> None:
    assert score("+5 confidential AND merger", text) == expected


def test_and_counts_the_rarer_operand() -> None:
    text = "merger merger merger confidential"
    assert evaluate_one("+5 confidential AND merger", text).hits[0].count == 1


def test_or_counts_each_alternative() -> None:
    assert score("+2 merger OR acquisition", "merger then acquisition then merger") == 6


def test_or_does_not_count_one_word_twice() -> None:
    assert score("+2 secret* OR secrets", "our secrets") == 2


def test_and_not_excludes() -> None:
    script = "+5 invoice AND NOT newsletter"
    assert score(script, "your invoice is attached") == 5
    assert score(script, "invoice reminder in this newsletter") == 0


def test_not_alone_scores_when_the_word_is_absent() -> None:
    assert score("+3 NOT unsubscribe", "hello there") == 3
    assert score("+3 NOT unsubscribe", "click to unsubscribe") == 0


def test_parentheses_group() -> None:
    script = "+4 (merger OR acquisition) AND (secret OR confidential)"
    assert score(script, "acquisition kept secret") == 4
    assert score(script, "acquisition announced") == 0


def test_precedence_and_binds_tighter_than_or() -> None:
    script = "+1 alpha OR beta AND gamma"
    assert score(script, "alpha") == 1
    assert score(script, "beta") == 0
    assert score(script, "beta gamma") == 1


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("confidential merger", True),
        ("merger confidential", True),
        ("confidential one two three four five merger", True),
        ("confidential one two three four five six merger", False),
        ("merger one two three four five confidential", True),
        ("merger one two three four five six confidential", False),
    ],
)
def test_near_allows_n_words_between_in_either_order(text: str, hit: bool) -> None:
    assert (score("+5 confidential NEAR/5 merger", text) == 5) is hit


def test_near_zero_means_adjacent() -> None:
    assert score("+1 red NEAR/0 car", "red car") == 1
    assert score("+1 red NEAR/0 car", "red fast car") == 0


def test_near_ignores_punctuation_between_words() -> None:
    assert score("+1 red NEAR/0 car", "red, car!") == 1


def test_near_default_distance_is_ten() -> None:
    ten = " ".join(["x"] * 10)
    assert score("+1 alpha NEAR omega", f"alpha {ten} omega") == 1
    assert score("+1 alpha NEAR omega", f"alpha {ten} x omega") == 0


@pytest.mark.parametrize(
    ("text", "hit"),
    [
        ("invoice is now overdue", True),
        ("overdue invoice", False),
        ("invoice a b c d e f g h i j overdue", True),
        ("invoice a b c d e f g h i j k overdue", False),
    ],
)
def test_followedby_is_ordered_with_distance(text: str, hit: bool) -> None:
    assert (score("+4 invoice FOLLOWEDBY/10 overdue", text) == 4) is hit


def test_followedby_without_distance_reaches_the_end_of_the_zone() -> None:
    far = " filler" * 500
    assert score("+4 invoice FOLLOWEDBY overdue", f"invoice{far} overdue") == 4


def test_near_with_phrases_and_or_groups() -> None:
    script = '+5 "project falcon" NEAR/3 (budget OR "head count")'
    assert score(script, "Project Falcon needs more head count") == 5
    assert score(script, "the budget for project falcon") == 5
    assert score(script, "Project Falcon is on track; nothing else to report about the budget") == 0


def test_near_counts_each_left_occurrence_with_a_partner() -> None:
    text = "merger confidential. later: merger, confidential. then much later a merger"
    assert evaluate_one("+1 merger NEAR/1 confidential", text).hits[0].count == 2


def test_nested_proximity() -> None:
    script = "+5 (wire NEAR/2 transfer) FOLLOWEDBY/5 urgent"
    assert score(script, "please wire the transfer today, urgent") == 5
    assert score(script, "urgent: please wire the transfer") == 0


def test_proximity_does_not_pair_a_word_with_itself() -> None:
    assert score("+1 secret* NEAR/3 secrets", "secrets") == 0
    assert score("+1 secret* NEAR/3 secrets", "secret secrets") == 1


def test_proximity_counts_words_in_non_english_text() -> None:
    script = "+1 geheim NEAR/2 fusion"
    assert score(script, "Die Übernahme ist GEHEIM \u2013 größte Fusion") == 1
    assert score(script, "Die Übernahme ist GEHEIM \u2013 die größte geplante Fusion") == 0
    assert score("+1 秘密 NEAR/1 合并", "这是 秘密 的 合并") == 1
