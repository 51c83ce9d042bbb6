"""The policy steps of the engine: ``prepare`` before the checks, ``decide`` after them.

See docs/policy.md. Order of decisions for one message:

1. lists (before checks): a blocklisted sender is held; an allowlisted one
   skips spam scoring (never virus scanning);
2. safety verdicts: a virus or an unscannable message is quarantined, and no
   rule can deliver it;
3. rules in snapshot order (global, array, packages, customer); a rule fires
   when its direction, its "applies to" and its conditions match; its
   actions run in order; a terminal action (quarantine, delete, bounce,
   delay, deliver) or "stop processing" ends the rules;
4. sender authentication (DMARC) and spam thresholds, unless a rule decided;
5. pre-delivery rules (global, then array) for mail that will be delivered.

Everything here reads the compiled snapshot: no SQL per message.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from mailflow import actions
from mailflow.engine.context import Disposition, MessageContext
from policy.conditions.base import Env, address_matches
from policy.snapshot import CompiledPolicy, CompiledRule, SnapshotCache

log = logging.getLogger(__name__)

_cache: tuple[int, SnapshotCache] | None = None


def snapshots() -> SnapshotCache:
    """This process's snapshot cache (a forked child builds its own)."""
    import os

    global _cache
    if _cache is None or _cache[0] != os.getpid():
        _cache = (os.getpid(), SnapshotCache(settings.VAR_DIR / "cache" / "policy",
                                              check_every=settings.SPE_CONFIG_CHECK_EVERY))
    return _cache[1]


def policy_for(ctx: MessageContext) -> CompiledPolicy | None:
    if ctx.customer is None:
        return None
    if "_policy" not in ctx.facts:
        ctx.facts["_policy"] = snapshots().get(ctx.customer.slug)
    return ctx.facts["_policy"]


def prepare(ctx: MessageContext) -> None:
    """Before the checks: lists, groups and customer texts the checks and actions need."""
    pol = policy_for(ctx)
    if pol is None:
        return
    ctx.facts["groups"] = pol.groups
    ctx.facts["customer_footer_text"] = pol.snapshot.settings.get("footer_text", "")
    ctx.facts["customer_footer_html"] = pol.snapshot.settings.get("footer_html", "")
    verdict = pol.lists.verdict(ctx.envelope.mail_from, ctx.envelope.client_ip, ctx.envelope.recipients)
    if verdict == "allow":
        ctx.facts["sender_allowlisted"] = True
    elif verdict == "block":
        ctx.facts["sender_blocklisted"] = True


def _users(ctx: MessageContext) -> list[str]:
    return ctx.envelope.recipients if ctx.direction == "inbound" else [ctx.envelope.mail_from]


def applies(rule: CompiledRule, ctx: MessageContext, env: Env) -> bool:
    """Direction and "applies to" (users, groups, domains, with exceptions)."""
    if rule.direction not in ("both", ctx.direction):
        return False
    a = rule.applies
    if a.get("everyone"):
        return True
    users = [u.lower() for u in _users(ctx) if u]

    def hit(pattern_key: str, groups_key: str) -> bool:
        pattern = a[pattern_key]
        if pattern is not None and any(address_matches(u, pattern) for u in users):
            return True
        if not a[groups_key]:
            return False
        members = set().union(*(env.groups.get(g, frozenset()) for g in a[groups_key]))
        return any(u in members for u in users)

    included = a["users"] is None and a["domains"] is None and not a["groups"]
    if not included:
        domain_pattern = a["domains"]
        included = hit("users", "groups") or (
            domain_pattern is not None and any(domain_pattern.match(u.rpartition("@")[2]) for u in users))
    if not included:
        return False
    excluded_domain = a["except_domains"] is not None and any(
        a["except_domains"].match(u.rpartition("@")[2]) for u in users)
    return not (hit("except_users", "except_groups") or excluded_domain)


def matches(rule: CompiledRule, ctx: MessageContext, env: Env) -> bool:
    """All (or any) conditions hold, evaluated in the rule's order and no further than needed."""
    if not rule.conditions:
        return True
    want_all = rule.match == "all"
    for cond, compiled, negate, _t in rule.conditions:
        if (cond.evaluate(ctx, compiled, env) != negate) != want_all:
            return not want_all
    return want_all


def run_rules(rules: list[CompiledRule], ctx: MessageContext, env: Env, explain: list | None = None) -> None:
    skipped = ctx.envelope.skip.get("rule", "")
    for rule in rules:
        if skipped and rule.name == skipped:
            continue  # a released message skips the rule that held it
        if rule.broken:
            ctx.facts.setdefault("broken_rules", []).append(f"{rule.name}: {rule.broken}")
            if explain is not None:
                explain.append((rule, False))
            continue
        fired = applies(rule, ctx, env) and matches(rule, ctx, env)
        if explain is not None:
            explain.append((rule, fired))
        if not fired:
            continue
        ctx.rules_fired.append(rule.name)
        for action in rule.actions:
            params: dict[str, Any] = {k: v for k, v in action.items() if k != "type"}
            if not apply_action(ctx, action["type"], {**params, "rule": rule.name}, rule.name):
                return
            ctx.actions_taken.append(f"{rule.name}: {action['type']}")
        if rule.stop or ctx.terminal() is not None or any(d.kind == "deliver" for d in ctx.dispositions):
            return


