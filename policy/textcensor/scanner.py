"""Scan one text zone once for the leaves of every compiled script.

A combined RE2 set of all prefilter patterns tells which leaves can occur;
only those are then located with their exact pattern. See
docs/textcensor.md ("How matching works").
"""

from __future__ import annotations

import re
from bisect import bisect_right

import re2

from .patterns import LeafPatterns, compiled, options

Span = tuple[int, int]
SET_MAX_MEM = 32 << 20
MAX_SPANS_PER_LEAF = 10_000
_UNANCHORED = re2._Anchor.UNANCHORED
_ANCHOR_START = re2._Anchor.ANCHOR_START
_ASCII_WORDS = re.compile(rb"\w+")
_WORDS = re.compile(r"\w+")


class LeafSet:
    """One or more compiled RE2 sets covering all prefilter patterns.

    RE2 may refuse to compile a very large set; it is then split in halves,
    and a pattern that fails even alone is always checked with its exact
    pattern instead.
    """

    def __init__(self, prefilters: list[str]) -> None:
        self.sets: list[tuple[re2.Set, list[int]]] = []
        self.always: list[int] = []
        self._build(list(range(len(prefilters))), prefilters)

    def _build(self, ids: list[int], prefilters: list[str]) -> None:
        if not ids:
            return
        opts = options()
        opts.max_mem = SET_MAX_MEM
        regex_set = re2.Set.SearchSet(opts)
        try:
            for leaf_id in ids:
                regex_set.Add(prefilters[leaf_id])
            regex_set.Compile()
        except re2.error:
            if len(ids) == 1:
                self.always.extend(ids)
                return
            half = len(ids) // 2
            self._build(ids[:half], prefilters)
            self._build(ids[half:], prefilters)
            return
        self.sets.append((regex_set, ids))

    def candidates(self, data: bytes) -> list[int]:
        """Ids of the leaves whose prefilter matches somewhere in ``data``."""
        found = list(self.always)
        for regex_set, ids in self.sets:
            matches = regex_set.Match(data)
            if matches:
                found.extend(ids[index] for index in matches)
        return found


def find_spans(patterns: LeafPatterns, data: bytes, is_ascii: bool, lowered: bytes | None = None) -> list[Span]:
    """Byte spans of every non-overlapping occurrence of one leaf in ``data``.

    ``lowered`` is ``data.lower()`` for ASCII zones (computed once per zone).
    """
    if is_ascii and patterns.key is not None:
        haystack = data if not patterns.key_lower else (lowered if lowered is not None else data.lower())
        return _find_by_key(patterns, data, haystack)
    if is_ascii:
        pattern, group = patterns.ascii, patterns.ascii_group
    else:
        pattern, group = patterns.unicode, patterns.unicode_group
    # The raw RE2 object returns all group spans in one call: this loop is the
    # hottest in the engine, and the public wrapper costs ~3x more per match.
    raw_match = compiled(pattern)._regexp.Match
    end, pos = len(data), 0
    spans: list[Span] = []
    while pos <= end and len(spans) < MAX_SPANS_PER_LEAF:
        found = raw_match(_UNANCHORED, data, pos, end)
        start, stop = found[group]
        if start < 0:
            break
        if stop > start:
            spans.append((start, stop))
            pos = stop
        else:  # empty match (only possible in a regex): step over it
            pos = max(found[0][1], pos + 1)
    return spans


def _find_by_key(patterns: LeafPatterns, data: bytes, haystack: bytes) -> list[Span]:
    """Find the literal key with bytes.find, confirm with an anchored match."""
    key = patterns.key
    assert key is not None
    anchored = compiled(patterns.ascii)._regexp.Match
    end, pos = len(data), 0
    spans: list[Span] = []
    while len(spans) < MAX_SPANS_PER_LEAF:
        index = haystack.find(key, pos)
        if index < 0:
            break
        start, stop = anchored(_ANCHOR_START, data, index, end)[0]
        if start < 0:
            pos = index + 1
        else:
            spans.append((start, stop))
            pos = stop
    return spans


class WordIndex:
    """Maps byte offsets of a zone to word numbers, built on first use.

    A word is a run of letters, digits and underscores; an offset inside
    punctuation belongs to the word before it.
    """

    def __init__(self, data: bytes, is_ascii: bool) -> None:
        self.data = data
        self.is_ascii = is_ascii
        self._starts: list[int] | None = None

    def _word_starts(self) -> list[int]:
        """Byte offsets of the first character of every word."""
        if self._starts is None:
            if self.is_ascii:
                self._starts = [m.start() for m in _ASCII_WORDS.finditer(self.data)]
            else:
                self._starts = _utf8_word_starts(self.data.decode("utf-8", "ignore"))
        return self._starts

    def word_at(self, offset: int) -> int:
        """Number of the word at (or before) byte ``offset``; -1 before the first."""
        return bisect_right(self._word_starts(), offset) - 1

    def words(self, span: Span) -> tuple[int, int]:
        """First and last word numbers covered by a byte span."""
        return self.word_at(span[0]), self.word_at(max(span[0], span[1] - 1))


def _utf8_word_starts(text: str) -> list[int]:
    """Word starts of ``text`` as UTF-8 byte offsets, in one pass."""
    starts: list[int] = []
    char_pos = byte_pos = 0
    for match in _WORDS.finditer(text):
        byte_pos += len(text[char_pos : match.start()].encode("utf-8", "replace"))
        char_pos = match.start()
        starts.append(byte_pos)
    return starts
