"""Bulk signatures: copies of reported mail recognised across customers, in the platform's Redis."""

from __future__ import annotations

import uuid

import pytest

from mailflow.checks import fuzzy
from mailflow.checks.fuzzy import PROVIDER, BulkSignatures
from mailflow.checks.urls import UrlCensor
from mailflow.spam.fuzzy import sketch_text
from tests.mailflow.checks.conftest import context, symbol_names
from tests.mailflow.checks.samples import mail

CAMPAIGN = (
    "Dear {name},\n\n"
    "Your mailbox {mark} has exceeded its storage quota of {size} GB and incoming messages are now being "
    "returned to their senders. To keep receiving mail, confirm your account within 24 hours at "
    "https://{host}/quota?id={order} and the quota will be raised at no cost to you.\n\n"
    "If you do not confirm, your mailbox will be closed and its contents deleted on {day}.\n\n"
    "Mail Administrator\n"
)


def campaign(mark: str, name: str = "Bob", size: int = 50, host: str = "quota-desk.example",
             order: int = 81723, day: str = "Friday") -> str:
    return CAMPAIGN.format(mark=mark, name=name, size=size, host=host, order=order, day=day)


@pytest.fixture
def reports(node):
    """Reports made by a test, dropped again afterwards (texts carry a mark no other test uses)."""
    made = []

    def make(text: str, label: str, reporter: str) -> None:
        sketch = sketch_text(text)
        assert sketch is not None
        fuzzy.report([(sketch, label)], reporter)
        made.append(sketch)

    yield make
    for sketch in made:
        fuzzy.forget(sketch)


def judge(body: str, customer: str = "acme"):
    ctx = context(mail("Mailbox quota", body=body).as_bytes())
    ctx.envelope.customer = customer
    UrlCensor().run(ctx)
    BulkSignatures().run(ctx)
    return ctx, symbol_names(ctx)


def score_of(ctx, name: str) -> float:
    return next(s.score for s in ctx.symbols if s.name == name)


def mark() -> str:
    return f"box{uuid.uuid4().hex[:10]}"


def test_a_copy_with_names_numbers_and_links_changed_is_recognised(reports):
    m = mark()
    reports(campaign(m), "spam", PROVIDER)
    copy = campaign(m, name="Carol", size=20, host="quota-help.example", order=55190, day="Monday")
    ctx, symbols = judge(copy + "\nThis is an automated message, do not reply.\n")
    assert "FUZZY_SPAM" in symbols
    assert 4.0 < score_of(ctx, "FUZZY_SPAM") <= 7.0
    assert ctx.facts["fuzzy"]["verdict"] == "spam" and ctx.facts["fuzzy"]["resemblance"] >= 0.6
    # the very same text: full resemblance, full score
    ctx, _ = judge(campaign(m))
    assert score_of(ctx, "FUZZY_SPAM") == 7.0


def test_different_mail_and_a_quoted_paragraph_are_not_copies(reports):
    m = mark()
    reports(campaign(m), "spam", PROVIDER)
    _, symbols = judge("Hi Bob,\n\nthe minutes of Tuesday's meeting are attached; the budget review moves to "
                       "next week and Dana will send the revised figures before then.\n\nAlice\n")
    assert "FUZZY_SPAM" not in symbols
    # a long reply that quotes the campaign's first paragraph among much of its own
    own = ("Three of our users received it this morning and one of them clicked the link before asking. "
           "We reset his password, revoked the sessions on his phone and laptop, and checked the sign-in log: "
           "nobody else signed in from outside the office. The sending server is a hosting company in another "
           "country, so I have asked them to take the page down and added the domain to our block list. "
           "Please remind your teams that our mailboxes have no quota warnings of this kind; real notices "
           "come from the service desk and never ask for a password. I will send a short note to all staff "
           "after lunch with a picture of the message so people recognise it next time.\n\nRegards,\nDana")
    quoted = "> " + campaign(m).split("\n\n")[1]
    _, symbols = judge(f"Team,\n\nbeware of this one:\n\n{quoted}\n\n{own}\n")
    assert "FUZZY_SPAM" not in symbols


def test_one_customers_report_counts_for_that_customer_until_others_agree(reports, settings):
    settings.SPE_FUZZY_QUORUM = 2
    m = mark()
    text = campaign(m)
    reports(text, "spam", "c_acme")
    assert "FUZZY_SPAM" in judge(text, customer="c_acme")[1]
    assert "FUZZY_SPAM" not in judge(text, customer="c_globex")[1]  # one customer alone decides for no one else
    reports(text, "spam", "c_initech")
    assert "FUZZY_SPAM" in judge(text, customer="c_globex")[1]  # two customers agree: it counts for all


