"""The policy decision step of the engine (docs/policy.md).

``decide(ctx)`` runs after the checks: it evaluates the customer's compiled
policy snapshot and applies the actions of the rules that match.
"""

from __future__ import annotations

from mailflow.engine.context import MessageContext
from mailflow.engine.pipeline import default_decide


def decide(ctx: MessageContext) -> None:
    default_decide(ctx)
