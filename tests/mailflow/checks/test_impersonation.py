"""Mail imitating the customer's own domain, or using it without authentication, is marked."""

from __future__ import annotations

import pytest

from mailflow import spool as spool_mod
from mailflow.checks.impersonation import Impersonation, lookalike_kind
from mailflow.engine.context import MessageContext
from mailflow.names import person_name
from mailflow.routing import CustomerRoute, DomainRoute, RoutingTable
from tests.mailflow.checks.samples import mail

TABLE = RoutingTable(domains={
    d: DomainRoute(domain=d, customer=c, host="127.0.0.1", port=25)
    for d, c in (("acme.test", "acme"), ("acme-group.test", "acme"), ("initech-systems.test", "initech"),
                 ("globex.test", "globex"))
})
CYRILLIC_A_ACME = "xn--cme-5cd.test"  # "acme" with its first letter Cyrillic (U+0430)


ACME = CustomerRoute(slug="acme", schema="c_acme", name="Acme", status="active", queue="array.default",
                     staff_names=("jane ng", "smith wile"))


def run(sender: str, *, customer: str = "acme", reply_to: str | None = None, mail_from: str | None = None,
        facts: dict | None = None) -> MessageContext:
    msg = mail("Wire transfer today", sender=sender)
    if reply_to:
        msg["Reply-To"] = reply_to
    envelope = spool_mod.Envelope(mail_from=mail_from or "bounce@mailer.example.net", recipients=["bob@acme.test"],
                                  customer=customer, direction="inbound", client_ip="81.2.69.160")
    ctx = MessageContext("test-entry", envelope, msg.as_bytes(), ACME if customer == "acme" else None, TABLE)
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


@pytest.mark.parametrize("sender", ['"Wile Smith" <wile.smith.office@gmail.com>', '"SMITH, Wile (CEO)" <x@example.net>',
                                    "Dr. Wile Smith <ceo@acme-payroll.test>"])
def test_a_users_name_at_an_outside_address(sender):
    ctx = run(sender, facts={"spf": "pass", "spf_domain": sender.rsplit("@", 1)[1].rstrip(">"), "dkim_domains": []})
    assert "FROM_NAME_OF_OWN_USER" in scores(ctx)
    assert person_name(ctx.facts["display_name_of_user"]) == "smith wile"


@pytest.mark.parametrize("sender", ["Wile Smith <wile@acme.test>", "Wile Smith <wile@mail.acme.test>",
                                    "Jane Doe <jane@example.net>", "Wile <wile@example.net>"])
def test_the_user_themselves_and_other_names_are_not_marked(sender):
    facts = {"spf": "pass", "spf_domain": sender.rsplit("@", 1)[1].rstrip(">"), "dkim_domains": []}
    assert "FROM_NAME_OF_OWN_USER" not in scores(run(sender, facts=facts))


def test_names_are_compared_without_case_accents_titles_or_order():
    assert person_name("Smith, John (Finance)") == person_name('"JOHN  SMITH"') == "john smith"
    assert person_name("José Álvarez") == person_name("Jose ALVAREZ")
    assert person_name("Dr. Maria Lopez") == person_name("Maria Lopez")
    assert person_name("Bob") == person_name("J Smith") == ""


def test_the_engine_knows_the_customers_user_names_from_its_directory(engine, clean_sink, world):
    from django_tenants.utils import schema_context

    from mailflow import msglog, worker
    from mailflow.models import Mailbox, MessageLog
    from tenants import cache
    from tests.mailflow.quarantine.support import flush, spool

    with schema_context("c_acme"):
        Mailbox.objects.create(address="wile@acme.test", display_name="Wile E. Coyote")
        Mailbox.objects.create(address="gone@acme.test", display_name="Road Runner", active=False)
    cache.publish_change()
    try:
        table = engine.routing.get()
        assert table.customer("acme").staff_names == ("coyote wile",)  # the inactive mailbox is left out
        assert RoutingTable.from_json(table.to_json()).customer("acme").staff_names == ("coyote wile",)

        raw = mail("Gift cards for the team", sender="Wile Coyote <wile.coyote.ceo@gmail.com>").as_bytes()
        spool_id = spool(engine, raw, sender="wile.coyote.ceo@gmail.com")
        assert worker.process_entry(spool_id) == "delivered"
        flush(engine)
        with schema_context("c_acme"):
            row = MessageLog.objects.get(spool_id=spool_id)
        assert "FROM_NAME_OF_OWN_USER" in [name for name, _score, _detail in row.symbols]
        assert row.facts["display_name_of_user"] == "Wile Coyote"
        assert msglog.refused_count(engine.redis) == 0
    finally:
        with schema_context("c_acme"):
            Mailbox.objects.filter(address__in=["wile@acme.test", "gone@acme.test"]).delete()
        cache.publish_change()
