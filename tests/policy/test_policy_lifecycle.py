"""Saving rules and scripts (bad input refused with positions), snapshots, dry run, suspect rules."""

from __future__ import annotations

import datetime
import io
import time

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django_tenants.utils import schema_context, tenant_context

from mailflow.models import MessageLog
from policy import engine, services
from policy.models import Rule
from policy.selectors import suspect_rules
from tests.policy.conftest import ACTOR
from tests.policy.messages import plain


def test_rule_with_bad_condition_is_refused_with_its_position(world, committed):
    with pytest.raises(ValidationError, match=r"conditions\[1\] \(client_ip\): '10\.0\.0\.300' is not an IP"):
        services.create_rule(customer=None, actor=ACTOR, name="bad", level="global",
                             conditions=[{"type": "always"}, {"type": "client_ip", "networks": ["10.0.0.300"]}],
                             actions=[{"type": "delete"}])
    assert not Rule.objects.filter(name="bad").exists()


@pytest.mark.parametrize(("condition", "message"), [
    ({"type": "header", "name": "Subject", "pattern": "(a"}, "pattern"),
    ({"type": "sender"}, "needs at least one value"),
    ({"type": "attachment_type", "families": ["spreadsheets"]}, "unknown families"),
    ({"type": "time_of_day", "start": "25:00", "end": "07:00"}, "times like"),
    ({"type": "nonsense"}, "unknown condition"),
    ({"type": "impersonation", "kinds": ["typo"]}, "unknown kinds"),
    ({"type": "impersonation", "lookalike": False}, "give lookalike, own_domain_unauthenticated and/or user_name"),
])
def test_bad_conditions_are_refused(world, committed, condition, message):
    with pytest.raises(ValidationError, match=message):
        services.create_rule(customer=None, actor=ACTOR, name="bad", level="global", conditions=[condition],
                             actions=[{"type": "delete"}])


def test_script_that_does_not_parse_is_refused_with_line_and_column(world, committed):
    with pytest.raises(ValidationError, match=r"line 2, column \d+"):
        services.save_script(customer=world.acme, name="broken", actor=ACTOR, source='+5 "ok"\n+3 (unclosed\n')


def test_customer_cannot_create_provider_level_rules(world, committed):
    with pytest.raises(ValidationError, match="customer-level"):
        services.create_rule(customer=world.acme, actor=ACTOR, name="sneaky", level="global",
                             conditions=[{"type": "always"}], actions=[{"type": "delete"}])


def test_rule_referring_to_deleted_group_is_reported_not_crashed_on(run, world):
    services.create_rule(customer=None, actor=ACTOR, name="for marketing", level="global",
                         conditions=[{"type": "recipient_group", "groups": ["Marketing"]}],
                         actions=[{"type": "quarantine"}])
    assert run(plain())[0] == "delivered"
    report = io.StringIO()
    path = run.gw.spool.root.parent / "msg.eml"
    path.write_bytes(plain())
    call_command("policy_test", str(path), "--customer", "acme", "--recipient", "bob@acme.test", stdout=report)
    assert "for marketing: BROKEN: group(s) ['Marketing'] do not exist" in report.getvalue()


def test_textcensor_script_through_the_engine(run, world):
    services.save_script(customer=world.acme, name="profanity-lite", actor=ACTOR,
                         source="+4 damn* MULT 1 CAP 12\n-4 \"damn good\"\nTHRESHOLD 8\n")
    services.create_rule(customer=world.acme, actor=ACTOR, name="no swearing", level="customer",
                         direction="outbound", conditions=[{"type": "textcensor", "script": "profanity-lite"}],
                         actions=[{"type": "quarantine", "category": "profanity"}])
    out = {"direction": "outbound", "sender": "bob@acme.test", "recipients": ("x@example.net",)}
    assert run(plain(body="damn it, damned printer\n"), **out)[0] == "quarantined"
    assert run(plain(body="damn this\n"), **out)[0] == "delivered"  # 4 < 8
    assert run(plain(body="damn good work, damn good\n"), **out)[0] == "delivered"  # negative weights
    assert run(plain(body="damn it, damned printer\n"))[0] == "delivered"  # inbound: the rule is outbound only


