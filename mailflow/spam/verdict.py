"""``SpamVerdict`` and the mapping of classifier output onto the score scale.

Scale (the same as SpamAssassin's, so operators' habits carry over):
below 0 clearly wanted mail, 5.0 the usual tag threshold, 8-10 the usual
quarantine threshold, 15 and above safe to delete.  The classifier
contributes ``BAYES_SPAM`` (up to ``BAYES_MAX``) or ``BAYES_HAM`` (down to
``-BAYES_HAM_MAX``) in proportion to its logit.  See docs/spam.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mailflow.spam.heuristics.base import Hit

TAG_THRESHOLD = 5.0
QUARANTINE_THRESHOLD = 9.0
DELETE_THRESHOLD = 15.0

BAYES_SLOPE = 1.8  # score points per unit of logit
BAYES_MAX = 11.0
BAYES_HAM_MAX = 2.0


@dataclass(frozen=True)
class SpamVerdict:
    """Total score and every symbol that contributed to it."""

    score: float
    symbols: tuple[Hit, ...]
    probability: float | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(hit.name for hit in self.symbols)

    def header_value(self) -> str:
        """``NAME(score)`` list for an ``X-SPE-Symbols``-style header."""
        return ", ".join(f"{h.name}({h.score:.2f})" for h in self.symbols)


def classifier_hit(margin: float) -> Hit:
    """The classifier's symbol for a message at logit ``margin``."""
    probability = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, margin))))
    if margin >= 0:
        points = min(BAYES_MAX, BAYES_SLOPE * margin)
        return Hit("BAYES_SPAM", round(points, 3), f"Statistical classifier: spam probability {probability:.3f}")
    points = max(-BAYES_HAM_MAX, BAYES_SLOPE * margin)
    return Hit("BAYES_HAM", round(points, 3), f"Statistical classifier: spam probability {probability:.3f}")
