"""The TextCensor syntax tree: plain dataclasses produced by the parser.

See docs/textcensor.md ("Syntax tree").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Piece(Enum):
    """Non-literal building blocks of a term."""

    STAR = "*"  # zero or more word characters
    ANY = "?"  # exactly one non-space character
    GAP = " "  # word separator inside a phrase


TermPart = str | Piece


@dataclass(frozen=True)
class Term:
    """A word, phrase or symbol string; ``parts`` holds literal text and pieces."""

    parts: tuple[TermPart, ...]
    case_sensitive: bool
    substring: bool
    line: int
    column: int
    source: str


@dataclass(frozen=True)
class Regex:
    """A ``/pattern/flags`` literal, matched with RE2."""

    pattern: str
    case_sensitive: bool
    line: int
    column: int


@dataclass(frozen=True)
class And:
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Or:
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Not:
    operand: Expr


@dataclass(frozen=True)
class Near:
    """``left NEAR/n right`` (any order) or ``left FOLLOWEDBY/n right`` (ordered).

    ``distance`` is the largest number of words allowed between the two;
    ``None`` means anywhere in the same zone.
    """

    left: Expr
    right: Expr
    distance: int | None
    ordered: bool


Leaf = Term | Regex
Expr = Term | Regex | And | Or | Not | Near


@dataclass(frozen=True)
class ScriptLine:
    """One weighted rule line of a script."""

    weight: float
    expr: Expr
    mult: float
    cap: float | None
    line: int
    source: str


@dataclass(frozen=True)
class Script:
    """A parsed script: its weighted lines and trigger threshold."""

    lines: tuple[ScriptLine, ...]
    threshold: float


def iter_leaves(expr: Expr) -> list[Leaf]:
    """Return the leaves of ``expr`` in source order."""
    if isinstance(expr, Term | Regex):
        return [expr]
    if isinstance(expr, Not):
        return iter_leaves(expr.operand)
    if isinstance(expr, Near):
        return iter_leaves(expr.left) + iter_leaves(expr.right)
    leaves: list[Leaf] = []
    for operand in expr.operands:
        leaves.extend(iter_leaves(operand))
    return leaves
