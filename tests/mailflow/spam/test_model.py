"""Model file round trip, corruption detection, and learning from feedback."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from mailflow.spam import LayeredModel, Model, ModelError, load_default_model, score
from mailflow.spam.modelfile import QUANT_STEP, dump_model, load_model
from mailflow.spam.training import ORDER_SEED_STEP, fit, train_views
from tests.mailflow.spam.builders import view

SPAMMY = [
    view(subject=f"Cheap meds offer {n}", text=f"Buy cheap pills online now, best prices {n}, order today")
    for n in range(8)
]
HAMMY = [
    view(subject=f"Build failure on branch {n}", text=f"The nightly build failed in module parser, see log {n}")
    for n in range(8)
]


@pytest.fixture(scope="module")
def small_model() -> Model:
    return train_views(SPAMMY + HAMMY, [True] * 8 + [False] * 8)


def test_trained_model_separates_its_classes(small_model: Model) -> None:
    probe_spam = view(subject="Cheap pills", text="order cheap pills online today")
    probe_ham = view(subject="Build log", text="the nightly build failed in the parser module")
    assert small_model.probability(probe_spam) > 0.5 > small_model.probability(probe_ham)


def test_round_trip_keeps_scores(small_model: Model, tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    small_model.save(path)
    loaded = Model.load(path)
    for message in SPAMMY[:2] + HAMMY[:2]:
        # Each weight is rounded (or pruned) by at most half a step; over n features scaled by
        # 1/sqrt(n) that moves the logit by at most sqrt(n) half steps.
        bound = 0.5 * QUANT_STEP * math.sqrt(len(small_model.features(message)))
        assert loaded.margin(message) == pytest.approx(small_model.margin(message), abs=bound)


@pytest.mark.parametrize("damage", ["flip", "truncate", "magic", "version"])
def test_damaged_model_file_raises_model_error(small_model: Model, tmp_path: Path, damage: str) -> None:
    data = bytearray(dump_model(small_model))
    if damage == "flip":
        data[len(data) // 2] ^= 0x01
    elif damage == "truncate":
        del data[-20:]
    elif damage == "magic":
        data[0:6] = b"NOTAMD"
    else:
        data[6] = 99
    path = tmp_path / "bad.bin"
    path.write_bytes(bytes(data))
    with pytest.raises(ModelError):
        Model.load(path)


def test_missing_file_raises_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        Model.load(tmp_path / "absent.bin")


def test_shipped_model_loads_and_is_small() -> None:
    from mailflow.spam import DEFAULT_MODEL_PATH

    assert DEFAULT_MODEL_PATH.stat().st_size <= 2_000_000
    model = load_default_model()
    assert load_model(DEFAULT_MODEL_PATH.read_bytes()).weights.keys() == model.weights.keys()


def test_report_as_spam_raises_the_score_of_that_message_and_similar_ones() -> None:
    layered = LayeredModel.over(load_default_model())
    reported = view(subject="Team offsite", text="Dear colleague, join the alpaca farm offsite on Friday")
    similar = view(subject="Team offsite", text="Dear colleague, join the alpaca farm offsite next week")
    before, before_similar = score(reported, layered).score, score(similar, layered).score
    layered.learn(reported, is_spam=True)
    assert score(reported, layered).score > before + 3
    assert score(reported, layered).probability > 0.9
    assert score(similar, layered).score > before_similar + 1


def test_release_as_not_spam_lowers_the_score_and_keeps_base_untouched() -> None:
    base = load_default_model()
    base_weights = dict(base.weights)
    provider = LayeredModel.over(base)
    customer = LayeredModel.over(provider)
    message = view(subject="FREE money!!!", text="Click here to claim your free cash prize now!!!")
    before = customer.probability(message)
    after = customer.learn(message, is_spam=False)
    assert before > 0.5
    assert after < 0.1
    assert provider.probability(message) == pytest.approx(before)
    assert base.weights == base_weights


def test_feedback_layer_survives_save_and_load(tmp_path: Path) -> None:
    customer = LayeredModel.over(load_default_model())
    message = view(subject="Garden party", text="Bring snacks to the llama garden party")
    customer.learn(message, is_spam=True)
    customer.top.save(tmp_path / "customer.bin")
    reloaded = LayeredModel.over(load_default_model(), Model.load(tmp_path / "customer.bin"))
    assert reloaded.probability(message) == pytest.approx(customer.probability(message), abs=0.01)


def test_training_is_deterministic_and_averages_its_runs() -> None:
    examples = [([1, 2, 3], True), ([2, 3, 4], True), ([5, 6, 7], False), ([6, 7, 8], False)]
    first = fit(examples, orders=1, seed=5)
    second = fit(examples, orders=1, seed=5 + ORDER_SEED_STEP)
    mean = fit(examples, orders=2, seed=5)
    assert fit(examples, orders=2, seed=5).weights == mean.weights
    for feature in range(1, 9):
        expected = (first.weights[feature] + second.weights[feature]) / 2
        assert mean.weights[feature] == pytest.approx(expected)
    assert mean.bias == pytest.approx((first.bias + second.bias) / 2)
    assert mean.meta["orders"] == 2


def _note(body: str, subject: str) -> bytes:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Anna Berg <anna.berg@example.com>", "jurgen@example.org", subject
    msg["Date"], msg["Message-ID"] = "Tue, 03 Mar 2026 10:00:00 +0100", "<n1@example.com>"
    msg.set_content(body, charset="utf-8")
    return msg.as_bytes()


@pytest.mark.parametrize(
    ("body", "subject"),
    [
        ("Hi Jürgen,\n\nsee you at 3 in the café.\n\nAnna\n", "Today"),
        ("Thanks — that works for me.\n", "Re: Friday"),
        ("Can you call me when you're free? It's about the Müller account.\n", "Quick question"),
    ],
)
def test_a_short_utf8_note_from_a_colleague_is_not_dated_as_spam(body: str, subject: str) -> None:
    """The modern supplement teaches words and links, not today's software marks (UTF-8 is in all of today's mail)."""
    from mailflow.spam.view import view_from_bytes

    assert score(view_from_bytes(_note(body, subject))).score < 2.0


def test_content_tokens_keep_words_and_links_and_drop_software_marks() -> None:
    from mailflow.spam.tokenizer import content_tokens

    tokens = {"invoice", "s:urgent", "s2:your_account", "url:d:example.net", "url:p:login", "cjk:確認",
              "charset:utf-8", "h:cte:7bit", "s:*len:3", "sh:phone:0", "tag:table", "from:tld:net", "len:3"}
    assert content_tokens(tokens) == {"invoice", "s:urgent", "s2:your_account", "url:d:example.net", "url:p:login",
                                      "cjk:確認"}
