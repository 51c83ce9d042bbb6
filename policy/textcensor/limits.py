"""Size limits that keep any one script cheap to compile and to run.

See docs/textcensor.md ("Limits").
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Upper bounds enforced while parsing; exceeding one is a syntax error."""

    max_script_chars: int = 256 * 1024
    max_lines: int = 2000
    max_terms_per_script: int = 2000
    max_terms_per_line: int = 64
    max_term_chars: int = 200
    max_wildcards_per_term: int = 8
    max_regex_chars: int = 1000
    max_regex_program_size: int = 20000
    max_nesting: int = 16
    max_distance: int = 1000
    max_abs_number: float = 1_000_000.0


DEFAULT_LIMITS = Limits()

# Text beyond this many bytes per zone is not scanned (documented cut-off).
MAX_ZONE_BYTES = 4 * 1024 * 1024
