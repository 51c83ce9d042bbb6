"""Translate TextCensor leaves into RE2 patterns, and validate them.

Every leaf gets three patterns (see docs/textcensor.md, "How matching works"):

* ``prefilter`` - a cheap superset used in the combined RE2 set that scans a
  zone once for every script; it uses ASCII classes only, so thousands of
  them compile in milliseconds;
* ``ascii`` - the exact pattern for zones that are pure ASCII;
* ``unicode`` - the exact pattern for other zones (Unicode word characters).

Term patterns capture the term itself in group 1 and consume at most one
boundary character on each side; regular expressions report group 0.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import re2

from .errors import TextCensorSyntaxError
from .limits import Limits
from .nodes import Leaf, Piece, Regex, Term, TermPart

_UNI_WORD, _UNI_NONWORD = r"[\pL\pN_]", r"[^\pL\pN_]"
_ASCII_WORD, _ASCII_NONWORD = r"\w", r"\W"
# Case folding maps these ASCII letters to non-ASCII ones (K: Kelvin sign,
# s: long s), so an ASCII \b is not a safe prefilter boundary next to them.
_FOLDS_OUTSIDE_ASCII = frozenset("kKsS")


@dataclass(frozen=True)
class LeafPatterns:
    """The RE2 patterns for one leaf; equal leaves share one instance."""

    prefilter: str
    ascii: str
    unicode: str
    ascii_group: int  # group holding the occurrence span
    unicode_group: int
    # Literal start of the term (lower-cased unless case-sensitive): in ASCII
    # text its occurrences are found with bytes.find and confirmed with an
    # anchored match of the ``ascii`` pattern, which is much faster.
    key: bytes | None = None
    key_lower: bool = False


def options() -> re2.Options:
    """RE2 options used for every pattern (no logging of rejected patterns)."""
    opts = re2.Options()
    opts.log_errors = False
    return opts


@functools.lru_cache(maxsize=65536)
def compiled(pattern: str) -> re2._Regexp:
    """Compile (and cache process-wide) one exact pattern."""
    return re2.compile(pattern, options())


def _ascii_exact(term: Term) -> tuple[str, int]:
    """Exact pattern for pure-ASCII text.

    When both edges are literal text or ``*`` it needs no capture group:
    ``\\b`` is exact on ASCII text, and a greedy ``\\w*`` edge always ends on
    a word boundary. Other shapes use the general form.
    """
    first, last = term.parts[0], term.parts[-1]
    simple = all(isinstance(part, str) or part is Piece.STAR for part in (first, last))
    if term.substring or not simple:
        return _exact(term, _ASCII_WORD, _ASCII_NONWORD), 1
    body = _body(term.parts, _ASCII_WORD, _ASCII_NONWORD, _ASCII_WORD + "*")
    if not term.case_sensitive:
        body = f"(?i:{body})"
    lead = r"\b" if isinstance(first, str) and _is_word(first[0]) else ""
    trail = r"\b" if isinstance(last, str) and _is_word(last[-1]) else ""
    return f"{lead}{body}{trail}", 0


def _key(term: Term, ascii_group: int) -> bytes | None:
    first = term.parts[0]
    if ascii_group != 0 or not isinstance(first, str) or not first.isascii():
        return None
    return (first if term.case_sensitive else first.lower()).encode()


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _edge_is_word(part: TermPart, last: bool) -> bool:
    if isinstance(part, str):
        return _is_word(part[-1] if last else part[0])
    return part is not Piece.GAP


def _body(parts: tuple[TermPart, ...], word: str, nonword: str, star: str) -> str:
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(re2.escape(part))
        elif part is Piece.STAR:
            out.append(star)
        elif part is Piece.ANY:
            out.append(r"\S")
        else:
            out.append(nonword + "+")
    return "".join(out)


def _exact(term: Term, word: str, nonword: str) -> str:
    body = _body(term.parts, word, nonword, word + "*")
    if not term.case_sensitive:
        body = f"(?i:{body})"
    lead = trail = ""
    if not term.substring and _edge_is_word(term.parts[0], last=False):
        lead = f"(?:^|{nonword})"
    if not term.substring and _edge_is_word(term.parts[-1], last=True):
        trail = f"(?:{nonword}|$)"
    return f"{lead}({body}){trail}"


def _ascii_boundary(part: TermPart, last: bool, term: Term) -> bool:
    if term.substring or not isinstance(part, str):
        return False
    char = part[-1] if last else part[0]
    if not term.case_sensitive and char in _FOLDS_OUTSIDE_ASCII:
        return False
    return char.isascii() and _is_word(char)


def _prefilter(term: Term) -> str:
    body = _body(term.parts, _ASCII_WORD, _ASCII_NONWORD, r"\S*")
    lead = r"\b" if _ascii_boundary(term.parts[0], False, term) else ""
    trail = r"\b" if _ascii_boundary(term.parts[-1], True, term) else ""
    flags = "" if term.case_sensitive else "(?i)"
    return f"{flags}{lead}{body}{trail}"


def leaf_patterns(leaf: Leaf) -> LeafPatterns:
    """Build the patterns for ``leaf`` (already validated by the parser)."""
    if isinstance(leaf, Regex):
        pattern = leaf.pattern if leaf.case_sensitive else f"(?i:{leaf.pattern})"
        return LeafPatterns(pattern, pattern, pattern, 0, 0)
    if not leaf.case_sensitive:  # equal terms in any case share one pattern
        parts = tuple(part.lower() if isinstance(part, str) and part.isascii() else part for part in leaf.parts)
        leaf = replace(leaf, parts=parts)
    ascii_pattern, ascii_group = _ascii_exact(leaf)
    unicode_pattern = _exact(leaf, _UNI_WORD, _UNI_NONWORD)
    key = _key(leaf, ascii_group)
    return LeafPatterns(_prefilter(leaf), ascii_pattern, unicode_pattern, ascii_group, 1, key, not leaf.case_sensitive)


def check_term(parts: tuple[TermPart, ...], line: int, column: int, limits: Limits) -> None:
    """Reject empty, wildcard-only, over-long or wildcard-heavy terms."""
    literal = "".join(part for part in parts if isinstance(part, str))
    if not parts:
        raise TextCensorSyntaxError("empty phrase", line, column)
    if not literal.strip():
        raise TextCensorSyntaxError("a term needs at least one literal character besides * and ?", line, column)
    if len(literal) > limits.max_term_chars:
        raise TextCensorSyntaxError(f"term is longer than {limits.max_term_chars} characters", line, column)
    wildcards = sum(1 for part in parts if part in (Piece.STAR, Piece.ANY))
    if wildcards > limits.max_wildcards_per_term:
        raise TextCensorSyntaxError(f"term has more than {limits.max_wildcards_per_term} wildcards", line, column)


def check_regex(pattern: str, case_sensitive: bool, line: int, column: int, limits: Limits) -> None:
    """Compile ``pattern`` with RE2 and reject what RE2 refuses or finds too big."""
    if not pattern:
        raise TextCensorSyntaxError("empty regular expression", line, column)
    if len(pattern) > limits.max_regex_chars:
        raise TextCensorSyntaxError(
            f"regular expression is longer than {limits.max_regex_chars} characters", line, column
        )
    try:
        regexp = re2.compile(pattern if case_sensitive else f"(?i:{pattern})", options())
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        raise TextCensorSyntaxError(f"regular expression rejected: {reason}", line, column) from None
    if regexp.programsize > limits.max_regex_program_size:
        raise TextCensorSyntaxError("regular expression is too complex", line, column)
    if regexp.fullmatch(b"") is not None:
        raise TextCensorSyntaxError("regular expression matches empty text", line, column)
