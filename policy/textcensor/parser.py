"""Recursive-descent parser: script source -> :class:`nodes.Script`.

Precedence, loosest first: OR, AND, NOT, NEAR/FOLLOWEDBY.
See docs/textcensor.md ("Syntax").
"""

from __future__ import annotations

import re

from .errors import TextCensorSyntaxError
from .lexer import Kind, Token, tokenize
from .limits import DEFAULT_LIMITS, Limits
from .nodes import And, Expr, Near, Not, Or, Regex, Script, ScriptLine, Term, iter_leaves
from .patterns import check_regex, check_term

DEFAULT_THRESHOLD = 1.0
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)\Z")
_PROXIMITY = re.compile(r"(NEAR|FOLLOWEDBY)(?:/(.*))?\Z")
_KEYWORDS = frozenset({"AND", "OR", "NOT", "MULT", "CAP", "THRESHOLD"})
_OPERATOR_HINT = "an operator (AND, OR, NEAR, FOLLOWEDBY)"


def parse_script(source: str, limits: Limits = DEFAULT_LIMITS) -> Script:
    """Parse a whole script; raises :class:`TextCensorSyntaxError` on the first error."""
    if len(source) > limits.max_script_chars:
        raise TextCensorSyntaxError(f"script is longer than {limits.max_script_chars} characters", 1, 1)
    lines: list[ScriptLine] = []
    threshold: float | None = None
    terms = 0
    for line_no, text in enumerate(source.splitlines(), start=1):
        tokens = tokenize(text, line_no)
        if tokens[0].kind is Kind.EOL:
            continue
        if _is_keyword(tokens[0], "THRESHOLD"):
            if threshold is not None:
                raise TextCensorSyntaxError("THRESHOLD is set twice", line_no, tokens[0].column)
            threshold = _LineParser(tokens, line_no, limits).threshold()
            continue
        parsed = _LineParser(tokens, line_no, limits).line(text[: tokens[-1].column - 1].strip())
        terms += len(iter_leaves(parsed.expr))
        if terms > limits.max_terms_per_script:
            raise TextCensorSyntaxError(
                f"script has more than {limits.max_terms_per_script} terms", line_no, tokens[1].column
            )
        lines.append(parsed)
        if len(lines) > limits.max_lines:
            raise TextCensorSyntaxError(f"script has more than {limits.max_lines} rule lines", line_no, 1)
    return Script(tuple(lines), DEFAULT_THRESHOLD if threshold is None else threshold)


def _is_keyword(token: Token, word: str) -> bool:
    return token.kind is Kind.WORD and token.plain and token.text == word


