"""Validation of rules before they are saved (docs/policy.md, "Bad input").

A rule whose conditions or actions do not validate is refused with the
reason and the position (``conditions[2].patterns: ...``); it never reaches
a snapshot. TextCensor scripts are validated on their own save.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from mailflow import actions
from mailflow.actions.base import ActionError
from policy import conditions
from policy.conditions.base import ConditionError

APPLIES_KEYS = {"users", "groups", "domains", "except_users", "except_groups", "except_domains"}


def _entries(value: Any, field: str) -> list[dict]:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise ValidationError({field: "must be a list of objects with a 'type'"})
    return value


def normalised_conditions(items: Any) -> list[dict]:
    out = []
    for i, item in enumerate(_entries(items, "conditions")):
        params = {k: v for k, v in item.items() if k not in ("type", "negate")}
        try:
            cls = conditions.registry[item.get("type", "")]
            out.append({"type": cls.name, "negate": bool(item.get("negate", False)), **cls().validate(params)})
        except (KeyError, ConditionError) as exc:
            raise ValidationError({"conditions": f"conditions[{i}] ({item.get('type')}): {exc}"}) from None
    return out


def normalised_actions(items: Any) -> list[dict]:
    out = []
    for i, item in enumerate(_entries(items, "actions")):
        params = {k: v for k, v in item.items() if k != "type"}
        try:
            cls = actions.registry[item.get("type", "")]
            out.append({"type": cls.name, **cls().validate(params)})
        except (KeyError, ActionError) as exc:
            raise ValidationError({"actions": f"actions[{i}] ({item.get('type')}): {exc}"}) from None
    if not out:
        raise ValidationError({"actions": "a rule needs at least one action"})
    return out


def normalised_applies_to(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict) or set(value) - APPLIES_KEYS:
        raise ValidationError({"applies_to": f"keys must be among {sorted(APPLIES_KEYS)}"})
    out = {}
    for key, items in value.items():
        if not isinstance(items, list) or not all(isinstance(v, str) and v.strip() for v in items):
            raise ValidationError({"applies_to": f"'{key}' must be a list of names"})
        out[key] = [v.strip().lower() if key.endswith(("users", "domains")) else v.strip() for v in items]
    return out


def validate_rule(rule) -> None:
    """Normalise a rule's JSON fields in place, or raise ValidationError saying where."""
    rule.conditions = normalised_conditions(rule.conditions)
    rule.actions = normalised_actions(rule.actions)
    rule.applies_to = normalised_applies_to(rule.applies_to or {})
