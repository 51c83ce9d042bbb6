"""Every action type, and rule levels, order and stop-processing, through the engine."""

from __future__ import annotations

import email
import email.policy

import pytest
from django_tenants.utils import tenant_context

from policy import services
from policy.models import RulePackage
from tests.policy.conftest import ACTOR
from tests.policy.messages import PE_STUB, html_message, plain, with_attachment


def rule(actions: list[dict], conditions: list[dict] | None = None, **fields) -> None:
    fields.setdefault("level", "global")
    services.create_rule(customer=fields.pop("customer", None), actor=ACTOR, name=fields.pop("name", "r"),
                         conditions=conditions or [{"type": "always"}], actions=actions, **fields)


def parse(data: bytes):
    return email.message_from_bytes(data, policy=email.policy.default)


def test_quarantine_into_named_folder(run):
    rule([{"type": "quarantine", "category": "legal-hold"}])
    assert run(plain())[0] == "quarantined"
    assert run.sink.handler.count == 0


def test_delete_is_logged_not_delivered(run):
    rule([{"type": "delete", "reason": "not wanted"}])
    assert run(plain())[0] == "deleted"
    assert run.sink.handler.count == 0


def test_bounce_returns_a_dsn_with_the_reason(run):
    rule([{"type": "bounce", "reason": "Attachments of this type are not accepted"}])
    assert run(plain(), sender="someone@acme.test")[0] == "bounced"  # the DSN goes back to a hosted sender


def test_strip_attachment_by_true_type_and_add_notice(run):
    rule([{"type": "strip_attachments", "families": ["executable"]}])
    run(with_attachment(PE_STUB, "invoice.pdf", "application", "pdf"))
    [m] = run.delivered()
    msg = parse(m.data)
    names = [p.get_filename() for p in msg.iter_attachments()]
    assert "invoice.pdf" not in names
    assert "attachment-removed.txt" in names
    assert b"MZ\x90" not in m.data


def test_tag_subject_once(run):
    rule([{"type": "tag_subject", "tag": "[EXTERNAL]"}])
    run(plain(subject="[EXTERNAL] Re: hello"))
    run(plain(subject="Quarterly"))
    subjects = sorted(parse(m.data)["Subject"] for m in run.delivered(2))
    assert subjects == ["[EXTERNAL] Quarterly", "[EXTERNAL] Re: hello"]


def test_footer_added_to_plain_and_html_once(run):
    rule([{"type": "footer", "text": "Scanned by Example ISP. Support: 0800 123 456"}])
    run(html_message("<html><body><p>Hi there</p></body></html>"))
    [m] = run.delivered()
    msg = parse(m.data)
    plain_part = msg.get_body(("plain",)).get_content()
    html_part = msg.get_body(("html",)).get_content()
    assert plain_part.count("Scanned by Example ISP") == 1
    assert html_part.count("Scanned by Example ISP") == 1
    assert html_part.index("Scanned by") < html_part.index("</body>")
    run.sink.handler.reset()
    run(m.data)  # the same message passing the gateway again
    [again] = run.delivered()
    assert parse(again.data).get_body(("plain",)).get_content().count("Scanned by Example ISP") == 1


def spooled(run) -> list:
    """Messages the engine spooled besides the one it processed (copies, notices)."""
    from mailflow import spool as spool_mod

    return [run.gw.spool.read(run.gw.spool.path(i)) for i, _ in run.gw.spool.entries(spool_mod.INCOMING)]


def test_copy_to_compliance_mailbox(run):
    rule([{"type": "copy_to", "to": ["compliance@acme.test"]}])
    assert run(plain(subject="Copied"))[0] == "delivered"
    [(envelope, data)] = spooled(run)
    assert envelope.recipients == ["compliance@acme.test"]
    assert envelope.processed  # a copy is not filtered twice
    assert b"Subject: Copied" in data


def test_redirect_replaces_recipients(run):
    rule([{"type": "redirect", "to": ["review@acme.test"]}])
    run(plain())
    [m] = run.delivered()
    assert m.rcpt_tos == ["review@acme.test"]


def test_add_header(run):
    rule([{"type": "add_header", "name": "X-Policy", "value": "checked"}])
    run(plain())
    assert b"X-Policy: checked" in run.delivered()[0].data


def test_classify_labels_the_message(run):
    import json

    from mailflow import msglog

    rule([{"type": "classify", "label": "Newsletters"}])
    _, spool_id = run(plain())
    records = [json.loads(r) for r in run.gw.redis.lrange(msglog.QUEUE, 0, -1)]
    [record] = [r for r in records if r["spool_id"] == spool_id]
    assert record["facts"]["classifications"] == ["Newsletters"]


def test_delay_large_messages_to_off_peak(run):
    rule([{"type": "delay", "start": "00:00", "end": "00:00:01"}],
         conditions=[{"type": "message_size", "at_least": 1}])
    assert run(plain())[0] == "delayed"
    assert run.sink.handler.count == 0


