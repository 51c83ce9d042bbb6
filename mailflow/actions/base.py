"""The contract of an action (docs/mailflow.md, "Actions").

An action acts on the context: it changes the message that will leave
(headers, body) or decides its disposition (deliver, quarantine, bounce,
delete). Actions are idempotent: applying one twice has the effect of once.
"""

from __future__ import annotations

from typing import Any, ClassVar

from mailflow.engine.context import MessageContext


class ActionError(ValueError):
    """An action was given parameters it cannot use."""


class Action:
    name: ClassVar[str]
    description: ClassVar[str]
    terminal: ClassVar[bool] = False  # decides the message's fate

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        """Check and normalise parameters when a rule is saved."""
        return params

    def apply(self, ctx: MessageContext, params: dict[str, Any]) -> None:
        raise NotImplementedError
