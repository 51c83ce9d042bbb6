"""SpamCensor content layers: statistical classifier plus heuristic rules.

``score(view)`` returns a ``SpamVerdict``: a total on the scale described
in ``mailflow.spam.verdict`` (5 tag, ~9 quarantine, 15 delete) and the list
of symbols behind it.  Thresholds are the caller's.  See docs/spam.md.
"""

from __future__ import annotations

import math
from functools import cache
from pathlib import Path
from typing import Protocol

from mailflow.spam.heuristics import RULES, Hit, evaluate
from mailflow.spam.layers import LayeredModel
from mailflow.spam.model import Model, ModelError
from mailflow.spam.verdict import (
    DELETE_THRESHOLD,
    QUARANTINE_THRESHOLD,
    TAG_THRESHOLD,
    SpamVerdict,
    classifier_hit,
)
from mailflow.spam.view import MessageView, view_from_bytes

DEFAULT_MODEL_PATH = Path(__file__).with_name("data") / "default_model.bin"


class Classifier(Protocol):
    def features(self, view: MessageView) -> list[int]: ...
    def margin_of(self, ids: list[int]) -> float: ...


@cache
def load_default_model() -> Model:
    """The shipped model, loaded once per process; ``ModelError`` if damaged."""
    return Model.load(DEFAULT_MODEL_PATH)


def score(
    view: MessageView,
    model: Classifier | None = None,
    *,
    body_only: bool = False,
    scores: dict[str, float] | None = None,
) -> SpamVerdict:
    """Score ``view`` with the classifier and every heuristic rule.

    ``model`` defaults to ``load_default_model()``; pass a ``LayeredModel``
    to include provider and customer feedback.  ``body_only`` skips rules
    that read headers; ``scores`` overrides heuristic rule scores by name.
    """
    classifier = model if model is not None else load_default_model()
    margin = classifier.margin_of(classifier.features(view))
    hits = (classifier_hit(margin), *evaluate(view, body_only=body_only, scores=scores))
    total = round(sum(h.score for h in hits), 3)
    return SpamVerdict(total, hits, 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, margin)))))


__all__ = [
    "DEFAULT_MODEL_PATH",
    "DELETE_THRESHOLD",
    "QUARANTINE_THRESHOLD",
    "RULES",
    "TAG_THRESHOLD",
    "Classifier",
    "Hit",
    "LayeredModel",
    "MessageView",
    "Model",
    "ModelError",
    "SpamVerdict",
    "load_default_model",
    "score",
    "view_from_bytes",
]