def test_deliver_only_to_group_members(run, world, committed):
    from mailflow.models import Group, Mailbox

    with tenant_context(world.acme):
        group = Group.objects.create(name="Marketing")
        group.members.add(Mailbox.objects.create(address="mia@acme.test"))
    try:
        rule([{"type": "deliver_to_group", "group": "Marketing"}],
             conditions=[{"type": "attachment_type", "families": ["image"]}])
        png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
        run(with_attachment(png, "photo.png", "image", "png"), recipients=("mia@acme.test", "hal@acme.test"))
        [m] = run.delivered()
        assert m.rcpt_tos == ["mia@acme.test"]
    finally:
        with tenant_context(world.acme):
            Group.objects.all().delete()
            Mailbox.objects.all().delete()


def test_notify_administrator_from_template(run):
    rule([{"type": "notify", "who": "admin", "to": ["it@acme.test"], "subject": "Held: {subject}",
           "body": "Rule {rule} held mail from {sender}."}, {"type": "quarantine"}], name="exe-guard")
    assert run(plain(subject="Payroll"))[0] == "quarantined"
    [(envelope, data)] = spooled(run)
    assert envelope.recipients == ["it@acme.test"]
    assert b"Subject: Held: Payroll" in data
    assert b"Rule exe-guard held mail from someone@example.net." in data


@pytest.mark.parametrize("bad", [
    {"type": "add_header", "name": "Bad Name", "value": "x"},
    {"type": "add_header", "name": "X-A", "value": "line\r\nBcc: evil@example.net"},
    {"type": "quarantine", "category": "../etc"},
    {"type": "notify", "who": "admin", "to": ["it@acme.test"], "body": "{password}"},
    {"type": "copy_to", "to": ["not an address"]},
    {"type": "no_such_action"},
])
def test_bad_action_is_refused_on_save(world, committed, bad):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=r"actions\[0\]"):
        rule([bad])


def test_levels_run_in_order_global_array_package_customer(run, world):
    package = RulePackage.objects.create(slug="stamp-pack", name="Stamp pack")
    rule([{"type": "add_header", "name": "X-Order", "value": "4-customer"}], level="customer",
         customer=world.acme, order=1)
    rule([{"type": "add_header", "name": "X-Order", "value": "3-package"}], level="package", package=package,
         order=1)
    rule([{"type": "add_header", "name": "X-Order", "value": "2-array"}], level="array", array_slug="default",
         order=1)
    rule([{"type": "add_header", "name": "X-Order", "value": "1-global"}], level="global", order=50)
    services.set_package(world.acme, "stamp-pack", enabled=True, actor=ACTOR)
    run(plain())
    values = parse(run.delivered()[0].data).get_all("X-Order")
    assert values == ["1-global", "2-array", "3-package", "4-customer"]


def test_package_rules_apply_only_to_customers_who_switched_them_on(run, world):
    package = RulePackage.objects.create(slug="block-exe", name="Block executables")
    rule([{"type": "quarantine", "category": "attachment"}], level="package", package=package,
         conditions=[{"type": "attachment_type", "families": ["executable"]}])
    services.set_package(world.acme, "block-exe", enabled=True, actor=ACTOR)
    exe = with_attachment(PE_STUB, "tool.exe")
    assert run(exe)[0] == "quarantined"
    assert run(exe, customer="globex", recipients=("x@globex.test",))[0] == "delivered"


def test_stop_processing_ends_the_rules(run):
    rule([{"type": "add_header", "name": "X-First", "value": "1"}], order=1, stop_processing=True)
    rule([{"type": "add_header", "name": "X-Second", "value": "1"}], order=2)
    run(plain())
    data = run.delivered()[0].data
    assert b"X-First: 1" in data
    assert b"X-Second" not in data


def test_direction_and_applies_to_with_exceptions(run, world):
    rule([{"type": "add_header", "name": "X-Hit", "value": "1"}], direction="inbound",
         applies_to={"domains": ["acme.test"], "except_users": ["ceo@acme.test"]})
    run(plain(), recipients=("bob@acme.test",))
    run(plain(), recipients=("ceo@acme.test",))
    hits = {m.rcpt_tos[0]: b"X-Hit: 1" in m.data for m in run.delivered(2)}
    assert hits == {"bob@acme.test": True, "ceo@acme.test": False}


def test_predelivery_rule_stamps_mail_that_will_be_delivered(run):
    rule([{"type": "add_header", "name": "X-Provider", "value": "Example ISP, support 0800 123"}],
         level="predelivery")
    rule([{"type": "quarantine"}], conditions=[{"type": "sender", "patterns": ["*@spam.example"]}])
    run(plain())
    assert b"X-Provider: Example ISP" in run.delivered()[0].data
    assert run(plain(), sender="x@spam.example")[0] == "quarantined"


def test_rule_for_some_users_holds_only_their_copy(run, world):
    rule([{"type": "quarantine", "category": "legal"}], applies_to={"users": ["ceo@acme.test"]},
         conditions=[{"type": "header", "name": "Subject", "pattern": "merger"}])
    outcome, _ = run(plain(subject="The merger"), recipients=("ceo@acme.test", "bob@acme.test"))
    assert outcome == "quarantined"  # the CEO's copy, processed first
    from mailflow import spool as spool_mod
    from mailflow import worker

    [(other, _)] = list(run.gw.spool.entries(spool_mod.INCOMING))
    assert worker.process_entry(other) == "delivered"
    [m] = run.delivered()
    assert m.rcpt_tos == ["bob@acme.test"]


