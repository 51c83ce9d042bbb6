"""The contract of a check (docs/mailflow.md, "Checks").

A check observes: it reads the message context and adds symbols and facts,
with no writes anywhere else. It declares its symbols (with default scores
and descriptions), a time budget, and what a failure means: ``skip`` (the
message goes on without this check's opinion, and the error is recorded) or
``tempfail`` (the message is retried later, never passed unchecked).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from mailflow.engine.context import MessageContext


@dataclass(frozen=True, slots=True)
class SymbolSpec:
    name: str
    score: float
    description: str


class CheckTemporaryFailure(Exception):
    """The check could not run now (scanner down, DNS timeout); retry the message."""


class Check:
    """Base class: subclasses set the class attributes and implement ``run``."""

    name: ClassVar[str]
    description: ClassVar[str]
    symbols: ClassVar[tuple[SymbolSpec, ...]] = ()
    time_budget: ClassVar[float] = 1.0  # seconds
    on_error: ClassVar[str] = "skip"  # or "tempfail"
    directions: ClassVar[frozenset[str]] = frozenset({"inbound", "outbound"})
    network: ClassVar[bool] = False  # asks DNS, other hosts or shared stores (left out of the engine warm-up)

    def applies(self, ctx: MessageContext) -> bool:
        return ctx.direction in self.directions

    def run(self, ctx: MessageContext) -> None:
        raise NotImplementedError

    def hit(self, ctx: MessageContext, symbol: str, detail: str = "", score: float | None = None) -> None:
        """Add one of this check's declared symbols, with its default score unless given."""
        spec = next((s for s in self.symbols if s.name == symbol), None)
        if spec is None:
            raise KeyError(f"check {self.name} did not declare symbol {symbol}")
        ctx.add_symbol(symbol, spec.score if score is None else score, detail)