def apply_action(ctx: MessageContext, kind: str, params: dict[str, Any], rule: str) -> bool:
    """Apply one action; False when the message defeated it, which then holds the message.

    An action meets the message as the sender wrote it (a structure nested
    past what the email package can rebuild, say). Its failure must neither
    leave the message failing in the spool nor let it leave unchanged when
    the rule meant to change it: it is held in the policy folder, the
    reason naming the rule and the action, and the log has the traceback.
    """
    try:
        actions.registry[kind]().apply(ctx, params)
    except Exception as exc:
        log.exception("%s: rule %s: action %s failed", ctx.spool_id, rule, kind)
        ctx.facts.setdefault("action_errors", []).append(f"{rule}: {kind}: {type(exc).__name__}")
        ctx.dispositions.append(Disposition(
            "quarantine", category="policy", rule=rule,
            reason=f"rule {rule}: the {kind} action could not be applied to this message ({type(exc).__name__})"))
        return False
    return True


def _skipped(ctx: MessageContext, category: str) -> bool:
    """A released message skips the built-in verdict that held it (and only that one)."""
    return ctx.envelope.skip.get("category") == category and not ctx.envelope.skip.get("rule")


def _safety(ctx: MessageContext) -> bool:
    """Viruses, unscannable messages and blocklisted senders are held whatever the rules say."""
    if ctx.facts.get("virus") and not _skipped(ctx, "virus"):
        names = ", ".join(sorted({v["signature"] for v in ctx.facts["virus"]}))
        ctx.dispositions.append(Disposition("quarantine", category="virus", reason=f"virus found: {names}"))
    elif ctx.facts.get("unscannable") and not _skipped(ctx, "unscannable"):
        ctx.dispositions.append(Disposition("quarantine", category="unscannable",
                                            reason="the message could not be scanned"))
    elif ctx.facts.get("sender_blocklisted") and not _skipped(ctx, "blocklist"):
        ctx.dispositions.append(Disposition("quarantine", category="blocklist", reason="sender is blocklisted"))
    return ctx.terminal() is not None


def _authentication(ctx: MessageContext, pol: CompiledPolicy) -> None:
    enforcement = pol.snapshot.settings.get("dmarc_enforcement", "quarantine")
    policy = ctx.facts.get("dmarc_policy")
    if enforcement == "off" or ctx.facts.get("dmarc") != "fail" or policy not in ("reject", "quarantine"):
        return
    if _skipped(ctx, "spoofing"):
        return
    reason = f"DMARC failed for the From domain (p={policy})"
    if enforcement == "delete" and policy == "reject":
        ctx.dispositions.append(Disposition("delete", reason=reason))
    else:
        ctx.dispositions.append(Disposition("quarantine", category="spoofing", reason=reason))


def _spam(ctx: MessageContext, pol: CompiledPolicy) -> None:
    s = pol.snapshot.settings
    if ctx.direction != "inbound" or ctx.facts.get("sender_allowlisted"):
        return
    score = ctx.score
    if ctx.envelope.skip:  # a person released it: their judgement replaces the spam thresholds
        ctx.add_headers.append(("X-Spam-Score", f"{score:.2f}"))
        return
    ctx.add_headers.append(("X-Spam-Score", f"{score:.2f}"))
    if score >= s["spam_delete_score"]:
        ctx.dispositions.append(Disposition("delete", reason=f"spam score {score:.1f}"))
    elif score >= s["spam_quarantine_score"]:
        ctx.dispositions.append(Disposition("quarantine", category="spam", reason=f"spam score {score:.1f}"))
    elif score >= s["spam_tag_score"]:
        ctx.add_headers.append(("X-Spam-Flag", "YES"))
        if s.get("spam_subject_tag"):
            apply_action(ctx, "tag_subject", {"tag": s["spam_subject_tag"]}, "spam subject tag")


def decide(ctx: MessageContext, explain: list | None = None) -> None:
    """After the checks: safety verdicts, rules, authentication and spam thresholds, pre-delivery rules."""
    pol = policy_for(ctx)
    if pol is None:
        return
    if not _safety(ctx):
        env = pol.env()
        run_rules(pol.rules, ctx, env, explain)
        if ctx.terminal() is None and not any(d.kind == "deliver" for d in ctx.dispositions):
            _authentication(ctx, pol)
            if ctx.terminal() is None:
                _spam(ctx, pol)
        if ctx.terminal() is None:
            run_rules(pol.predelivery, ctx, env, explain)
    if ctx.classifications:
        ctx.facts["classifications"] = ctx.classifications


_PER_RECIPIENT_CONDITIONS = {"recipient", "recipient_group"}


def per_recipient(ctx: MessageContext) -> bool:
    """Whether the customer's policy may treat recipients differently: rules that apply to some users,
    groups or domains, conditions on recipients, or users' own lists. The engine then processes an
    inbound message once per recipient (it is split before the checks)."""
    pol = policy_for(ctx)
    if pol is None:
        return False
    cached = getattr(pol, "_per_recipient", None)
    if cached is None:
        keys = ("users", "groups", "domains", "except_users", "except_groups", "except_domains")
        cached = bool(pol.lists.user_allow or pol.lists.user_block) or any(
            any(rule.applies[k] for k in keys)
            or any(ctype in _PER_RECIPIENT_CONDITIONS for _c, _p, _n, ctype in rule.conditions)
            for rule in (*pol.rules, *pol.predelivery))
        pol._per_recipient = cached
    return cached
