"""Mail imitating the customer's own domain, or using it without authentication, is marked."""

from __future__ import annotations

import pytest

from mailflow import spool as spool_mod
from mailflow.checks.impersonation import Impersonation, lookalike_kind
from mailflow.engine.context import MessageContext
from mailflow.routing import DomainRoute, RoutingTable
from tests.mailflow.checks.samples import mail

TABLE = RoutingTable(domains={
    d: DomainRoute(domain=d, customer=c, host="127.0.0.1", port=25)
    for d, c in (("acme.test", "acme"), ("acme-group.test", "acme"), ("initech-systems.test", "initech"),
                 ("globex.test", "globex"))
})
CYRILLIC_A_ACME = "xn--cme-5cd.test"  # "acme" with its first letter Cyrillic (U+0430)


def run(sender: str, *, customer: str = "acme", reply_to: str | None = None, mail_from: str | None = None,
        facts: dict | None = None) -> MessageContext:
    msg = mail("Wire transfer today", sender=sender)
    if reply_to:
        msg["Reply-To"] = reply_to
    envelope = spool_mod.Envelope(mail_from=mail_from or "bounce@mailer.example.net", recipients=["bob@acme.test"],
                                  customer=customer, direction="inbound", client_ip="81.2.69.160")
    ctx = MessageContext("test-entry", envelope, msg.as_bytes(), None, TABLE)  # type: ignore[arg-type]
    ctx.facts.update(facts or {"spf": "none", "spf_domain": "mailer.example.net", "dkim_domains": []})
    Impersonation().run(ctx)
    return ctx


def scores(ctx: MessageContext) -> dict[str, float]:
    return {s.name: s.score for s in ctx.symbols}


@pytest.mark.parametrize(("domain", "kind", "points"), [
    ("acrne.test", "look-alike letters", 4.0),
    (CYRILLIC_A_ACME, "look-alike letters", 4.0),
    ("acme-payroll.test", "name plus a word", 3.0),
    ("acmegroup.test", "hyphens changed", 3.0),
    ("acme.co.uk", "same name, other suffix", 2.0),
])
def test_look_alikes_of_the_customers_domains(domain, kind, points):
    ctx = run(f"CEO <ceo@{domain}>")
    assert ctx.facts["lookalike_of"][domain]["kind"] == kind
    assert scores(ctx) == {"FROM_LOOKALIKE_OWN_DOMAIN": points}


def test_typing_slips_count_in_long_names_only():
    assert lookalike_kind("initech-sytsems.test", "initech-systems.test") == "typing slip"
    assert lookalike_kind("inittechsystems.test", "initechsystems.test") == "typing slip"
    assert lookalike_kind("initechsystem.test", "initechsystems.test") == "typing slip"
    assert lookalike_kind("globxe.test", "globex.test") == "typing slip"
    assert lookalike_kind("globe.test", "globex.test") is None  # one letter less in a short name: another word


def test_reply_to_and_envelope_sender_are_compared_too():
    ctx = run("Partner <ap@partner.example.net>", reply_to="ceo@acme-finance.test",
              mail_from="x@acrne.test")
    assert ctx.facts["lookalike_of"]["acme-finance.test"]["in"] == "Reply-To"
    assert ctx.facts["lookalike_of"]["acrne.test"]["in"] == "envelope sender"


def test_other_companies_and_the_customers_own_domains_are_not_look_alikes():
    for sender in ("Supplier <sales@globex.test>", "Group <news@acme-group.test>", "A <a@mail.acme.test>",
                   "Bank <info@example-bank.test>"):
        ctx = run(sender, facts={"spf": "pass", "spf_domain": sender.split("@")[1].rstrip(">"), "dkim_domains": []})
        assert "FROM_LOOKALIKE_OWN_DOMAIN" not in scores(ctx), sender
    # another customer's look-alike is its business, not acme's
    assert "FROM_LOOKALIKE_OWN_DOMAIN" not in scores(run("x <x@gl0bex.test>"))
    assert "FROM_LOOKALIKE_OWN_DOMAIN" in scores(run("x <x@gl0bex.test>", customer="globex"))


def test_own_domain_from_the_internet_without_authentication():
    ctx = run("Chief Executive <ceo@acme.test>")
    assert scores(ctx) == {"FROM_OWN_DOMAIN_UNAUTHENTICATED": 3.0}
    assert ctx.facts["own_domain_unauthenticated"] == ["acme.test"]


@pytest.mark.parametrize("facts", [
    {"spf": "pass", "spf_domain": "bounces.acme.test", "dkim_domains": []},
    {"spf": "fail", "spf_domain": "mailer.example.net", "dkim_domains": ["acme.test"]},
])
def test_own_domain_tied_by_spf_or_dkim_is_not_marked(facts):
    assert scores(run("Newsletter <news@acme.test>", facts=facts)) == {}
