"""The spam check in the engine: scores from the shared parse, allow-lists, a damaged model."""

from __future__ import annotations

from pathlib import Path

from mailflow.checks.antivirus import Antivirus
from mailflow.checks.spam import SpamContent, view_of
from mailflow.engine import pipeline
from mailflow.spam import DEFAULT_MODEL_PATH, score, view_from_bytes
from mailflow.spam.tokenizer import tokenize
from tests.mailflow.checks.conftest import context, symbol_names
from tests.mailflow.checks.samples import eicar_message, mail

SPAM_HTML = """<html><body><h1>CONGRATULATIONS!!! You have WON $1,000,000</h1>
<p>Claim your FREE prize now! Limited time offer, act now, click below.</p>
<p><a href="http://203.0.113.7/claim">CLICK HERE TO CLAIM</a> - 100% free, no risk, guaranteed!</p>
<p>To be removed from our mailing list reply with REMOVE in the subject.</p></body></html>"""


def spam_message() -> bytes:
    msg = mail(subject="You have WON!!! Claim your FREE $1,000,000 prize", sender="Prize Desk <win@prize.test>",
               body="Claim your FREE prize now! Click http://203.0.113.7/claim - 100% free, guaranteed!\n",
               html=SPAM_HTML)
    return msg.as_bytes()


def ham_message() -> bytes:
    return mail(subject="Minutes of Tuesday's meeting", body=(
        "Hi Bob,\n\nattached are the minutes of Tuesday's meeting. We agreed to move the release to "
        "the second week of March and to review the test plan on Friday.\n\nThanks,\nAlice\n")).as_bytes()


def test_spam_gets_classifier_and_rule_symbols(node):
    ctx = context(spam_message())
    SpamContent().run(ctx)
    assert ctx.facts["spam_probability"] > 0.9
    assert "BAYES_SPAM" in symbol_names(ctx)
    assert "SUBJECT_EXCLAIM" in symbol_names(ctx)
    assert ctx.score >= 5.0


def test_ordinary_mail_scores_below_the_tag_threshold(node):
    ctx = context(ham_message())
    SpamContent().run(ctx)
    assert ctx.facts["spam_probability"] < 0.5
    assert ctx.score < 5.0


def test_engine_view_scores_like_a_standalone_parse(node):
    raw = spam_message()
    engine_view, standalone = view_of(context(raw)), view_from_bytes(raw)
    assert tokenize(engine_view) == tokenize(standalone)
    assert score(engine_view).score == score(standalone).score


def test_engine_reads_a_fake_login_page_attached_to_the_message(node):
    """The remittance lure of today: a short note and an HTML page that posts the password elsewhere."""
    raw = (Path(__file__).resolve().parents[3] / "bench" / "modern" / "spam" / "phish-28.eml").read_bytes()
    ctx = context(raw)
    SpamContent().run(ctx)
    assert {"HTML_ATTACHMENT", "HTML_ATTACHMENT_ACTIVE"} <= set(symbol_names(ctx))
    assert ctx.score >= 5.0


def test_engine_knows_the_reader_from_the_envelope_when_the_headers_hide_them(node):
    """Sent to undisclosed recipients, the kit link still carries the envelope recipient's own address."""
    msg = mail(subject="Mailbox storage notice", sender="acme.test Mail Admin <admin@mailbox-notice.example>",
               body="Your messages are on hold. Review them: https://docs-portal.example.net/v#bob@acme.test\n")
    msg.replace_header("To", "undisclosed-recipients:;")
    ctx = context(msg.as_bytes())
    SpamContent().run(ctx)
    assert {"RECIPIENT_IN_LINK", "RECIPIENT_DOMAIN_AS_SENDER"} <= set(symbol_names(ctx))


def test_allowlisted_sender_skips_spam_but_never_antivirus(node):
    raw, _ = eicar_message("plain attachment")
    ctx = context(raw)
    ctx.facts["sender_allowlisted"] = True
    pipeline.run_checks(ctx, [Antivirus, SpamContent])
    assert ctx.facts["spam_skipped"] == "allowlisted"
    assert ctx.facts["virus_found"] is True
    assert not any(s.name.startswith("BAYES_") for s in ctx.symbols)


def test_damaged_model_does_not_stop_mail(node, tmp_path, caplog):
    damaged = tmp_path / "model.bin"
    data = bytearray(DEFAULT_MODEL_PATH.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    node.SPE_SPAM_MODEL = str(damaged)
    ctx = context(spam_message())
    pipeline.run_checks(ctx, [SpamContent])  # no RetryLater: the message goes on
    assert "spam model unusable" in ctx.check_errors["spam"]
    assert "spam model unusable" in caplog.text
    assert ctx.facts["spam_skipped"] == "model unusable"
    assert "SUBJECT_EXCLAIM" in symbol_names(ctx)  # the rules still score
    assert not any(s.name.startswith("BAYES_") for s in ctx.symbols)
