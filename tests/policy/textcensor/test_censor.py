"""Many scripts compiled together, zones, and snapshots (pickling)."""

import pickle

import pytest

from policy.textcensor import CompiledCensor, TextcensorInput, Zone, compile_scripts

SCRIPTS = {
    "falcon": '+10 "project falcon"\n+5 falcon NEAR/3 budget\nTHRESHOLD 10',
    "money": "+4 invoice FOLLOWEDBY/5 overdue\n+2 $$$\nTHRESHOLD 4",
    "quiet": "+3 NOT hello\nTHRESHOLD 3",
}
MESSAGE = TextcensorInput(
    subject="Project Falcon",
    body="The invoice is overdue. Make $$$ now. Hello!",
    headers="X-Tag: falcon budget",
    attachments=("falcon budget notes", "second file: project falcon"),
)


def test_all_scripts_are_evaluated_in_one_call() -> None:
    results = compile_scripts(SCRIPTS).evaluate(MESSAGE)
    assert set(results) == {"falcon", "money", "quiet"}
    assert results["money"].score == 6
    assert results["money"].triggered


def test_default_zones_are_subject_body_and_attachments() -> None:
    results = compile_scripts(SCRIPTS).evaluate(MESSAGE)
    falcon = results["falcon"]
    assert falcon.score == 10 + 10 + 5  # subject, 2nd attachment, 1st attachment
    assert falcon.hits[0].zones == {"subject": 1, "attachments": 1}


def test_zones_can_be_chosen_for_all_scripts() -> None:
    results = compile_scripts(SCRIPTS).evaluate(MESSAGE, zones=[Zone.HEADERS])
    assert results["falcon"].score == 5
    assert results["money"].score == 0


def test_zones_can_be_chosen_per_script_by_name() -> None:
    results = compile_scripts(SCRIPTS).evaluate(MESSAGE, zones={"falcon": ["subject"], "money": {Zone.HEADERS}})
    assert results["falcon"].score == 10
    assert results["money"].score == 0
    assert results["quiet"].score == 0  # default zones: "Hello" is in the body


def test_not_looks_at_every_selected_zone() -> None:
    censor = compile_scripts(SCRIPTS)
    assert censor.evaluate(MESSAGE, zones={"quiet": ["subject"]})["quiet"].score == 3
    assert censor.evaluate(MESSAGE, zones={"quiet": ["subject", "body"]})["quiet"].score == 0


def test_proximity_never_spans_two_zones() -> None:
    censor = compile_scripts({"s": "+1 falcon NEAR/0 budget"})
    message = TextcensorInput(subject="falcon", body="budget")
    assert censor.evaluate(message)["s"].score == 0
    message = TextcensorInput(attachments=("the falcon", "budget file"))
    assert censor.evaluate(message)["s"].score == 0


def test_counts_add_up_across_zones() -> None:
    censor = compile_scripts({"s": "+2 secret"})
    message = TextcensorInput(subject="secret", body="secret secret", attachments=("secret",))
    hit = censor.evaluate(message)["s"].hits[0]
    assert hit.count == 4
    assert hit.zones == {"subject": 1, "body": 2, "attachments": 1}


def test_unknown_zone_name_is_rejected() -> None:
    with pytest.raises(ValueError):
        compile_scripts(SCRIPTS).evaluate(MESSAGE, zones=["footer"])


def test_equal_terms_in_different_scripts_are_scanned_once() -> None:
    censor = compile_scripts({"a": "+1 falcon\n+1 'Falcon'", "b": "+2 falcon", "c": "+1 FALCON"})
    assert censor.leaf_count == 2
    results = censor.evaluate(TextcensorInput(body="Falcon"))
    assert [results[name].score for name in "abc"] == [2, 2, 1]


def test_pickled_censor_rebuilds_and_gives_the_same_results() -> None:
    censor = compile_scripts(SCRIPTS)
    restored = pickle.loads(pickle.dumps(censor))
    assert isinstance(restored, CompiledCensor)
    assert restored.sources == SCRIPTS
    assert restored.evaluate(MESSAGE) == censor.evaluate(MESSAGE)


def test_many_scripts_with_many_terms() -> None:
    scripts = {
        f"s{index}": "\n".join(f"+1 word{index}x{term}" for term in range(100)) + "\nTHRESHOLD 2" for index in range(20)
    }
    censor = compile_scripts(scripts)
    assert censor.leaf_count == 2000
    results = censor.evaluate(TextcensorInput(body="word7x42 and word7x99, also word3x1 and word3x1000"))
    assert results["s7"].score == 2 and results["s7"].triggered
    assert results["s3"].score == 1 and not results["s3"].triggered
    assert sum(result.score for result in results.values()) == 3


def test_very_large_zone_text_is_scanned_in_linear_time() -> None:
    censor = compile_scripts({"s": "+1 needle*\n+1 /n[a-z]+e/\n+1 needle NEAR/2 haystack"})
    text = ("hay " * 250_000) + "needle in the haystack"
    result = censor.evaluate(TextcensorInput(body=text))["s"]
    assert result.score == 3


def test_empty_message() -> None:
    results = compile_scripts(SCRIPTS).evaluate(TextcensorInput())
    assert results["falcon"].score == 0
    assert results["quiet"].score == 3


def test_results_are_the_same_when_re2_refuses_the_combined_set(monkeypatch: pytest.MonkeyPatch) -> None:
    from policy.textcensor import scanner

    expected = compile_scripts(SCRIPTS).evaluate(MESSAGE)
    monkeypatch.setattr(scanner, "SET_MAX_MEM", 1024)  # too small for any set: every leaf is checked directly
    censor = compile_scripts(SCRIPTS)
    assert censor._leafset.sets == []
    assert censor.evaluate(MESSAGE) == expected
