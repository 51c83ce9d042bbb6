"""Undo the tricks spam uses to hide words from filters.

Invisible characters salted into words (``pa\u200bss\u200bword``) and words
spelled with a separator after every letter (``V-I-A-G-R-A``) are turned
back into the words a reader sees, so the classifier learns the word and
not the disguise.  Entities and tags inside words (``v&#105;agra``,
``v<b></b>iagra``) are already undone by the HTML reduction.  Shared by the
tokenizer and the text rules, and computed once per message.  See
docs/spam.md.
"""

from __future__ import annotations

import re

from mailflow.spam.fastre import compile_fast
from mailflow.spam.view import MessageView

_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\u034f]+")
# RE2 has no look-behind: the run must start and end at a non-word character or the text's edge.
_SPACED = compile_fast(r"(?:^|[^\w.])((?:[A-Za-z][ .*_-]){3,}[A-Za-z])(?:[^\w.]|$)")
SCAN_CHARS = 20_000


def remove_invisible(text: str) -> str:
    """Drop zero-width characters and soft hyphens (``pa\u200bss\u200bword`` -> ``password``)."""
    return text if text.isascii() else _INVISIBLE.sub("", text)


def spaced_words(view: MessageView) -> tuple[str, ...]:
    """Words spelled with separators between letters in the subject or body, joined and lower-cased."""
    found = view.memo.get("spaced_words")
    if found is None:
        text = f"{view.subject}\n{view.body_text[:SCAN_CHARS]}"
        found = view.memo["spaced_words"] = tuple(
            "".join(c for c in run.lower() if c.isalpha()) for run in _SPACED.findall(text)
        )
    return found  # type: ignore[return-value]
