"""Conditions on threat-check facts, lists, and the built-in verdicts (virus, DMARC, spam thresholds)."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from mailflow.checks.base import Check
from mailflow.engine import pipeline
from policy import services
from policy.models import CustomerPolicy
from tests.policy.conftest import ACTOR
from tests.policy.messages import plain


def facts_check(facts: dict, symbols: tuple = ()):
    """A check reporting given facts, standing in for the threat checks' output contract."""

    class Facts(Check):
        name = "facts"
        description = "test facts"

        def run(self, ctx) -> None:
            ctx.facts.update(facts)
            for name, score in symbols:
                ctx.add_symbol(name, score)

    return Facts


@pytest.fixture
def with_facts(monkeypatch):
    def install(facts: dict, symbols: tuple = ()) -> None:
        monkeypatch.setattr(pipeline.checks, "registry", [facts_check(facts, symbols)])

    return install


def _probe(condition: dict) -> None:
    services.create_rule(customer=None, actor=ACTOR, name="probe", level="global", conditions=[condition],
                         actions=[{"type": "add_header", "name": "X-Matched", "value": "1"}])


@pytest.mark.parametrize(("condition", "facts", "expected"), [
    ({"type": "url", "hosts": ["*.bad.example"]}, {"urls": [{"host": "login.bad.example"}]}, True),
    ({"type": "url", "hosts": ["*.bad.example"]}, {"urls": [{"host": "good.example"}]}, False),
    ({"type": "url", "shortener": True}, {"urls": [{"host": "bit.ly", "shortener": True}]}, True),
    ({"type": "url", "listed": True}, {"urls": [{"host": "x.example", "listed": ["uribl.test"]}]}, True),
    ({"type": "url", "categories": ["gambling"]}, {"urls": [{"host": "casino.example", "categories": ["gambling"]}]},
     True),
    ({"type": "url", "categories": ["gambling"]}, {"urls": [{"host": "news.example", "categories": []}]}, False),
    ({"type": "url", "newly_seen": True}, {"urls": [{"host": "www.fresh.example"}], "new_domains": ["fresh.example"]},
     True),
    ({"type": "url", "newly_seen": True}, {"urls": [{"host": "www.known.example"}], "new_domains": ["sender.example"]},
     False),
    ({"type": "country", "countries": ["KP"]}, {"country": "KP"}, True),
    ({"type": "country", "countries": ["KP"]}, {"country": "DE", "received_countries": ["KP"]}, False),
    ({"type": "country", "countries": ["KP"], "any_hop": True}, {"country": "DE", "received_countries": ["KP"]},
     True),
    ({"type": "auth", "method": "spf", "results": ["fail", "softfail"]}, {"spf": "softfail"}, True),
    ({"type": "auth", "method": "dkim", "results": ["pass"]}, {"dkim": "fail"}, False),
    ({"type": "impersonation"}, {"lookalike_of": {"acrne.test": {"own": "acme.test", "kind": "look-alike letters"}}},
     True),
    ({"type": "impersonation"}, {"lookalike_of": {}}, False),
    ({"type": "impersonation", "kinds": ["typing slip", "look-alike letters"]},
     {"lookalike_of": {"acme.co.uk": {"own": "acme.test", "kind": "same name, other suffix"}}}, False),
    ({"type": "impersonation", "own_domain_unauthenticated": True}, {"own_domain_unauthenticated": ["acme.test"]},
     True),
    ({"type": "impersonation", "own_domain_unauthenticated": True},
     {"lookalike_of": {"acrne.test": {"own": "acme.test", "kind": "look-alike letters"}}}, False),
    ({"type": "impersonation", "user_name": True}, {"display_name_of_user": "Wile Coyote"}, True),
    ({"type": "impersonation", "user_name": True}, {"own_domain_unauthenticated": ["acme.test"]}, False),
])
def test_fact_conditions(run, with_facts, condition, facts, expected):
    with_facts(facts)
    _probe(condition)
    assert run(plain())[0] == "delivered"
    assert (b"X-Matched: 1" in run.delivered()[0].data) is expected


