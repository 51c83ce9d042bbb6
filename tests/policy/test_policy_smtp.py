"""The policy issue's end-to-end cases, over real SMTP through receiver, workers and sender."""

from __future__ import annotations

import email
import email.policy
import email.utils
import time

import pytest
from django_tenants.utils import schema_context

from policy import services
from policy.models import PackageSubscription, RulePackage
from policy.textcensor import load_default_scripts
from tests.factories import clear_policy
from tests.mailflow.test_end_to_end import by_subject, message, send, wait_log
from tests.policy.conftest import ACTOR
from tests.policy.messages import PE_STUB

pytestmark = pytest.mark.smtp


@pytest.fixture
def policy(world, committed):
    clear_policy(world)
    yield
    clear_policy(world)
    time.sleep(0.5)  # let the workers see the cleared policy


def _settle() -> None:
    time.sleep(0.6)  # workers check the config version every 0.2 s in tests


def test_outbound_profanity_is_quarantined(mailpath, clean_sink, policy, world):
    package = RulePackage.objects.create(slug="profanity", name="Profanity filter")
    services.save_script(customer=None, name="profanity", source=load_default_scripts()["profanity"], actor=ACTOR)
    services.create_rule(customer=None, actor=ACTOR, name="Profanity filter", level="package", package=package,
                         direction="outbound", conditions=[{"type": "textcensor", "script": "profanity"}],
                         actions=[{"type": "quarantine", "category": "profanity"}])
    services.set_package(world.acme, "profanity", enabled=True, actor=ACTOR)
    _settle()
    rude = message("About the printer", sender="bob@acme.test", to="friend@example.net",
                   body=b"This fucking printer is broken again.\r\n")
    spool_id = send(mailpath.smtp_port, "bob@acme.test", ["friend@example.net"], rude, source="127.0.0.2")
    row = wait_log("c_acme", spool_id, "quarantined")
    assert row.rules == ["Profanity filter"]
    polite = message("About the scanner", sender="bob@acme.test", to="friend@example.net",
                     body=b"The scanner works fine.\r\n")
    send(mailpath.smtp_port, "bob@acme.test", ["friend@example.net"], polite, source="127.0.0.2")
    by_subject(clean_sink, "About the scanner")
    assert not [m for m in clean_sink.handler.messages if b"About the printer" in m.data]
    with schema_context(world.acme.schema_name):
        PackageSubscription.objects.all().delete()


def test_inbound_exe_renamed_pdf_is_stripped_and_delivered_with_notice(mailpath, clean_sink, policy):
    services.create_rule(customer=None, actor=ACTOR, name="Strip executables", level="global", direction="inbound",
                         conditions=[{"type": "attachment_type", "families": ["executable"]}],
                         actions=[{"type": "strip_attachments", "families": ["executable"],
                                   "notice": "The attachment {name} was removed: it is a program."}])
    _settle()
    msg = email.message.EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "billing@example.net", "bob@acme.test", "Your invoice"
    # Date and Message-ID as real mail has them: this test is about the attachment, not the spam score
    msg["Date"], msg["Message-ID"] = email.utils.formatdate(), email.utils.make_msgid(domain="example.net")
    msg.set_content("Invoice attached.")
    msg.add_attachment(PE_STUB, maintype="application", subtype="pdf", filename="invoice.pdf")
    data = msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    send(mailpath.smtp_port, "billing@example.net", ["bob@acme.test"], data)
    [arrived] = by_subject(clean_sink, "Your invoice")
    delivered = email.message_from_bytes(arrived.data, policy=email.policy.default)
    attachments = {p.get_filename(): p.get_content() for p in delivered.iter_attachments()}
    assert "invoice.pdf" not in attachments
    assert "The attachment invoice.pdf was removed: it is a program." in attachments["attachment-removed.txt"]
    assert b"MZ\x90" not in arrived.data
    assert delivered.get_body(("plain",)).get_content().strip() == "Invoice attached."


def test_provider_footer_is_added_once_to_outbound_mail(mailpath, clean_sink, policy):
    services.create_rule(customer=None, actor=ACTOR, name="Provider footer", level="predelivery",
                         direction="outbound", conditions=[{"type": "always"}],
                         actions=[{"type": "footer", "text": "Protected by Example ISP Mail Security"}])
    _settle()
    data = message("Footer please", sender="bob@acme.test", to="friend@example.net", body=b"Hello there.\r\n")
    send(mailpath.smtp_port, "bob@acme.test", ["friend@example.net"], data, source="127.0.0.2")
    [first] = by_subject(clean_sink, "Footer please")
    assert first.data.count(b"Protected by Example ISP Mail Security") == 1
    clean_sink.handler.reset()
    send(mailpath.smtp_port, "bob@acme.test", ["friend@example.net"], first.data, source="127.0.0.2")
    [second] = by_subject(clean_sink, "Footer please")
    assert second.data.count(b"Protected by Example ISP Mail Security") == 1
