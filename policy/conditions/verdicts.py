"""Conditions on what the threat checks found: spam score, viruses, URLs, country, sender authentication,
impersonation."""

from __future__ import annotations

from typing import Any

from mailflow.engine.context import MessageContext
from policy.conditions.base import Condition, ConditionError, Env, number, str_list, wildcards

AUTH_RESULTS = {"spf": {"pass", "fail", "softfail", "neutral", "none", "temperror", "permerror"},
                "dkim": {"pass", "fail", "none", "temperror", "permerror"},
                "dmarc": {"pass", "fail", "none", "temperror", "permerror"}}


class SpamScore(Condition):
    name = "spam_score"
    description = "The message's score is at or above a value"

    def validate(self, params):
        return {"at_least": number(params, "at_least", minimum=-1000)}

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        return ctx.score >= compiled["at_least"]


class VirusFound(Condition):
    name = "virus"
    description = "An antivirus engine found malware (optionally: the signature matches a pattern)"

    def validate(self, params):
        return {"signatures": str_list(params, "signatures", required=False)}

    def compile(self, params):
        return wildcards(params["signatures"]) if params["signatures"] else None

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        found = ctx.facts.get("virus") or []
        return bool(found) if compiled is None else any(compiled.match(v["signature"]) for v in found)


class Unscannable(Condition):
    name = "unscannable"
    description = "The message could not be scanned (scanner failures past the retry bound)"

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        return bool(ctx.facts.get("unscannable"))


class UrlCondition(Condition):
    name = "url"
    description = ("A URL's host matches a pattern, is in a provider URL category, is on a blocklist, "
                   "is a shortener or an IP literal, or its domain is newly seen on the platform")

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        out = {"hosts": str_list(params, "hosts", required=False), "listed": bool(params.get("listed")),
               "shortener": bool(params.get("shortener")), "ip_literal": bool(params.get("ip_literal")),
               "categories": str_list(params, "categories", required=False),
               "newly_seen": bool(params.get("newly_seen"))}
        if not (out["hosts"] or out["listed"] or out["shortener"] or out["ip_literal"] or out["categories"]
                or out["newly_seen"]):
            raise ConditionError("give 'hosts', 'categories' and/or one of listed, shortener, ip_literal, newly_seen")
        return out

    def compile(self, params):
        return {**params, "hosts": wildcards(params["hosts"]) if params["hosts"] else None}

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        if compiled.get("newly_seen") and _links_newly_seen(ctx):
            return True
        for url in ctx.facts.get("urls") or []:
            host = (url.get("host") or "").lower()
            if compiled["hosts"] is not None and compiled["hosts"].match(host):
                return True
            if (compiled["listed"] and url.get("listed")) or (compiled["shortener"] and url.get("shortener")):
                return True
            if compiled["ip_literal"] and url.get("ip_literal"):
                return True
            if set(compiled.get("categories") or ()) & set(url.get("categories") or ()):
                return True
        return False


def _links_newly_seen(ctx: MessageContext) -> bool:
    """A link's domain is among the newly seen domains (the new_domains check; From alone does not count)."""
    from mailflow.auth.dmarc import org_domain

    new = set(ctx.facts.get("new_domains") or ())
    return bool(new) and any(org_domain(u.get("host") or "") in new for u in ctx.facts.get("urls") or [])


class Country(Condition):
    name = "country"
    description = "The connecting IP (or any Received hop) is in one of the countries (ISO codes)"

    def validate(self, params):
        codes = [c.upper() for c in str_list(params, "countries")]
        if any(len(c) != 2 or not c.isalpha() for c in codes):
            raise ConditionError("countries are two-letter ISO codes, e.g. DE, US")
        return {"countries": codes, "any_hop": bool(params.get("any_hop", False))}

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        countries = {ctx.facts.get("country") or ""}
        if compiled["any_hop"]:
            countries |= set(ctx.facts.get("received_countries") or [])
        return bool(countries & set(compiled["countries"]))


class AuthResult(Condition):
    name = "auth"
    description = "An SPF, DKIM or DMARC result is one of the given values"

    def validate(self, params):
        method = str(params.get("method", ""))
        if method not in AUTH_RESULTS:
            raise ConditionError(f"'method' must be one of {sorted(AUTH_RESULTS)}")
        results = str_list(params, "results")
        unknown = sorted(set(results) - AUTH_RESULTS[method])
        if unknown:
            raise ConditionError(f"unknown {method} results {unknown}")
        return {"method": method, "results": results}

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        return ctx.facts.get(compiled["method"]) in compiled["results"]


IMPERSONATION_KINDS = ("look-alike letters", "typing slip", "hyphens changed", "name plus a word",
                       "same name, other suffix")


class Impersonation(Condition):
    name = "impersonation"
    description = ("A sender domain imitates the customer's own (optionally: only these kinds), its own domain "
                   "is used without authentication, or a user's own name comes from outside")

    def validate(self, params):
        kinds = str_list(params, "kinds", required=False)
        unknown = sorted(set(kinds) - set(IMPERSONATION_KINDS))
        if unknown:
            raise ConditionError(f"unknown kinds {unknown}; known: {list(IMPERSONATION_KINDS)}")
        others = params.get("own_domain_unauthenticated") or params.get("user_name")
        out = {"lookalike": bool(params.get("lookalike", not others)),
               "own_domain_unauthenticated": bool(params.get("own_domain_unauthenticated")),
               "user_name": bool(params.get("user_name")), "kinds": kinds}
        if not (out["lookalike"] or out["own_domain_unauthenticated"] or out["user_name"]):
            raise ConditionError("give lookalike, own_domain_unauthenticated and/or user_name")
        return out

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        if compiled["own_domain_unauthenticated"] and ctx.facts.get("own_domain_unauthenticated"):
            return True
        if compiled["user_name"] and ctx.facts.get("display_name_of_user"):
            return True
        if not compiled["lookalike"]:
            return False
        found = (ctx.facts.get("lookalike_of") or {}).values()
        return any(not compiled["kinds"] or f.get("kind") in compiled["kinds"] for f in found)


class Always(Condition):
    name = "always"
    description = "Every message (for rules that act on everything they apply to)"

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        return True
