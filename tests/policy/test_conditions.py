"""Every condition type, driven by real messages through the engine."""

from __future__ import annotations

import pytest

from policy import services
from tests.policy.conftest import ACTOR
from tests.policy.messages import PE_STUB, plain, with_attachment, zipped

BIG = plain(body="x" * 60 + "\n" * 1 + ("word " * 15 + "\n") * 800)
# a text attachment in a charset no codec knows: TextCensor reads it as UTF-8 (it once raised LookupError)
BOGUS_CHARSET = with_attachment(b"Details of project falcon.", "notes.txt", "text", "plain").replace(
    b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64",
    b'Content-Type: text/plain; charset="x-bogus-us-ascii"\r\nContent-Transfer-Encoding: base64')

# (condition, kwargs of a message that matches, kwargs of one that does not)
CASES = {
    "sender": ({"type": "sender", "patterns": ["*@partner.example"]},
               {"sender": "ann@partner.example"}, {"sender": "ann@other.example"}),
    "sender domain": ({"type": "sender", "patterns": ["partner.example"]},
                      {"sender": "ann@partner.example"}, {"sender": "ann@partner.example.evil"}),
    "recipient": ({"type": "recipient", "patterns": ["bob@acme.test"]},
                  {"recipients": ("bob@acme.test",)}, {"recipients": ("carol@acme.test",)}),
    "recipient_group": ({"type": "recipient_group", "groups": ["Marketing"]},
                        {"recipients": ("mia@acme.test",)}, {"recipients": ("hal@acme.test",)}),
    "message_size": ({"type": "message_size", "at_least": 50_000}, {"data": BIG}, {}),
    "recipient_count": ({"type": "recipient_count", "at_least": 3},
                        {"recipients": ("a@acme.test", "b@acme.test", "c@acme.test")}, {}),
    "client_ip": ({"type": "client_ip", "networks": ["198.51.100.0/24"]},
                  {"client_ip": "198.51.100.7"}, {"client_ip": "203.0.113.7"}),
    "header": ({"type": "header", "name": "X-Mailer", "pattern": "^bulkmailer"},
               {"data": plain(headers={"X-Mailer": "BulkMailer 9"})}, {"data": plain(headers={"X-Mailer": "Mutt"})}),
    "textcensor": ({"type": "textcensor", "script": "confidential-projects"},
                   {"data": plain(body="Details of project falcon are attached.\n")}, {}),
    "textcensor in an attachment of unknown charset": ({"type": "textcensor", "script": "confidential-projects"},
                                                       {"data": BOGUS_CHARSET}, {}),
    "attachment_type": ({"type": "attachment_type", "families": ["executable"]},
                        {"data": with_attachment(PE_STUB, "invoice.pdf", "application", "pdf")},
                        {"data": with_attachment(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n", "invoice.pdf", "application",
                                                 "pdf")}),
    "attachment_type in zip": ({"type": "attachment_type", "families": ["executable"]},
                               {"data": with_attachment(zipped({"setup.exe": PE_STUB}), "files.zip")},
                               {"data": with_attachment(zipped({"notes.txt": b"hello"}), "files.zip")}),
    "attachment_name": ({"type": "attachment_name", "patterns": ["*.mp3", "*.avi"]},
                        {"data": with_attachment(b"ID3\x03\x00" + b"\x00" * 200, "song.MP3")},
                        {"data": with_attachment(b"hello", "notes.txt", "text", "plain")}),
    "attachment_size": ({"type": "attachment_size", "at_least": 10_000},
                        {"data": with_attachment(b"a" * 20_000, "big.txt", "text", "plain")},
                        {"data": with_attachment(b"a" * 100, "small.txt", "text", "plain")}),
    "archive depth": ({"type": "archive", "min_depth": 2},
                      {"data": with_attachment(zipped({"inner.zip": zipped({"a.txt": b"x"})}), "outer.zip")},
                      {"data": with_attachment(zipped({"a.txt": b"x"}), "outer.zip")}),
    "archive bomb": ({"type": "archive", "facts": ["bomb"]},
                     {"data": with_attachment(zipped({"zeros.bin": b"\0" * (40 * 1024 * 1024)}), "z.zip")},
                     {"data": with_attachment(zipped({"a.txt": b"x"}), "a.zip")}),
    "spam_score": ({"type": "spam_score", "at_least": 1.5},  # a type mismatch (1.0) plus an executable (2.0)
                   {"data": with_attachment(PE_STUB, "invoice.pdf", "application", "pdf")}, {}),
    "time_of_day": ({"type": "time_of_day", "start": "00:00", "end": "23:59:59"}, {}, None),
    "always": ({"type": "always"}, {}, None),
}


@pytest.fixture
def marketing(world, committed):
    from django_tenants.utils import tenant_context

    from mailflow.models import Group, Mailbox

    with tenant_context(world.acme):
        group = Group.objects.create(name="Marketing")
        group.members.add(Mailbox.objects.create(address="mia@acme.test"))
        Mailbox.objects.create(address="hal@acme.test")
    yield
    with tenant_context(world.acme):
        Group.objects.all().delete()
        Mailbox.objects.all().delete()


def _rule(condition: dict, negate: bool = False) -> None:
    services.save_script(customer=None, name="confidential-projects", actor=ACTOR,
                         source='+10 "project falcon"\nTHRESHOLD 10\n')
    services.create_rule(customer=None, actor=ACTOR, name="probe", level="global",
                         conditions=[{**condition, "negate": negate}],
                         actions=[{"type": "add_header", "name": "X-Matched", "value": condition["type"]}])


def _matched(run, kwargs: dict) -> bool:
    kwargs = dict(kwargs)
    data = kwargs.pop("data", plain())
    outcome, _ = run(data, **kwargs)
    assert outcome == "delivered"
    return any(b"X-Matched:" in m.data for m in run.delivered())


@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_condition_matches_and_does_not(run, marketing, case):
    condition, match, miss = CASES[case]
    _rule(condition)
    assert _matched(run, match) is True
    if miss is not None:
        run.sink.handler.reset()
        assert _matched(run, miss) is False


def test_negated_condition(run):
    _rule({"type": "sender", "patterns": ["*@partner.example"]}, negate=True)
    assert _matched(run, {"sender": "x@other.example"}) is True


def test_every_registered_condition_is_covered():
    from policy.conditions import registry

    covered = {c[0]["type"] for c in CASES.values()}
    untested_here = {"virus", "unscannable", "url", "country", "auth", "impersonation"}  # facts: test_verdicts
    assert set(registry.names()) - covered == untested_here
