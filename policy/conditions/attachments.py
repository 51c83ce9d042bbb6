"""Attachment conditions: true type by family or exact type, name, size, archive facts."""

from __future__ import annotations

from typing import Any

from mailflow.engine.context import MessageContext
from mailflow.mime.types import FAMILIES
from policy.conditions.base import Condition, ConditionError, Env, number, str_list, wildcards

ARCHIVE_FACTS = frozenset({"bomb", "encrypted", "unscannable", "depth_exceeded", "too_many_members", "too_large"})


def matching_attachments(ctx: MessageContext, compiled: dict) -> list:
    """Attachments (and archive members) that satisfy an attachment_type/name compiled spec."""
    out = []
    for part in ctx.parsed.attachments:
        if compiled.get("families") and part.family not in compiled["families"] and not (
                "encrypted" in compiled["families"] and part.encrypted):
            continue
        if compiled.get("types") and part.true_type not in compiled["types"]:
            continue
        if compiled.get("names") is not None and not compiled["names"].match((part.filename or "").lower()):
            continue
        out.append(part)
    return out


class AttachmentType(Condition):
    name = "attachment_type"
    description = "An attachment or archive member is of a true-type family or exact MIME type"

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        families = str_list(params, "families", required=False)
        types = str_list(params, "types", required=False)
        if not families and not types:
            raise ConditionError("give 'families' and/or exact 'types'")
        unknown = sorted(set(families) - FAMILIES)
        if unknown:
            raise ConditionError(f"unknown families {unknown}; use {sorted(FAMILIES)}")
        return {"families": families, "types": [t.lower() for t in types]}

    def compile(self, params):
        return {"families": frozenset(params["families"]), "types": frozenset(params["types"])}

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        return bool(matching_attachments(ctx, compiled))


class AttachmentName(Condition):
    name = "attachment_name"
    description = "An attachment's file name matches a pattern (e.g. *.exe, invoice*.zip)"

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"patterns": [p.lower() for p in str_list(params, "patterns")]}

    def compile(self, params):
        return {"names": wildcards(params["patterns"])}

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        return bool(matching_attachments(ctx, compiled))


class AttachmentSize(Condition):
    name = "attachment_size"
    description = "An attachment is at least this many bytes"

    def validate(self, params):
        return {"at_least": number(params, "at_least", minimum=1)}

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        return any(p.size >= compiled["at_least"] for p in ctx.parsed.attachments)


class ArchiveFact(Condition):
    name = "archive"
    description = "An archive is a bomb, encrypted, unscannable, or nested at least N deep"

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        facts = str_list(params, "facts", required=False)
        unknown = sorted(set(facts) - ARCHIVE_FACTS)
        if unknown:
            raise ConditionError(f"unknown archive facts {unknown}; use {sorted(ARCHIVE_FACTS)}")
        out: dict[str, Any] = {"facts": facts}
        if "min_depth" in params:
            out["min_depth"] = int(number(params, "min_depth", minimum=1))
        if not facts and "min_depth" not in out:
            raise ConditionError("give 'facts' and/or 'min_depth'")
        return out

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        kinds = {f.kind for f in ctx.parsed.archive_facts} | {"encrypted" for p in ctx.parsed.parts if p.encrypted}
        if kinds & set(compiled["facts"]):
            return True
        depth = max((p.depth for p in ctx.parsed.parts), default=0)
        return "min_depth" in compiled and depth >= compiled["min_depth"]