def test_new_rule_takes_effect_at_the_next_message(run):
    assert run(plain())[0] == "delivered"
    services.create_rule(customer=None, actor=ACTOR, name="outbreak: hold iso/js/html", level="global",
                         conditions=[{"type": "attachment_name", "patterns": ["*.iso", "*.js", "*.html"]}],
                         actions=[{"type": "quarantine", "category": "outbreak"}])
    from tests.policy.messages import with_attachment

    assert run(with_attachment(b"var x = 1;", "invoice.js", "text", "javascript"))[0] == "quarantined"
    assert run(with_attachment(b"var x = 1;", "invoice.js", "text", "javascript"), customer="globex",
               recipients=("x@globex.test",))[0] == "quarantined"  # every customer at once


def test_workers_keep_filtering_with_their_snapshot_when_database_is_away(run, world, monkeypatch):
    services.create_rule(customer=None, actor=ACTOR, name="hold partner", level="global",
                         conditions=[{"type": "sender", "patterns": ["*@partner.example"]}],
                         actions=[{"type": "quarantine"}])
    assert run(plain(), sender="a@partner.example")[0] == "quarantined"

    def database_away(*args, **kwargs):
        raise ConnectionError("PostgreSQL unreachable")

    import policy.snapshot_build

    monkeypatch.setattr(policy.snapshot_build, "build_snapshot", database_away)
    from tenants import cache

    cache.publish_change()  # a change the workers cannot read
    assert run(plain(), sender="a@partner.example")[0] == "quarantined"  # in-memory snapshot
    engine._cache = None  # a restarted worker: only the snapshot saved on disk is left
    assert run(plain(), sender="a@partner.example")[0] == "quarantined"


def test_dry_run_explains_facts_rules_and_actions(world, committed, tmp_path, engine):
    services.create_rule(customer=world.acme, actor=ACTOR, name="tag externals", level="customer",
                         conditions=[{"type": "sender", "patterns": ["*@example.net"]}],
                         actions=[{"type": "tag_subject", "tag": "[EXT]"}])
    path = tmp_path / "m.eml"
    path.write_bytes(plain())
    out = io.StringIO()
    call_command("policy_test", str(path), "--customer", "acme", "--sender", "a@example.net",
                 "--recipient", "bob@acme.test", stdout=out)
    text = out.getvalue()
    assert "Disposition: deliver" in text
    assert "[customer] tag externals: fired" in text
    assert "sender: yes" in text
    assert "action tag externals: tag_subject" in text


def test_suspect_rules_never_or_always_fired(world, committed):
    from django.utils import timezone

    services.create_rule(customer=world.acme, actor=ACTOR, name="always on", level="customer",
                         conditions=[{"type": "always"}], actions=[{"type": "classify", "label": "all"}])
    services.create_rule(customer=world.acme, actor=ACTOR, name="never on", level="customer",
                         conditions=[{"type": "sender", "patterns": ["nobody@nowhere.example"]}],
                         actions=[{"type": "delete"}])
    now = timezone.now() - datetime.timedelta(days=3650)  # a window of its own
    with tenant_context(world.acme):
        MessageLog.objects.bulk_create([
            MessageLog(spool_id=f"suspect{i}", received=now, direction="inbound", state="delivered",
                       rules=["always on"], updated=now) for i in range(10)])
    try:
        found = {s.name: s.reason for s in suspect_rules(world.acme, days=1, now=now)}
        assert found["never on"] == "never fired"
        assert found["always on"] == "fired on 10 of 10 messages"
    finally:
        with schema_context(world.acme.schema_name):
            MessageLog.objects.filter(spool_id__startswith="suspect").delete()
            Rule.objects.all().delete()


def test_snapshot_version_moves_with_every_change(world, committed):
    from tenants.cache import current_version

    before = current_version()
    services.add_list_entry(customer=world.acme, kind="block", value="spammer.example", actor=ACTOR)
    time.sleep(0.05)
    assert current_version() > before
