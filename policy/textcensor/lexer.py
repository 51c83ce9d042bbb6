"""Split one TextCensor script line into tokens with 1-based columns.

See docs/textcensor.md ("Syntax").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .errors import TextCensorSyntaxError
from .nodes import Piece, TermPart


class Kind(Enum):
    WORD = "word"  # bare word: term, keyword or number (the parser decides)
    QUOTED = "quoted"  # "phrase" (any case) or 'Phrase' (exact case)
    REGEX = "regex"
    TILDE = "~"
    LPAREN = "("
    RPAREN = ")"
    EOL = "end of line"


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str  # source text of the token
    column: int
    parts: tuple[TermPart, ...] = ()
    plain: bool = False  # bare word without escapes (may be a keyword)
    case_sensitive: bool = False


_BREAK = frozenset("()")


def tokenize(line: str, line_no: int) -> list[Token]:
    """Tokenize ``line``; comments (``#`` at the start of a token) are dropped."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(line):
        char = line[pos]
        if char.isspace():
            pos += 1
        elif char == "#":
            tokens.append(Token(Kind.EOL, "", pos + 1))
            return tokens
        elif char in _BREAK:
            tokens.append(Token(Kind(char), char, pos + 1))
            pos += 1
        elif char == "~":
            tokens.append(Token(Kind.TILDE, char, pos + 1))
            pos += 1
        elif char in "\"'":
            token, pos = _quoted(line, pos, line_no)
            tokens.append(token)
        elif char == "/":
            token, pos = _regex(line, pos, line_no)
            tokens.append(token)
        else:
            token, pos = _word(line, pos, line_no)
            tokens.append(token)
    tokens.append(Token(Kind.EOL, "", len(line) + 1))
    return tokens


class _Parts:
    """Accumulates literal text and wildcard pieces of a term."""

    def __init__(self) -> None:
        self.parts: list[TermPart] = []

    def literal(self, char: str) -> None:
        if self.parts and isinstance(self.parts[-1], str):
            self.parts[-1] += char
        else:
            self.parts.append(char)

    def piece(self, piece: Piece) -> None:
        if piece is Piece.GAP and (not self.parts or self.parts[-1] is Piece.GAP):
            return
        self.parts.append(piece)

    def done(self) -> tuple[TermPart, ...]:
        while self.parts and self.parts[-1] is Piece.GAP:
            self.parts.pop()
        return tuple(self.parts)


def _escape(line: str, pos: int, line_no: int) -> str:
    if pos + 1 >= len(line):
        raise TextCensorSyntaxError("'\\' at the end of the line escapes nothing", line_no, pos + 1)
    return line[pos + 1]


def _word(line: str, start: int, line_no: int) -> tuple[Token, int]:
    parts, pos, plain = _Parts(), start, True
    while pos < len(line) and not line[pos].isspace() and line[pos] not in _BREAK:
        char = line[pos]
        if char == "\\":
            parts.literal(_escape(line, pos, line_no))
            plain, pos = False, pos + 2
            continue
        if char == "*":
            parts.piece(Piece.STAR)
        elif char == "?":
            parts.piece(Piece.ANY)
        else:
            parts.literal(char)
        pos += 1
    token = Token(Kind.WORD, line[start:pos], start + 1, parts.done(), plain=plain)
    return token, pos


def _quoted(line: str, start: int, line_no: int) -> tuple[Token, int]:
    quote, parts, pos = line[start], _Parts(), start + 1
    while pos < len(line) and line[pos] != quote:
        char = line[pos]
        if char == "\\":
            parts.literal(_escape(line, pos, line_no))
            pos += 2
            continue
        if char.isspace():
            parts.piece(Piece.GAP)
        elif char == "*":
            parts.piece(Piece.STAR)
        elif char == "?":
            parts.piece(Piece.ANY)
        else:
            parts.literal(char)
        pos += 1
    if pos >= len(line):
        raise TextCensorSyntaxError(f"unterminated phrase: missing closing {quote}", line_no, start + 1)
    while parts.parts and parts.parts[0] is Piece.GAP:
        parts.parts.pop(0)
    text = line[start : pos + 1]
    token = Token(Kind.QUOTED, text, start + 1, parts.done(), case_sensitive=quote == "'")
    return token, pos + 1


def _regex(line: str, start: int, line_no: int) -> tuple[Token, int]:
    pos, chars = start + 1, []
    while pos < len(line) and line[pos] != "/":
        if line[pos] == "\\" and pos + 1 < len(line):
            chars.append(line[pos : pos + 2] if line[pos + 1] != "/" else "/")
            pos += 2
            continue
        chars.append(line[pos])
        pos += 1
    if pos >= len(line):
        raise TextCensorSyntaxError("unterminated regular expression: missing closing /", line_no, start + 1)
    pos += 1
    case_sensitive = False
    while pos < len(line) and line[pos].isalpha():
        if line[pos] not in "ci":
            raise TextCensorSyntaxError(
                f"unknown regular expression flag {line[pos]!r} (use c for case-sensitive)", line_no, pos + 1
            )
        case_sensitive = line[pos] == "c"
        pos += 1
    token = Token(Kind.REGEX, "".join(chars), start + 1, case_sensitive=case_sensitive)
    return token, pos