def test_not_spam_from_the_customer_or_the_provider_outweighs_spam_reports(reports):
    m = mark()
    text = campaign(m)
    for reporter in ("c_initech", "c_umbrella", "c_hooli"):
        reports(text, "spam", reporter)
    reports(text, "ham", "c_acme")
    ctx, symbols = judge(text, customer="c_acme")
    assert "FUZZY_SPAM" not in symbols and score_of(ctx, "FUZZY_HAM") < 0
    assert "FUZZY_SPAM" in judge(text, customer="c_globex")[1]
    reports(text, "ham", PROVIDER)
    assert "FUZZY_SPAM" not in judge(text, customer="c_globex")[1]


def test_a_reporter_changing_its_mind_replaces_its_report(reports):
    text = campaign(mark())
    reports(text, "spam", PROVIDER)
    reports(text, "ham", PROVIDER)
    symbols = judge(text)[1]
    assert "FUZZY_SPAM" not in symbols and "FUZZY_HAM" in symbols


def test_short_mail_has_no_sketch_and_is_not_looked_up(node):
    ctx, symbols = judge("Thanks Bob, see you at three.\n")
    assert ctx.facts["fuzzy"] is None and "fuzzy_error" not in ctx.facts
    assert not {"FUZZY_SPAM", "FUZZY_HAM"} & set(symbols)


def test_reports_expire_after_the_configured_days(reports, settings):
    settings.SPE_FUZZY_TTL_DAYS = 2
    text = campaign(mark())
    reports(text, "spam", PROVIDER)
    from tenants.cache import client

    sketch = sketch_text(text)
    for key in (f"{fuzzy.DIGEST}{sketch.digest}", f"{fuzzy.SPAM}{sketch.digest}", f"{fuzzy.VALUE}{sketch.values[0]}"):
        assert 0 < client().ttl(key) <= 2 * 86400


def test_an_unreachable_store_lets_mail_through_and_says_why(node, settings, monkeypatch):
    import redis

    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.5, socket_timeout=0.5)
    monkeypatch.setattr(fuzzy, "_client", lambda: unreachable)
    ctx, symbols = judge(campaign(mark()))
    assert ctx.facts["fuzzy"] is None and "ConnectionError" in ctx.facts["fuzzy_error"]
    assert not {"FUZZY_SPAM", "FUZZY_HAM"} & set(symbols)


def test_the_check_can_be_switched_off(reports, settings):
    text = campaign(mark())
    reports(text, "spam", PROVIDER)
    settings.SPE_FUZZY = False
    assert "FUZZY_SPAM" not in judge(text)[1]


def test_a_phrase_in_many_reported_texts_is_skipped_and_the_copy_still_found(reports):
    from tenants.cache import client

    text = campaign(mark())
    reports(text, "spam", PROVIDER)
    common = f"{fuzzy.VALUE}{sketch_text(text).values[0]}"
    crowd = [f"other{n:03d}" for n in range(fuzzy.MAX_DIGESTS_PER_VALUE + 10)]
    client().sadd(common, *crowd)
    try:
        [match] = fuzzy.lookup(sketch_text(text))
        assert match.spam == {PROVIDER} and match.resemblance == pytest.approx(31 / 32, abs=0.01)
    finally:
        client().srem(common, *crowd)


def _with_file(text: str, name: str, data: bytes) -> bytes:
    msg = mail("Your statement", body=text)
    msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return msg.as_bytes()


def judge_raw(raw: bytes, customer: str = "acme"):
    ctx = context(raw)
    ctx.envelope.customer = customer
    BulkSignatures().run(ctx)
    return ctx, symbol_names(ctx)


