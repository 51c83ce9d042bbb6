"""Regular expressions compiled with RE2 when it is available.

Long alternations of phrases, and patterns that scan a whole body for a
few matches, are slow in the stdlib ``re`` (tenths of a millisecond to
milliseconds per message); RE2 (``google-re2``) matches them in linear
time.  RE2 is slower than ``re`` when a pattern matches very often (every
word), so only patterns with few matches belong here.  Falls back to
``re`` so the package imports without it.  See docs/spam.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Protocol


class Searcher(Protocol):
    def search(self, text: str) -> Any: ...
    def findall(self, text: str) -> list[Any]: ...
    def finditer(self, text: str) -> Iterator[Any]: ...


def _clean(text: str) -> str:
    """``text`` with lone surrogates (undecodable header bytes) replaced: RE2 needs valid UTF-8."""
    return text.encode("utf-8", "replace").decode("utf-8")


class _Re2Pattern:
    """An RE2 pattern that also accepts text holding lone surrogates."""

    def __init__(self, compiled: Any) -> None:
        self._compiled = compiled

    def search(self, text: str) -> Any:
        try:
            return self._compiled.search(text)
        except UnicodeEncodeError:
            return self._compiled.search(_clean(text))

    def findall(self, text: str) -> list[Any]:
        try:
            return self._compiled.findall(text)  # type: ignore[no-any-return]
        except UnicodeEncodeError:
            return self._compiled.findall(_clean(text))  # type: ignore[no-any-return]

    def finditer(self, text: str) -> Iterator[Any]:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = _clean(text)
        return self._compiled.finditer(text)  # type: ignore[no-any-return]


def compile_fast(pattern: str, *, ignore_case: bool = False, dot_nl: bool = False) -> Searcher:
    """Compile ``pattern`` with RE2, or with ``re`` if RE2 is missing or rejects it."""
    try:
        import re2  # type: ignore[import-untyped]

        options = re2.Options()
        options.case_sensitive = not ignore_case
        options.dot_nl = dot_nl
        return _Re2Pattern(re2.compile(pattern, options))
    except Exception:  # missing module or unsupported syntax
        return re.compile(pattern, (re.I if ignore_case else 0) | (re.S if dot_nl else 0))


def compile_phrases(pattern: str) -> Searcher:
    """Compile a phrase alternation case-insensitively, dot matching newlines."""
    return compile_fast(pattern, ignore_case=True, dot_nl=True)
