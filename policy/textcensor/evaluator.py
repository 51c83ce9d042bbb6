"""Evaluate compiled expressions over the leaf hits of one message.

Occurrences are ``(zone, start, end)`` byte spans; boolean operators count
over the whole message, NEAR and FOLLOWEDBY pair occurrences within one zone
text only. See docs/textcensor.md ("Counting and scoring").
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import chain

from .nodes import Expr, Near, Not, Or, Regex, Term
from .scanner import WordIndex

Occ = tuple[int, int, int]  # zone instance, start byte, end byte
Result = tuple[int, list[Occ]]
_NONE: list[Occ] = []


@dataclass
class Context:
    """Leaf hits of one message for the zone instances a script reads."""

    hits: dict[int, list[Occ]]
    words: list[WordIndex]


class Op:
    positional = True

    def run(self, ctx: Context) -> Result:
        raise NotImplementedError


class LeafOp(Op):
    def __init__(self, leaf_id: int) -> None:
        self.leaf_id = leaf_id

    def run(self, ctx: Context) -> Result:
        spans = ctx.hits.get(self.leaf_id, _NONE)
        return len(spans), spans


class OrOp(Op):
    def __init__(self, ops: list[Op]) -> None:
        self.ops = ops
        self.positional = all(op.positional for op in ops)

    def run(self, ctx: Context) -> Result:
        results = [op.run(ctx) for op in self.ops]
        if self.positional:
            spans = sorted(set(chain.from_iterable(spans for _, spans in results)))
            return len(spans), spans
        return sum(count for count, _ in results), list(chain.from_iterable(s for _, s in results))


class AndOp(Op):
    positional = False

    def __init__(self, positive: list[Op], negative: list[Op]) -> None:
        self.positive = positive
        self.negative = negative

    def run(self, ctx: Context) -> Result:
        if any(op.run(ctx)[0] for op in self.negative):
            return 0, _NONE
        if not self.positive:
            return 1, _NONE
        results = [op.run(ctx) for op in self.positive]
        count = min(count for count, _ in results)
        return count, (list(chain.from_iterable(s for _, s in results)) if count else _NONE)


class NotOp(Op):
    positional = False

    def __init__(self, op: Op) -> None:
        self.op = op

    def run(self, ctx: Context) -> Result:
        return (0 if self.op.run(ctx)[0] else 1), _NONE


class NearOp(Op):
    def __init__(self, left: Op, right: Op, distance: int | None, ordered: bool) -> None:
        self.left, self.right = left, right
        self.distance, self.ordered = distance, ordered

    def run(self, ctx: Context) -> Result:
        lefts, rights = self.left.run(ctx)[1], self.right.run(ctx)[1]
        if not lefts or not rights:
            return 0, _NONE
        located = sorted((_locate(ctx, occ), occ) for occ in rights)
        keys = [(words[0], words[1]) for words, _ in located]
        widest = max(words[2] - words[1] for words, _ in located)
        spans = []
        for occ in lefts:
            partner = self._partner(_locate(ctx, occ), occ, located, keys, widest)
            if partner is not None:
                spans.append((occ[0], min(occ[1], partner[1]), max(occ[2], partner[2])))
        return len(spans), spans

    def _partner(self, words: tuple[int, int, int], occ: Occ, located: list, keys: list, widest: int) -> Occ | None:
        zone, first, last = words
        far = 10**9 if self.distance is None else self.distance
        low = (zone, first) if self.ordered else (zone, first - far - 1 - widest)
        high = (zone, last + far + 1, 10**9)
        for index in range(bisect_left(keys, low), bisect_right(keys, high)):
            (_, r_first, r_last), r_occ = located[index]
            if r_occ[1] >= occ[2]:  # right occurrence after the left one
                gap = r_first - last - 1
            elif not self.ordered and r_occ[2] <= occ[1]:
                gap = first - r_last - 1
            else:
                continue
            if gap <= far:
                return r_occ
        return None


def _locate(ctx: Context, occ: Occ) -> tuple[int, int, int]:
    first, last = ctx.words[occ[0]].words((occ[1], occ[2]))
    return occ[0], first, last


def build_op(expr: Expr, leaf_id: dict[Term | Regex, int]) -> Op:
    """Turn a parsed expression into evaluation ops over leaf ids."""
    if isinstance(expr, Term | Regex):
        return LeafOp(leaf_id[expr])
    if isinstance(expr, Or):
        return OrOp([build_op(operand, leaf_id) for operand in expr.operands])
    if isinstance(expr, Not):
        return NotOp(build_op(expr.operand, leaf_id))
    if isinstance(expr, Near):
        return NearOp(build_op(expr.left, leaf_id), build_op(expr.right, leaf_id), expr.distance, expr.ordered)
    positive = [build_op(op, leaf_id) for op in expr.operands if not isinstance(op, Not)]
    negative = [build_op(op.operand, leaf_id) for op in expr.operands if isinstance(op, Not)]
    return AndOp(positive, negative)


SCORE_LIMIT = 1e9


def line_score(weight: float, count: int, mult: float, cap: float | None) -> float:
    """Weight of ``count`` occurrences: weight * (1 + mult + mult**2 + ...), capped."""
    if count <= 0:
        return 0.0
    if mult == 1.0:
        score = weight * count
    else:
        try:
            score = weight * (mult**count - 1) / (mult - 1)
        except OverflowError:
            score = float("inf") if weight > 0 else float("-inf")
    if cap is not None and abs(score) > cap:
        score = cap if score > 0 else -cap
    return max(-SCORE_LIMIT, min(SCORE_LIMIT, score))
