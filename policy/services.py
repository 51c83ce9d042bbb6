"""Writes to policy data: rules, scripts, lists, packages, settings (docs/policy.md).

Each function works in the provider's public schema (``customer=None``) or in
one customer's schema, validates with ``full_clean`` (a rule or script that
does not parse is refused with the reason and position), writes the audit
row in the same transaction, and publishes a config change on commit so
workers switch to the new snapshot at their next message.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.forms.models import model_to_dict
from django_tenants.utils import schema_context

from audit import events
from audit.services import Actor, record
from policy.models import PROVIDER_LEVELS, CustomerPolicy, Level, ListEntry, PackageSubscription, Rule, Script
from tenants import cache
from tenants.models import Customer

RULE_FIELDS = ("name", "level", "array_slug", "package", "enabled", "order", "direction", "match", "conditions",
               "actions", "applies_to", "stop_processing")


@contextmanager
def _scope(customer: Customer | None):
    """The schema a policy write belongs to, in one transaction that publishes on commit."""
    with schema_context(customer.schema_name if customer else "public"), transaction.atomic():
        yield
        transaction.on_commit(cache.publish_change)


def _check_level(level: str, customer: Customer | None) -> None:
    from django.core.exceptions import ValidationError

    if customer is None and level not in PROVIDER_LEVELS:
        raise ValidationError({"level": "provider rules are global, array, package or pre-delivery rules"})
    if customer is not None and level != Level.CUSTOMER:
        raise ValidationError({"level": "a customer's own rules are customer-level rules"})


def create_rule(*, customer: Customer | None, actor: Actor, **fields: Any) -> Rule:
    """Create a rule (validated: conditions, actions and 'applies to' must all be usable)."""
    fields.setdefault("level", Level.CUSTOMER if customer else Level.GLOBAL)
    _check_level(fields["level"], customer)
    with _scope(customer):
        rule = Rule(**fields)
        rule.full_clean()
        rule.save()
        record(events.RULE_CREATED, actor=actor, target=rule, after=model_to_dict(rule, fields=RULE_FIELDS))
    return rule


def update_rule(rule: Rule, *, customer: Customer | None, changes: dict[str, Any], actor: Actor) -> Rule:
    with _scope(customer):
        rule = Rule.objects.select_for_update().get(pk=rule.pk)
        before = model_to_dict(rule, fields=RULE_FIELDS)
        for key, value in changes.items():
            if key not in RULE_FIELDS:
                raise ValueError(f"unknown rule field {key!r}")
            setattr(rule, key, value)
        _check_level(rule.level, customer)
        rule.full_clean()
        rule.save()
        record(events.RULE_UPDATED, actor=actor, target=rule, before=before,
               after=model_to_dict(rule, fields=RULE_FIELDS))
    return rule


def delete_rule(rule: Rule, *, customer: Customer | None, actor: Actor) -> None:
    with _scope(customer):
        record(events.RULE_DELETED, actor=actor, target=rule, before=model_to_dict(rule, fields=RULE_FIELDS))
        Rule.objects.filter(pk=rule.pk).delete()


def save_script(*, customer: Customer | None, name: str, source: str, actor: Actor, description: str = "") -> Script:
    """Create or replace a TextCensor script; refused with line and column if it does not parse."""
    with _scope(customer):
        script = Script.objects.filter(name=name).first() or Script(name=name)
        before = {"source": script.source} if script.pk else None
        script.source, script.description = source, description
        script.full_clean()
        script.save()
        record(events.SCRIPT_SAVED, actor=actor, target=script, before=before, after={"source": source})
    return script


def add_list_entry(*, customer: Customer | None, kind: str, value: str, actor: Actor, owner: str = "",
                   comment: str = "") -> ListEntry:
    with _scope(customer):
        entry = ListEntry(kind=kind, value=value, owner=owner, comment=comment)
        entry.full_clean()
        entry.save()
        record(events.LIST_ENTRY_ADDED, actor=actor, target=entry, after={"kind": kind, "value": entry.value,
                                                                         "owner": entry.owner})
    return entry


def remove_list_entry(entry: ListEntry, *, customer: Customer | None, actor: Actor) -> None:
    with _scope(customer):
        record(events.LIST_ENTRY_REMOVED, actor=actor, target=entry,
               before={"kind": entry.kind, "value": entry.value, "owner": entry.owner})
        ListEntry.objects.filter(pk=entry.pk).delete()


def set_package(customer: Customer, package_slug: str, *, enabled: bool, actor: Actor) -> None:
    """Switch a provider package on or off for a customer (its plan must include policy and compliance)."""
    from django.core.exceptions import ValidationError

    from policy.models import RulePackage

    with schema_context("public"):
        if not RulePackage.objects.filter(slug=package_slug).exists():
            raise ValidationError({"package": f"no package {package_slug!r}"})
        plan = customer.subscription.plan
    if enabled and not plan.policy_compliance:
        raise ValidationError({"package": f"the plan {plan.name!r} does not include policy and compliance"})
    with _scope(customer):
        if enabled:
            PackageSubscription.objects.get_or_create(package_slug=package_slug)
        else:
            PackageSubscription.objects.filter(package_slug=package_slug).delete()
        record(events.PACKAGE_SWITCHED, actor=actor, detail=f"{package_slug}: {'on' if enabled else 'off'}")


def update_settings(customer: Customer, *, changes: dict[str, Any], actor: Actor) -> CustomerPolicy:
    with _scope(customer):
        policy = CustomerPolicy.get()
        before = model_to_dict(policy)
        for key, value in changes.items():
            setattr(policy, key, value)
        policy.full_clean()
        policy.save()
        record(events.POLICY_SETTINGS_UPDATED, actor=actor, target=policy, before=before,
               after=model_to_dict(policy))
    return policy
