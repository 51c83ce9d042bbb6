"""Sender and recipient address conditions (wildcards, domains, lists)."""

from __future__ import annotations

from typing import Any

from mailflow.engine.context import MessageContext
from policy.conditions.base import Condition, Env, address_matches, str_list, wildcards


class Sender(Condition):
    name = "sender"
    description = "The envelope sender (or the From address) matches one of the patterns"

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"patterns": str_list(params, "patterns"), "header_from": bool(params.get("header_from", False))}

    def compile(self, params: dict[str, Any]):
        return wildcards(params["patterns"]), params["header_from"]

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        pattern, header_from = compiled
        addresses = [ctx.envelope.mail_from]
        if header_from:
            addresses.append(ctx.parsed.from_)
        return any(a and address_matches(a, pattern) for a in addresses)


class Recipient(Condition):
    name = "recipient"
    description = "Any envelope recipient matches one of the patterns"

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"patterns": str_list(params, "patterns")}

    def compile(self, params: dict[str, Any]):
        return wildcards(params["patterns"])

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        return any(address_matches(r, compiled) for r in ctx.envelope.recipients)


class RecipientGroup(Condition):
    name = "recipient_group"
    description = "Any recipient is a member of one of the customer's groups"

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"groups": str_list(params, "groups")}

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        members = set().union(*(env.groups.get(g, frozenset()) for g in compiled["groups"]))
        return any(r.lower() in members for r in ctx.envelope.recipients)
