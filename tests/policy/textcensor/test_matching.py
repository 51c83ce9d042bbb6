"""How single terms match: words, phrases, wildcards, case, symbols, regexes."""

import pytest

from policy.textcensor import evaluate_one


def count(script: str, text: str) -> int:
    result = evaluate_one(script, text)
    return sum(hit.count for hit in result.hits)


def test_whole_word_by_default() -> None:
    assert count("+1 ass", "an assessment of the class") == 0
    assert count("+1 ass", "what an ass.") == 1


def test_case_insensitive_by_default() -> None:
    assert count("+1 falcon", "FALCON Falcon falcon") == 3


def test_single_quotes_match_exact_case() -> None:
    assert count("+1 'Falcon'", "FALCON falcon Falcon") == 1
    assert count("+1 'Project Falcon'", "project falcon, Project Falcon") == 1


def test_phrase_words_may_be_separated_by_spaces_or_punctuation() -> None:
    assert count('+1 "project falcon"', "project  falcon / project\nfalcon / project-falcon") == 3
    assert count('+1 "project falcon"', "project x falcon") == 0


def test_trailing_star_matches_word_endings() -> None:
    text = "secret secrets secretary secretive secrete"
    assert count("+1 secret*", text) == 5
    assert count("+1 secret*", "topsecret") == 0


def test_leading_and_inner_star() -> None:
    assert count("+1 *ware", "malware spyware software wares") == 3
    assert count("+1 c*t", "cat coat cult count c") == 4


def test_question_mark_is_one_character_including_symbols() -> None:
    assert count("+1 f?ck", "fuck f*ck f@ck fck fluck") == 3


def test_escaped_star_matches_a_literal_asterisk() -> None:
    assert count(r"+1 f\*ck", "f*ck fuck f@ck") == 1
    assert count(r"+1 f\*\*k", "f**k fork") == 1


def test_tilde_matches_inside_words() -> None:
    assert count("+1 ~cash", "cashflow ecash cash") == 3
    assert count('+1 ~"free money"', "getfree moneybags") == 1
    assert count("+1 cash", "cashflow ecash cash") == 1


@pytest.mark.parametrize(
    ("script", "text", "expected"),
    [
        ("+1 $$$", "make $$$ fast, $$$!", 2),
        ("+1 c++", "we need a c++ developer (c++17 is fine), not c", 2),
        ("+1 c#", "C# and F#", 1),
        ("+1 100%", "100% free, 1100% more", 1),
        ("+1 e-mail", "send an e-mail or email", 1),
        ("+1 don't", "don't DON'T dont", 2),
    ],
)
def test_special_characters(script: str, text: str, expected: int) -> None:
    assert count(script, text) == expected


def test_regex_matches_with_re2() -> None:
    script = r"+8 /\b\d{3}-\d{2}-\d{4}\b/"
    assert count(script, "SSN 123-45-6789 and 987-65-4321, not 1234-56-7890") == 2


def test_regex_is_case_insensitive_unless_flag_c() -> None:
    assert count("+1 /acme ltd/", "ACME Ltd") == 1
    assert count("+1 /acme ltd/c", "ACME Ltd acme ltd") == 1


def test_regex_may_contain_an_escaped_slash() -> None:
    assert count(r"+1 /and\/or/", "this and/or that") == 1


def test_regex_anchors_apply_to_the_whole_zone() -> None:
    assert count("+1 /^urgent/", "urgent: pay now. urgent") == 1


def test_unicode_words_and_boundaries() -> None:
    assert count("+1 geheim", "Das ist GEHEIM, nicht geheimnisvoll") == 1
    assert count("+1 café", "Café cafés café") == 2
    assert count('+1 "über geheim"', "ÜBER   Geheim") == 1
    assert count("+1 secret", "secreté secret") == 1


def test_smart_quotes_and_dashes_are_not_word_characters() -> None:
    text = "\u201csecret\u201d\u2014secret\u2019s \u00absecret\u00bb"  # curly quotes, em dash, guillemets
    assert count("+1 secret", text) == 3


def test_one_term_spread_over_html_tags_is_caught_after_reduction() -> None:
    from policy.textcensor import html_to_text

    assert count("+1 confidential", html_to_text("<p>con<b>fid</b>ential</p>")) == 1