def test_messages_are_not_split_without_per_user_policy(run):
    rule([{"type": "add_header", "name": "X-All", "value": "1"}])
    assert run(plain(), recipients=("ceo@acme.test", "bob@acme.test"))[0] == "delivered"
    [m] = run.delivered()
    assert sorted(m.rcpt_tos) == ["bob@acme.test", "ceo@acme.test"]


def _one_part(charset: bytes, cte: bytes, body: bytes, subject: bytes = b"Notice") -> bytes:
    return (b"From: someone@example.net\r\nTo: bob@acme.test\r\nSubject: " + subject + b"\r\n"
            b"Date: Fri, 27 Nov 2026 10:00:00 +0000\r\nMessage-ID: <one-part@example.net>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: text/plain; charset=" + charset + b"\r\nContent-Transfer-Encoding: " + cte + b"\r\n\r\n"
            + body)


@pytest.mark.parametrize(("charset", "cte", "body", "kept"), [
    (b"x-bogus-us-ascii", b"7bit", b"Parcel held at the depot.\r\n", "Parcel held at the depot."),  # no such codec
    (b"us-ascii", b"7bit", "Caf\u00e9 opening hours.\r\n".encode(), "Caf\u00e9 opening hours."),  # 8-bit in 7bit
    (b"idna", b"8bit", b"\xb5 Grid report.\r\n", "Grid report."),  # a codec that ignores "replace"
])
def test_footer_on_a_part_in_any_charset(run, charset, cte, body, kept):
    rule([{"type": "footer", "text": "Scanned by Example ISP"}])
    assert run(_one_part(charset, cte, body))[0] == "delivered"  # it once failed and stayed in the spool
    [m] = run.delivered()
    text = parse(m.data).get_body(("plain",)).get_content()
    assert kept in text and text.count("Scanned by Example ISP") == 1


def test_tag_subject_when_an_encoded_word_hides_a_line_break(run):
    rule([{"type": "tag_subject", "tag": "[EXTERNAL]"}])
    subject = b"=?utf-8?q?Invoice=0D=0Adue=0Bnow?="
    assert run(_one_part(b"utf-8", b"7bit", b"Hello\r\n", subject=subject))[0] == "delivered"
    [m] = run.delivered()
    assert parse(m.data)["Subject"] == "[EXTERNAL] Invoice due now"


def test_an_action_the_message_defeats_holds_it_for_review(run, monkeypatch):
    from django_tenants.utils import schema_context

    from mailflow.actions.rewrite import Footer
    from mailflow.models import QuarantineItem
    from tests.mailflow.quarantine.support import flush

    def defeated(self, ctx, params):
        raise RecursionError("maximum recursion depth exceeded")  # as a structure nested too deep once did

    monkeypatch.setattr(Footer, "apply", defeated)
    rule([{"type": "footer", "text": "Scanned by Example ISP"}], name="disclaimer")
    outcome, spool_id = run(plain())  # it once failed and stayed in the spool
    assert outcome == "quarantined" and run.sink.handler.count == 0
    flush(run.gw)
    with schema_context("c_acme"):
        item = QuarantineItem.objects.get(spool_id=spool_id)
    assert (item.category, item.rule) == ("policy", "disclaimer")
    assert item.reason == "rule disclaimer: the footer action could not be applied to this message (RecursionError)"


def test_a_rewritten_message_keeps_the_senders_header_fields_as_they_came(run):
    rule([{"type": "tag_subject", "tag": "[EXTERNAL]"}])
    long_line = b"List-Unsubscribe: <https://news.example.net/u/" + b"a1b2c3" * 30 + b">, <mailto:u@example.net>\r\n"
    folded = b"X-Campaign: spring;\r\n\tsegment=" + b"x" * 200 + b";\r\n  variant=b\r\n"
    sent = plain().replace(b"\r\nSubject:", b"\r\n" + long_line + folded + b"Subject:", 1)
    assert run(sent)[0] == "delivered"
    [m] = run.delivered()
    assert long_line in m.data and folded in m.data  # not refolded: a DKIM signature over them still holds
    assert parse(m.data)["Subject"].startswith("[EXTERNAL] ")


def test_tag_subject_on_a_subject_longer_than_a_line_keeps_its_first_998_characters(run):
    rule([{"type": "tag_subject", "tag": "[EXTERNAL]"}])
    long_subject = ("Quarterly figures " * 300).strip()
    folded = long_subject.encode().replace(b"figures Quarterly", b"figures\r\n Quarterly")  # legal lines
    assert run(plain().replace(b"Subject: ", b"Subject: " + folded + b"\r\nX-Was: ", 1))[0] == "delivered"
    [m] = run.delivered()
    assert parse(m.data)["Subject"] == "[EXTERNAL] " + long_subject[:998]
