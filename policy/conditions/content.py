"""Conditions on message content: header fields and TextCensor scripts."""

from __future__ import annotations

import re
from typing import Any

from mailflow.engine.context import MessageContext
from mailflow.mime.decode import decode_text
from policy.conditions.base import Condition, ConditionError, Env, str_list
from policy.textcensor import TextcensorInput, Zone, html_to_text

_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/csv")


def textcensor_input(ctx: MessageContext) -> TextcensorInput:
    """The zones TextCensor reads, decoded once per message from the shared parse."""
    parsed = ctx.parsed
    body = "\n".join([*parsed.text_bodies, *(html_to_text(h) for h in parsed.html_bodies)])
    headers = "\n".join(f"{name}: {value}" for name, value in parsed.headers)
    attachments = []
    for part in parsed.attachments:
        if part.true_type.startswith(_TEXT_TYPES) and part.size <= 2 * 1024 * 1024:
            text = decode_text(part.data, part.charset or "utf-8")[0]  # an unknown charset is read as UTF-8
            attachments.append(html_to_text(text) if part.family == "html" else text)
    return TextcensorInput(subject=parsed.subject, body=body, headers=headers, attachments=tuple(attachments))


def header_values(ctx: MessageContext, env: Env) -> dict[str, list[str]]:
    """Header values by lower-cased field name, in message order; indexed once per message."""
    index = env.cache.get("headers")
    if index is None:
        index = env.cache["headers"] = {}
        for name, value in ctx.parsed.headers:
            index.setdefault(name.lower(), []).append(value)
    return index


class HeaderMatch(Condition):
    name = "header"
    description = "A header field matches a regular expression (case-insensitive)"

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        header = str(params.get("name", "")).strip()
        if not re.fullmatch(r"[!-9;-~]{1,76}", header):
            raise ConditionError(f"{header!r} is not a header name")
        pattern = str(params.get("pattern", ""))
        try:
            import re2

            re2.compile(pattern)
        except Exception as exc:
            raise ConditionError(f"pattern: {exc}") from None
        return {"name": header, "pattern": pattern}

    def compile(self, params):
        import re2

        return params["name"].lower(), re2.compile("(?i)" + params["pattern"])

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        name, pattern = compiled
        return any(pattern.search(value) for value in header_values(ctx, env).get(name, ()))


class TextCensor(Condition):
    name = "textcensor"
    description = "A TextCensor script triggers (reaches its threshold) on the chosen parts of the message"

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        script = str(params.get("script", "")).strip()
        if not script:
            raise ConditionError("name the TextCensor script")
        zones = str_list(params, "zones", required=False) or ["subject", "body", "attachments"]
        valid = {z.value for z in Zone}
        bad = [z for z in zones if z not in valid]
        if bad:
            raise ConditionError(f"unknown zone(s) {bad}; use {sorted(valid)}")
        return {"script": script, "zones": sorted(zones)}

    def compile(self, params):
        return params["script"], frozenset(Zone(z) for z in params["zones"])

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        script, zones = compiled
        if env.censor is None or script not in env.censor.scripts:
            return False
        scan = env.cache.get("textcensor")
        if scan is None:  # first textcensor condition of this message: one scan for every read of the policy
            reads = env.textcensor_reads or ((script, zones),)
            scan = env.cache["textcensor"] = env.censor.scan(textcensor_input(ctx), reads)
        result = scan.result(script, zones)
        ctx.facts.setdefault("textcensor", {})[script] = result.score
        return result.triggered
