"""Bounce: refuse delivery and send a DSN to the envelope sender (docs/mailflow.md)."""

from __future__ import annotations

from typing import Any

from mailflow.actions.base import Action, ActionError
from mailflow.engine.context import Disposition, MessageContext


class Bounce(Action):
    name = "bounce"
    description = "Do not deliver; return a delivery status notification to the sender with a reason"
    terminal = True

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        reason = str(params.get("reason", "")).strip()
        if any(ch in reason for ch in "\r\n"):
            raise ActionError("the bounce reason must be a single line")
        return {"reason": reason[:200] or "Message refused by policy"}

    def apply(self, ctx: MessageContext, params: dict[str, Any]) -> None:
        params = self.validate(params)
        ctx.dispositions.append(Disposition("bounce", reason=params["reason"]))
