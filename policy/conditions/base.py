"""The contract of a rule condition (docs/policy.md, "Conditions").

A condition type validates its parameters when a rule is saved, compiles
them once into a snapshot (wildcards into regular expressions, CIDRs into
networks), and evaluates against a message context with no I/O. Conditions
read the facts that checks recorded, so a new check makes a new condition
possible without touching the engine.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from mailflow.engine.context import MessageContext


class ConditionError(ValueError):
    """A condition's parameters are unusable; the message says why."""


@dataclass
class Env:
    """What conditions may consult besides the message: the compiled snapshot's parts."""

    groups: dict[str, frozenset[str]] = field(default_factory=dict)
    censor: Any = None  # policy.textcensor.CompiledCensor or None
    # Every (script, zones) a textcensor condition of the policy reads: the
    # message is scanned once for all of them (policy.snapshot.textcensor_reads).
    textcensor_reads: tuple = ()
    tz: str = "UTC"
    cache: dict = field(default_factory=dict)  # per-message memo (the TextCensor scan)


class Condition:
    name: ClassVar[str]
    description: ClassVar[str]

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        return params

    def compile(self, params: dict[str, Any]) -> Any:
        return params

    def evaluate(self, ctx: MessageContext, compiled: Any, env: Env) -> bool:
        raise NotImplementedError


def str_list(params: dict[str, Any], key: str, *, required: bool = True) -> list[str]:
    """A list of non-empty strings from ``params[key]`` (a string is one item)."""
    value = params.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConditionError(f"'{key}' must be a list of strings")
    cleaned = [v.strip() for v in value if v.strip()]
    if required and not cleaned:
        raise ConditionError(f"'{key}' needs at least one value")
    if any(ch in v for v in cleaned for ch in "\r\n\x00"):
        raise ConditionError(f"'{key}' values must be single lines")
    return cleaned


def number(params: dict[str, Any], key: str, *, minimum: float = 0) -> float:
    try:
        value = float(params[key])
    except (KeyError, TypeError, ValueError):
        raise ConditionError(f"'{key}' must be a number") from None
    if value < minimum:
        raise ConditionError(f"'{key}' must be at least {minimum:g}")
    return value


def wildcards(patterns: list[str]) -> re.Pattern:
    """One case-insensitive regex matching any of the shell-style patterns."""
    return re.compile("|".join(f"(?:{fnmatch.translate(p.lower())})" for p in patterns), re.IGNORECASE)


def address_matches(address: str, pattern: re.Pattern) -> bool:
    """An address matches by the whole address or by its domain (``example.com`` or ``*.example.com``)."""
    address = address.lower()
    domain = address.rpartition("@")[2]
    return bool(pattern.match(address) or pattern.match(domain))
