"""People's names as mail shows them, normalised for comparison (docs/checks.md, impersonation).

``person_name("Smith, John (Finance)")`` and ``person_name('"JOHN  SMITH"')``
are both ``"john smith"``: case, accents, punctuation, bracketed notes and
word order do not matter. Names of one word, or of words shorter than two
letters only, give "" (too common to mean a person); titles (Dr, Mrs...)
are dropped.
"""

from __future__ import annotations

import re
import unicodedata

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|<[^>]*>")
_WORD = re.compile(r"[^\W\d_]{2,}")
_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "prof", "sir", "dame", "mx"})


def person_name(display: str) -> str:
    text = unicodedata.normalize("NFKD", _BRACKETS.sub(" ", display or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    words = sorted(set(_WORD.findall(text)) - _TITLES)
    return " ".join(words) if len(words) >= 2 else ""