def test_the_same_attachment_under_another_text_and_name_is_recognised(node, settings):
    from mailflow.mime import parse_message
    from mailflow.spam.fuzzy import file_digests

    settings.SPE_FUZZY_QUORUM = 2
    statement = b"%PDF-1.4\n" + uuid.uuid4().bytes * 300  # a campaign's PDF, new to the store
    reported = _with_file("Please see the attached statement.", "statement.pdf", statement)
    [(digest, _)] = file_digests(parse_message(reported))
    fuzzy.report([], PROVIDER, files=[(digest, "spam")])
    try:
        ctx, symbols = judge_raw(_with_file("Hi, the invoice you asked for.", "invoice-0412.pdf", statement))
        assert "FUZZY_SPAM_FILE" in symbols and ctx.facts["fuzzy_files"] == ["invoice-0412.pdf"]
        other = b"%PDF-1.4\n" + uuid.uuid4().bytes * 300
        ctx, symbols = judge_raw(_with_file("Hi, the invoice you asked for.", "invoice-0412.pdf", other))
        assert "FUZZY_SPAM_FILE" not in symbols and ctx.facts["fuzzy_files"] == []
        # a customer's own report counts for it at once, for the others once a second customer agrees
        assert fuzzy.forget(files=[digest])  # the provider takes its report back
        assert "FUZZY_SPAM_FILE" not in judge_raw(reported)[1]
        fuzzy.report([], "c_acme", files=[(digest, "spam")])
        assert "FUZZY_SPAM_FILE" in judge_raw(reported, customer="c_acme")[1]
        assert "FUZZY_SPAM_FILE" not in judge_raw(reported, customer="c_globex")[1]
        fuzzy.report([], "c_initech", files=[(digest, "spam")])
        assert "FUZZY_SPAM_FILE" in judge_raw(reported, customer="c_globex")[1]
    finally:
        fuzzy.forget(files=[digest])


LOGIN_PAGE = (
    "<html><head><title>Document shared with you</title></head><body>"
    "<div class='box'><p>Your session has expired. Sign in again with your organisation account to view the "
    "document {ref} that was shared with you by the finance department.</p>"
    "<form action='https://{host}/collect.php' method='post'><input name='login' value='{who}'>"
    "<input type='password' name='pass'><button>Sign in to view</button></form>"
    "<p>Protected by document security. Do not share this link.</p></div></body></html>"
)


def _with_page(text: str, page: str, name: str) -> bytes:
    msg = mail("Shared document", body=text)
    msg.add_attachment(page.encode(), maintype="text", subtype="html", filename=name)
    return msg.as_bytes()


def test_an_attached_page_rebuilt_for_each_recipient_is_recognised_by_its_text(node, settings):
    from mailflow.mime import parse_message
    from mailflow.spam.fuzzy import file_sketches

    settings.SPE_FUZZY_QUORUM = 2
    ref = mark()
    page_for_bob = LOGIN_PAGE.format(ref=ref, host="docs-view.example", who="bob@acme.example")
    reported = _with_page("Please review.", page_for_bob, "Remittance.htm")
    parsed = parse_message(reported)
    [(page, name)] = file_sketches(parsed)
    assert name == "Remittance.htm"
    fuzzy.report([(page, "spam")], PROVIDER)
    try:
        # the same kit for another reader, under another text and name: its bytes differ, its text does not
        copy = _with_page("Hi, the remittance you asked for.",
                          LOGIN_PAGE.format(ref=ref, host="docs-view.example", who="carol@globex.example"),
                          "Payment_0412.html")
        ctx, symbols = judge_raw(copy)
        assert "FUZZY_SPAM_FILE" in symbols and ctx.facts["fuzzy_files"] == ["Payment_0412.html"]
        assert 0 < score_of(ctx, "FUZZY_SPAM_FILE") <= 6.0
        other = _with_page("Hi, the agenda.", "<html><body><h1>Agenda</h1><p>" + " ".join(
            f"item {i} {mark()} discussion and decision" for i in range(12)) + "</p></body></html>", "agenda.html")
        assert "FUZZY_SPAM_FILE" not in judge_raw(other)[1]
    finally:
        fuzzy.forget(page)


def test_an_office_document_is_recognised_by_its_text(node):
    import io
    import zipfile

    from mailflow.mime import parse_message
    from mailflow.spam.fuzzy import file_sketches

    def docx(who: str, ref: str) -> bytes:
        body = "".join(f"<w:p><w:r><w:t>{line}</w:t></w:r></w:p>" for line in (
            f"Dear {who},", f"Invoice {ref} is overdue and must be paid today to avoid legal collection costs.",
            "Transfer the amount to the new account given below and send the remittance to this address.",
            "Our previous bank account is closed and payments to it will be returned to you."))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", f"<w:document><w:body>{body}</w:body></w:document>")
        return buffer.getvalue()

    def message(who: str, ref: str) -> bytes:
        msg = mail("Overdue invoice", body="See attached.")
        msg.add_attachment(docx(who, ref), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                           filename="invoice.docx")
        return msg.as_bytes()

    ref = mark()
    [(document, name)] = file_sketches(parse_message(message("Bob Smith", ref)))
    assert name == "invoice.docx"
    fuzzy.report([(document, "spam")], PROVIDER)
    try:
        assert "FUZZY_SPAM_FILE" in judge_raw(message("Carol Jones", ref))[1]
    finally:
        fuzzy.forget(document)
