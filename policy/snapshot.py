"""Compiled policy snapshots: one per customer, versioned, built on change (docs/policy.md).

``build_snapshot`` reads the customer's effective policy (provider global and
array rules, the packages it switched on, its own rules, scripts, lists,
groups and settings) into a plain, JSON-serialisable ``Snapshot``.
``compile_snapshot`` turns that into a ``CompiledPolicy`` the engine evaluates
with no I/O: conditions compiled, TextCensor scripts combined into one
scanner, lists into sets. ``SnapshotCache`` keeps them per process, rebuilds
when the config version in Redis moves, saves them to disk, and falls back
to the disk copy when PostgreSQL is away.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policy import conditions
from policy.conditions.base import Env, wildcards
from policy.lists import Lists

log = logging.getLogger(__name__)


@dataclass
class Snapshot:
    customer: str
    version: int
    settings: dict[str, Any]
    rules: list[dict[str, Any]]
    predelivery: list[dict[str, Any]]
    scripts: dict[str, str]
    groups: dict[str, list[str]]
    lists: list[tuple[str, str, str]]  # (kind, value, owner)
    built_at: float = field(default_factory=time.time)


@dataclass
class CompiledRule:
    name: str
    level: str
    direction: str
    match: str
    conditions: list[tuple[Any, Any, bool, str]]  # (condition, compiled params, negate, type)
    actions: list[dict[str, Any]]
    applies: dict[str, Any]
    stop: bool
    broken: str = ""


@dataclass
class CompiledPolicy:
    snapshot: Snapshot
    rules: list[CompiledRule]
    predelivery: list[CompiledRule]
    lists: Lists
    groups: dict[str, frozenset[str]]
    censor: Any
    textcensor_reads: tuple[tuple[str, frozenset], ...] = ()

    def env(self) -> Env:
        return Env(groups=self.groups, censor=self.censor, textcensor_reads=self.textcensor_reads)


def _compile_applies(applies: dict[str, list[str]]) -> dict[str, Any]:
    def pattern(key: str):
        values = applies.get(key) or []
        return wildcards(values) if values else None

    compiled = {"users": pattern("users"), "domains": pattern("domains"), "groups": applies.get("groups") or [],
                "except_users": pattern("except_users"), "except_domains": pattern("except_domains"),
                "except_groups": applies.get("except_groups") or []}
    compiled["everyone"] = not any(compiled.values())  # no "applies to" and no exceptions: skip the address work
    return compiled


def _compile_rule(rule: dict[str, Any], groups: dict[str, frozenset[str]], scripts: set[str]) -> CompiledRule:
    compiled = CompiledRule(rule["name"], rule["level"], rule["direction"], rule["match"], [], rule["actions"],
                            _compile_applies(rule.get("applies_to") or {}), rule["stop_processing"])
    try:
        for cond in rule["conditions"]:
            cls = conditions.registry[cond["type"]]
            params = {k: v for k, v in cond.items() if k not in ("type", "negate")}
            if cond["type"] == "textcensor" and params["script"] not in scripts:
                raise ValueError(f"script {params['script']!r} does not exist")
            if cond["type"] == "recipient_group":
                missing = [g for g in params["groups"] if g not in groups]
                if missing:
                    raise ValueError(f"group(s) {missing} do not exist")
            compiled.conditions.append((cls(), cls().compile(params), cond.get("negate", False), cond["type"]))
    except Exception as exc:  # a broken rule is reported and skipped, never crashed on
        compiled.broken = str(exc)
    return compiled


def compile_snapshot(snapshot: Snapshot) -> CompiledPolicy:
    from policy.textcensor import compile_scripts

    groups = {name: frozenset(a.lower() for a in members) for name, members in snapshot.groups.items()}
    lists = Lists()
    for kind, value, owner in snapshot.lists:
        try:
            lists.add(kind, value, owner)
        except ValueError:
            log.warning("ignoring invalid list entry %r in %s's policy", value, snapshot.customer)
    censor = compile_scripts(snapshot.scripts) if snapshot.scripts else None
    names = set(snapshot.scripts)
    rules = [_compile_rule(r, groups, names) for r in snapshot.rules]
    predelivery = [_compile_rule(r, groups, names) for r in snapshot.predelivery]
    return CompiledPolicy(snapshot=snapshot, rules=rules, predelivery=predelivery, lists=lists, groups=groups,
                          censor=censor, textcensor_reads=textcensor_reads(rules + predelivery))


def textcensor_reads(rules: list[CompiledRule]) -> tuple[tuple[str, frozenset], ...]:
    """Every distinct (script, zones) the textcensor conditions of working rules read, in rule order."""
    reads: dict[tuple[str, frozenset], None] = {}
    for rule in rules:
        if not rule.broken:
            for _cond, compiled, _negate, kind in rule.conditions:
                if kind == "textcensor":
                    reads[compiled] = None
    return tuple(reads)


class SnapshotCache:
    """Per-process compiled policies, keyed by customer slug, reloaded on version change."""

    def __init__(self, directory: Path, check_every: float = 2.0) -> None:
        self.directory = Path(directory)
        self.check_every = check_every
        self._items: dict[str, tuple[CompiledPolicy, float]] = {}
        self._lock = threading.Lock()

    def get(self, slug: str) -> CompiledPolicy:
        entry = self._items.get(slug)
        now = time.monotonic()
        if entry is not None and now - entry[1] < self.check_every:
            return entry[0]
        with self._lock:
            return self._refresh(slug, entry, now)

    def invalidate(self) -> None:
        self._items.clear()

    def _refresh(self, slug: str, entry, now: float) -> CompiledPolicy:
        from tenants.cache import current_version

        version = current_version()
        if entry is not None and version is not None and version == entry[0].snapshot.version:
            self._items[slug] = (entry[0], now)
            return entry[0]
        try:
            from policy.snapshot_build import build_snapshot

            snapshot = build_snapshot(slug, version or 0)
        except Exception as exc:  # database away: keep filtering with what we have
            if entry is not None:
                log.warning("policy of %s not rebuilt, keeping version %s: %s", slug, entry[0].snapshot.version, exc)
                self._items[slug] = (entry[0], now)
                return entry[0]
            snapshot = self._load(slug, exc)
        else:
            self._save(snapshot)
        compiled = compile_snapshot(snapshot)
        self._items[slug] = (compiled, now)
        return compiled

    def _path(self, slug: str) -> Path:
        return self.directory / f"{slug}.json"

    def _save(self, snapshot: Snapshot) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = self._path(snapshot.customer).with_suffix(".tmp")
            tmp.write_text(json.dumps(dataclasses.asdict(snapshot)))
            os.replace(tmp, self._path(snapshot.customer))
        except OSError as exc:
            log.warning("policy snapshot of %s not saved: %s", snapshot.customer, exc)

    def _load(self, slug: str, cause: Exception) -> Snapshot:
        try:
            raw = json.loads(self._path(slug).read_text())
        except (OSError, ValueError) as exc:
            raise RuntimeError(f"no policy for {slug}: database unreachable ({cause}) and no saved snapshot") from exc
        raw["lists"] = [tuple(x) for x in raw["lists"]]
        log.warning("policy of %s loaded from its saved snapshot (database unreachable)", slug)
        return Snapshot(**raw)
