"""Deliver: the message goes on to its recipients (docs/mailflow.md)."""

from __future__ import annotations

from typing import Any

from mailflow.actions.base import Action
from mailflow.engine.context import Disposition, MessageContext


class Deliver(Action):
    name = "deliver"
    description = "Deliver the message to its recipients"
    terminal = True

    def apply(self, ctx: MessageContext, params: dict[str, Any]) -> None:
        ctx.dispositions.append(Disposition("deliver", reason=params.get("reason", "")))
