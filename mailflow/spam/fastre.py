"""Case-insensitive phrase patterns compiled with RE2 when it is available.

Long alternations of phrases are slow in the stdlib ``re`` (milliseconds
per message); RE2 (``google-re2``) matches them in linear time.  Falls
back to ``re`` so the package imports without it.  See docs/spam.md.
"""

from __future__ import annotations

import re
from typing import Any, Protocol


class Searcher(Protocol):
    def search(self, text: str) -> Any: ...


def compile_phrases(pattern: str) -> Searcher:
    """Compile ``pattern`` case-insensitively, dot matching newlines."""
    try:
        import re2  # type: ignore[import-untyped]

        options = re2.Options()
        options.case_sensitive = False
        options.dot_nl = True
        return re2.compile(pattern, options)  # type: ignore[no-any-return]
    except Exception:  # missing module or unsupported syntax
        return re.compile(pattern, re.I | re.S)
