"""Feedback learning: a customer's "report as spam" changes that customer's verdicts only."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from mailflow import spam_feedback
from mailflow.checks import fuzzy
from mailflow.checks.fuzzy import BulkSignatures
from mailflow.models import QuarantineFeedback
from mailflow.spam import Model, score, view_from_bytes
from mailflow.spam.fuzzy import sketch_view
from mailflow.store import get_store
from tests.mailflow.spam.builders import build

REPORTED = build(
    subject="Alpaca wool cooperative: autumn members' newsletter",
    from_="Hilltop Alpaca Co-op <news@hilltop-alpaca.example>",
    text="Dear members,\n\nThe autumn shearing dates are set and the wool cooperative shop "
    "reopens on Saturday with fleece bundles and knitting kits.\n\nHilltop Alpaca Co-op\n",
)
RELEASED = build(
    subject="Congratulations! You have WON a FREE cash prize!!!",
    from_="Prize Desk <claims@winners-desk.example>",
    text="Claim your FREE $1,000 cash prize now!!! Click here to claim, act now, limited time offer.",
)


CAMPAIGN = build(
    subject="Your mailbox is full",
    from_="Mail Administrator <admin@quota-desk.example>",
    text="Dear user,\n\nYour mailbox has exceeded its storage quota and incoming messages are now being "
    "returned to their senders. To keep receiving mail, confirm your account within 24 hours at "
    "https://quota-desk.example/confirm?id=81723 and the quota will be raised at no cost.\n\nMail Administrator\n",
)


def _forget_sketches() -> None:
    for raw in (REPORTED, RELEASED, CAMPAIGN):
        fuzzy.forget(sketch_view(view_from_bytes(raw)))


@pytest.fixture
def feedback_world(world, committed, settings, tmp_path):
    settings.SPE_STORE_DIR = tmp_path
    spam_feedback.forget()
    _forget_sketches()
    schemas = (world.acme.schema_name, world.globex.schema_name)
    for schema in schemas:
        with schema_context(schema):
            QuarantineFeedback.objects.all().delete()
    yield world
    for schema in schemas:
        with schema_context(schema):
            QuarantineFeedback.objects.all().delete()
    spam_feedback.forget()
    _forget_sketches()


def _report(customer, raw: bytes, label: str, spool_id: str) -> None:
    key = get_store().put(customer.schema_name, raw)
    with schema_context(customer.schema_name):
        QuarantineFeedback.objects.create(
            spool_id=spool_id,
            store_key=key,
            recipient=f"bob@{customer.slug}.test",
            label=label,
            reported_by=f"bob@{customer.slug}.test",
        )


def _score(schema: str, raw: bytes) -> float:
    return score(view_from_bytes(raw), spam_feedback.model_for(schema)).score


def test_report_as_spam_raises_that_customers_score_only(feedback_world) -> None:
    acme, globex = feedback_world.acme.schema_name, feedback_world.globex.schema_name
    acme_before, globex_before = _score(acme, REPORTED), _score(globex, REPORTED)
    _report(feedback_world.acme, REPORTED, "spam", "S1")

    assert spam_feedback.learn_pending(feedback_world.acme) == 1

    assert _score(acme, REPORTED) > acme_before + 3
    assert spam_feedback.model_for(acme).probability(view_from_bytes(REPORTED)) > 0.9
    assert _score(globex, REPORTED) == pytest.approx(globex_before)
    assert spam_feedback.layer_path(acme).exists()
    assert not spam_feedback.layer_path(globex).exists()
    assert not spam_feedback.layer_path(spam_feedback.PROVIDER_LAYER).exists()
    with schema_context(acme):
        assert QuarantineFeedback.objects.get().learned
    assert spam_feedback.learn_pending(feedback_world.acme) == 0  # nothing pending is learned twice
    assert spam_feedback.learn_pending(feedback_world.globex) == 0


def test_release_as_not_spam_lowers_the_score_and_survives_reload(feedback_world) -> None:
    acme = feedback_world.acme.schema_name
    before = _score(acme, RELEASED)
    _report(feedback_world.acme, RELEASED, "ham", "H1")

    assert spam_feedback.learn_pending(feedback_world.acme) == 1

    spam_feedback.forget()  # a fresh process reads the layer from its file
    assert _score(acme, RELEASED) < before - 3
    assert spam_feedback.model_for(acme).probability(view_from_bytes(RELEASED)) < 0.1


def test_model_for_reloads_when_the_layer_file_changes(feedback_world) -> None:
    acme = feedback_world.acme.schema_name
    first = spam_feedback.model_for(acme)
    assert spam_feedback.model_for(acme) is first  # cached
    _report(feedback_world.acme, REPORTED, "spam", "S2")
    spam_feedback.learn_pending(feedback_world.acme)
    assert spam_feedback.model_for(acme) is not first


def test_feedback_whose_message_is_gone_is_marked_without_learning(feedback_world) -> None:
    with schema_context(feedback_world.acme.schema_name):
        QuarantineFeedback.objects.create(spool_id="G1", store_key="0" * 64, recipient="bob@acme.test", label="spam")
    assert spam_feedback.learn_pending(feedback_world.acme) == 0
    with schema_context(feedback_world.acme.schema_name):
        assert QuarantineFeedback.objects.get().learned
    assert not spam_feedback.layer_path(feedback_world.acme.schema_name).exists()


def test_damaged_layer_file_is_ignored_not_fatal(feedback_world, tmp_path) -> None:
    acme = feedback_world.acme.schema_name
    path = spam_feedback.layer_path(acme)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"MFSPAM\x01 not a model")
    layered = spam_feedback.model_for(acme)
    assert isinstance(layered.top, Model) and not layered.top.weights
    assert _score(acme, REPORTED) == pytest.approx(_score(feedback_world.globex.schema_name, REPORTED))


def _bulk_symbols(schema: str, raw: bytes) -> list[str]:
    from tests.mailflow.checks.conftest import context

    ctx = context(raw)
    ctx.envelope.customer = schema
    BulkSignatures().run(ctx)
    return [s.name for s in ctx.symbols]


def test_a_report_reaches_the_bulk_signatures_for_that_customer_first(feedback_world, settings) -> None:
    settings.SPE_FUZZY_QUORUM = 2
    acme, globex = feedback_world.acme.schema_name, feedback_world.globex.schema_name
    copy = CAMPAIGN.replace(b"81723", b"55190").replace(b"Dear user", b"Dear Bob")
    assert _bulk_symbols(acme, copy) == []
    _report(feedback_world.acme, CAMPAIGN, "spam", "S3")

    assert spam_feedback.learn_pending(feedback_world.acme) == 1

    assert _bulk_symbols(acme, copy) == ["FUZZY_SPAM"]
    assert _bulk_symbols(globex, copy) == []  # one customer's report alone counts for no other customer
    settings.SPE_FUZZY_QUORUM = 1
    assert _bulk_symbols(globex, copy) == ["FUZZY_SPAM"]


def test_feedback_stays_pending_while_the_bulk_signatures_are_unreachable(feedback_world, monkeypatch) -> None:
    import redis

    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5, socket_timeout=0.5)
    monkeypatch.setattr(fuzzy, "_client", lambda: unreachable)
    _report(feedback_world.acme, CAMPAIGN, "spam", "S4")
    with pytest.raises(redis.ConnectionError):
        spam_feedback.learn_pending(feedback_world.acme)
    with schema_context(feedback_world.acme.schema_name):
        assert not QuarantineFeedback.objects.get().learned
    monkeypatch.undo()
    assert spam_feedback.learn_pending(feedback_world.acme) == 1
    assert _bulk_symbols(feedback_world.acme.schema_name, CAMPAIGN) == ["FUZZY_SPAM"]


def test_a_reports_attachment_reaches_the_bulk_signatures(feedback_world) -> None:
    from mailflow.mime import parse_message
    from mailflow.spam.fuzzy import file_digests

    scan = b"%PDF-1.4\n" + bytes(range(256)) * 40
    reported = build(subject="Scan", text="See attached.", attachments=(("scan.pdf", "application/pdf", scan),))
    again = build(subject="Document", text="Here it is.", attachments=(("doc-77.pdf", "application/pdf", scan),))
    [(digest, _)] = file_digests(parse_message(reported))
    try:
        _report(feedback_world.acme, reported, "spam", "S5")
        assert spam_feedback.learn_pending(feedback_world.acme) == 1
        assert _bulk_symbols(feedback_world.acme.schema_name, again) == ["FUZZY_SPAM_FILE"]
    finally:
        fuzzy.forget(files=[digest])


def test_a_reports_attached_page_reaches_the_bulk_signatures_by_its_text(feedback_world) -> None:
    from mailflow.mime import parse_message
    from mailflow.spam.fuzzy import file_sketches

    def page(who: str) -> bytes:
        return ("<html><body><p>Your mailbox session has expired. Sign in again to read the voice message left "
                "for you by the accounts department this morning.</p><form action='https://vm-portal.example/p'>"
                f"<input name='u' value='{who}'><input type='password' name='p'></form></body></html>").encode()

    reported = build(subject="Voicemail", text="New message.", attachments=(("VM_0412.htm", "text/html",
                                                                               page("bob@acme.example")),))
    again = build(subject="Voice message", text="You have a voice message.",
                  attachments=(("Play_VM.html", "text/html", page("carol@acme.example")),))
    [(sketch, _)] = file_sketches(parse_message(reported))
    try:
        _report(feedback_world.acme, reported, "spam", "S6")
        assert spam_feedback.learn_pending(feedback_world.acme) == 1
        assert "FUZZY_SPAM_FILE" in _bulk_symbols(feedback_world.acme.schema_name, again)
    finally:
        fuzzy.forget(sketch)
