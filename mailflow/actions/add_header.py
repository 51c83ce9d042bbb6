"""Add or replace a header on the message that leaves (docs/mailflow.md)."""

from __future__ import annotations

import re
from typing import Any

from mailflow.actions.base import Action, ActionError
from mailflow.engine.context import MessageContext

_NAME = re.compile(r"^[!-9;-~]{1,76}$")  # RFC 5322 field name: printable, no colon


class AddHeader(Action):
    name = "add_header"
    description = "Add a header field (once, however often the rule matches)"

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        name = str(params.get("name", "")).strip()
        value = str(params.get("value", ""))
        if not _NAME.match(name):
            raise ActionError(f"{name!r} is not a valid header name")
        if any(ch in value for ch in "\r\n\x00"):
            raise ActionError("a header value must be a single line")
        return {"name": name, "value": value[:900]}

    def apply(self, ctx: MessageContext, params: dict[str, Any]) -> None:
        params = self.validate(params)
        pair = (params["name"], params["value"])
        if pair not in ctx.add_headers:
            ctx.add_headers.append(pair)