class _LineParser:
    """Parses the tokens of one line."""

    def __init__(self, tokens: list[Token], line_no: int, limits: Limits) -> None:
        self.tokens = tokens
        self.pos = 0
        self.line_no = line_no
        self.limits = limits
        self.depth = 0
        self.leaves = 0

    # -- helpers -------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def error(self, message: str, token: Token | None = None) -> TextCensorSyntaxError:
        return TextCensorSyntaxError(message, self.line_no, (token or self.tok).column)

    def number(self, what: str, *, signed: bool = True) -> float:
        token = self.tok
        if token.kind is not Kind.WORD or not token.plain or not _NUMBER.match(token.text):
            raise self.error(f"expected {what}, found {_describe(token)}")
        if not signed and token.text[0] in "+-":
            raise self.error(f"{what} cannot have a sign")
        value = float(token.text)
        if abs(value) > self.limits.max_abs_number:
            raise self.error(f"{what} is larger than {self.limits.max_abs_number:g}")
        self.pos += 1
        return value

    def keyword(self) -> str | None:
        token = self.tok
        if token.kind is not Kind.WORD or not token.plain:
            return None
        if token.text in _KEYWORDS or _PROXIMITY.match(token.text):
            return token.text.split("/", 1)[0]
        return None

    # -- lines -----------------------------------------------------------
    def threshold(self) -> float:
        self.pos += 1
        value = self.number("a number after THRESHOLD")
        self.expect_eol()
        return value

    def line(self, source: str) -> ScriptLine:
        if self.tok.kind is Kind.WORD and self.tok.plain and _NUMBER.match(self.tok.text):
            weight = self.number("a weight")
        else:
            raise self.error(
                f"expected a weight such as +5 or -3 at the start of the line, found {_describe(self.tok)}"
            )
        if self.tok.kind is Kind.EOL:
            raise self.error("expected a term, phrase or pattern after the weight")
        expr = self.or_expr()
        mult, cap = 1.0, None
        while self.keyword() in ("MULT", "CAP"):
            word = self.keyword()
            self.pos += 1
            if word == "MULT":
                mult = self.number("a multiplier after MULT", signed=False)
            else:
                cap = self.number("a cap after CAP", signed=False)
        self.expect_eol()
        return ScriptLine(weight, expr, mult, cap, self.line_no, source)

    def expect_eol(self) -> None:
        token = self.tok
        if token.kind is Kind.EOL:
            return
        if token.kind is Kind.RPAREN:
            raise self.error("unexpected ')' with no matching '('")
        if self.keyword() in ("MULT", "CAP", "THRESHOLD"):
            raise self.error(f"{token.text} must come after the expression, once")
        raise self.error(f"expected {_OPERATOR_HINT} before {_describe(token)}; put phrases in quotes")

    # -- expressions -----------------------------------------------------
    def or_expr(self) -> Expr:
        operands = [self.and_expr()]
        while self.keyword() == "OR":
            self.pos += 1
            operands.append(self.and_expr())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_expr(self) -> Expr:
        operands = [self.not_expr()]
        while self.keyword() == "AND":
            self.pos += 1
            operands.append(self.not_expr())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def not_expr(self) -> Expr:
        if self.keyword() == "NOT":
            self.pos += 1
            return Not(self.not_expr())
        return self.near_expr()

    def near_expr(self) -> Expr:
        start = self.tok
        left = self.primary()
        while self.keyword() in ("NEAR", "FOLLOWEDBY"):
            op = self.tok
            distance = self.distance(op)
            self.pos += 1
            right_start = self.tok
            right = self.primary()
            _check_positional(left, start, op, self)
            _check_positional(right, right_start, op, self)
            left = Near(left, right, distance, ordered=op.text.startswith("FOLLOWEDBY"))
        return left

    def distance(self, op: Token) -> int | None:
        match = _PROXIMITY.match(op.text)
        assert match is not None
        name, raw = match.group(1), match.group(2)
        if raw is None:
            return 10 if name == "NEAR" else None
        if not raw.isdigit():
            raise self.error(f"expected a number of words after '{name}/', e.g. {name}/5", op)
        value = int(raw)
        if value > self.limits.max_distance:
            raise self.error(f"{name} distance {value} is larger than {self.limits.max_distance}", op)
        return value

    def primary(self) -> Expr:
        token = self.tok
        if token.kind is Kind.LPAREN:
            return self.group(token)
        if token.kind is Kind.TILDE:
            self.pos += 1
            if self.tok.kind not in (Kind.WORD, Kind.QUOTED) or self.tok.column != token.column + 1:
                raise self.error("'~' must be followed directly by a term or phrase", token)
            return self.term(substring=True, column=token.column)
        if token.kind is Kind.REGEX:
            self.pos += 1
            self.count_leaf(token)
            check_regex(token.text, token.case_sensitive, self.line_no, token.column, self.limits)
            return Regex(token.text, token.case_sensitive, self.line_no, token.column)
        if token.kind is Kind.QUOTED or (token.kind is Kind.WORD and self.keyword() is None):
            return self.term(substring=False, column=token.column)
        if token.kind is Kind.EOL:
            raise self.error("expected a term, phrase or pattern, found the end of the line")
        raise self.error(f"expected a term, phrase or pattern, found {_describe(token)}")

    def group(self, open_token: Token) -> Expr:
        self.depth += 1
        if self.depth > self.limits.max_nesting:
            raise self.error(f"parentheses nested deeper than {self.limits.max_nesting}")
        self.pos += 1
        inner = self.or_expr()
        if self.tok.kind is not Kind.RPAREN:
            raise self.error(f"expected ')' to close '(' opened at column {open_token.column}")
        self.pos += 1
        self.depth -= 1
        return inner

    def term(self, *, substring: bool, column: int) -> Term:
        token = self.tok
        self.pos += 1
        self.count_leaf(token)
        case_sensitive = token.kind is Kind.QUOTED and token.case_sensitive
        check_term(token.parts, self.line_no, token.column, self.limits)
        source = ("~" if substring else "") + token.text
        return Term(token.parts, case_sensitive, substring, self.line_no, column, source)

    def count_leaf(self, token: Token) -> None:
        self.leaves += 1
        if self.leaves > self.limits.max_terms_per_line:
            raise self.error(f"line has more than {self.limits.max_terms_per_line} terms", token)


def _check_positional(expr: Expr, start: Token, op: Token, parser: _LineParser) -> None:
    """NEAR/FOLLOWEDBY operands must have positions: terms, patterns, OR-groups."""
    if isinstance(expr, Or):
        for operand in expr.operands:
            _check_positional(operand, start, op, parser)
    elif isinstance(expr, And | Not):
        name = op.text.split("/", 1)[0]
        raise parser.error(f"{name} needs terms, phrases, patterns or OR-groups on both sides, not AND/NOT", start)


def _describe(token: Token) -> str:
    if token.kind is Kind.EOL:
        return "the end of the line"
    return f"{token.text!r}"