def test_virus_is_quarantined_and_no_rule_can_deliver_it(run, with_facts):
    with_facts({"virus": [{"engine": "clamav", "path": "2", "signature": "Eicar-Test-Signature"}]},
               (("VIRUS_FOUND", 100.0),))
    services.create_rule(customer=None, actor=ACTOR, name="deliver everything", level="global",
                         conditions=[{"type": "always"}], actions=[{"type": "deliver"}])
    assert run(plain())[0] == "quarantined"
    assert run.sink.handler.count == 0


def test_unscannable_is_quarantined(run, with_facts):
    with_facts({"unscannable": True})
    assert run(plain())[0] == "quarantined"


def test_virus_condition_can_choose_delete_for_a_signature(run, with_facts):
    with_facts({"virus": [{"engine": "clamav", "path": "2", "signature": "Eicar-Test-Signature"}]})
    assert run(plain())[0] == "quarantined"  # safety verdict first: held, never delivered


@pytest.mark.parametrize(("score", "outcome", "flagged"), [
    (2.0, "delivered", False), (6.0, "delivered", True), (10.0, "quarantined", None), (20.0, "deleted", None)])
def test_spam_thresholds(run, with_facts, score, outcome, flagged):
    with_facts({}, (("TEST_SPAM", score),))
    assert run(plain(subject="Offer"))[0] == outcome
    if flagged is not None:
        [m] = run.delivered()
        assert b"X-Spam-Score: " in m.data
        assert (b"X-Spam-Flag: YES" in m.data) is flagged
        assert (b"Subject: [SPAM] Offer" in m.data) is flagged


def test_customer_thresholds_are_the_customers(run, with_facts, world):
    services.update_settings(world.acme, changes={"spam_quarantine_score": 5.5, "spam_tag_score": 3.0},
                             actor=ACTOR)
    try:
        with_facts({}, (("TEST_SPAM", 6.0),))
        assert run(plain())[0] == "quarantined"
        assert run(plain(), customer="globex", recipients=("x@globex.test",))[0] == "delivered"
    finally:
        with schema_context(world.acme.schema_name):
            CustomerPolicy.objects.filter(pk=1).update(spam_quarantine_score=9.0, spam_tag_score=5.0)


def test_dmarc_reject_failure_is_handled_as_customer_policy_says(run, with_facts, world):
    with_facts({"dmarc": "fail", "dmarc_policy": "reject"})
    assert run(plain())[0] == "quarantined"
    services.update_settings(world.acme, changes={"dmarc_enforcement": "delete"}, actor=ACTOR)
    try:
        assert run(plain())[0] == "deleted"
        services.update_settings(world.acme, changes={"dmarc_enforcement": "off"}, actor=ACTOR)
        assert run(plain())[0] == "delivered"
    finally:
        with schema_context(world.acme.schema_name):
            CustomerPolicy.objects.filter(pk=1).update(dmarc_enforcement="quarantine")


def test_allowlisted_sender_skips_spam_verdict_but_not_virus(run, with_facts, world):
    services.add_list_entry(customer=world.acme, kind="allow", value="partner.example", actor=ACTOR)
    with_facts({}, (("TEST_SPAM", 30.0),))
    assert run(plain(), sender="ann@partner.example")[0] == "delivered"
    with_facts({"virus": [{"engine": "clamav", "path": "1", "signature": "Win.Test"}]}, (("VIRUS_FOUND", 100.0),))
    assert run(plain(), sender="ann@partner.example")[0] == "quarantined"


def test_blocklisted_sender_is_held(run, world):
    services.add_list_entry(customer=None, kind="block", value="198.51.100.0/24", actor=ACTOR)
    assert run(plain(), client_ip="198.51.100.9")[0] == "quarantined"
    assert run(plain(), client_ip="203.0.113.9")[0] == "delivered"


def test_users_own_allow_list_applies_to_that_user_only(run, with_facts, world):
    services.add_list_entry(customer=world.acme, kind="allow", value="news@shop.example", owner="bob@acme.test",
                            actor=ACTOR)
    with_facts({}, (("TEST_SPAM", 10.0),))
    assert run(plain(), sender="news@shop.example", recipients=("bob@acme.test",))[0] == "delivered"
    assert run(plain(), sender="news@shop.example", recipients=("carol@acme.test",))[0] == "quarantined"
