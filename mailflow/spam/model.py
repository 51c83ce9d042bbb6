"""The statistical classifier: logistic regression over hashed tokens.

Each token is hashed with CRC-32 to a 32-bit feature id; a message's
features are binary and scaled by ``1/sqrt(n)`` so long and short
messages weigh alike.  ``Model.learn`` applies a passive-aggressive update
from a "report as spam" / "release as not spam" action.  The file format
(magic, version, SHA-256, zlib payload) is in ``mailflow.spam.modelfile``.
See docs/spam.md.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

from mailflow.spam.memo import lookup_all
from mailflow.spam.tokenizer import tokenize
from mailflow.spam.view import MessageView

FEEDBACK_MARGIN = 3.0  # logit a learned message is pushed to (p ~ 0.95)
FEEDBACK_MAX_STEP = 12.0


class ModelError(Exception):
    """A model file is missing, corrupt, or of an unknown version."""


_FEATURE_IDS: dict[str, int] = {}  # tokens repeat across messages: a lookup is cheaper than the hash
_FEATURE_IDS_MAX = 500_000


def feature_ids(tokens: Iterable[str]) -> list[int]:
    """Stable 32-bit ids of ``tokens`` (CRC-32, the same in every process)."""
    return sorted(set(lookup_all(_FEATURE_IDS, list(tokens), _crc32, _FEATURE_IDS_MAX)))


def _crc32(token: str) -> int:
    return zlib.crc32(token.encode("utf-8", "surrogatepass"))


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass
class Model:
    """Weights by feature id, a bias, and how each message is tokenized."""

    weights: dict[int, float] = field(default_factory=dict)
    bias: float = 0.0
    body_only: bool = False
    meta: dict[str, object] = field(default_factory=dict)

    def features(self, view: MessageView) -> list[int]:
        return feature_ids(tokenize(view, body_only=self.body_only))

    def margin_of(self, ids: list[int]) -> float:
        """Logit of the spam probability for feature ids ``ids``."""
        if not ids:
            return self.bias
        return self.bias + sum(map(self.weights.get, ids, repeat(0.0))) / math.sqrt(len(ids))

    def margin(self, view: MessageView) -> float:
        return self.margin_of(self.features(view))

    def probability(self, view: MessageView) -> float:
        """Spam probability of ``view``, 0..1."""
        return sigmoid(self.margin(view))

    def learn(self, view: MessageView, is_spam: bool) -> float:
        """Update from feedback; return the new probability of ``view``.

        Passive-aggressive: the smallest change to the weights that puts
        this message at ``FEEDBACK_MARGIN`` on the right side; similar
        messages move part of the way.
        """
        ids = self.features(view)
        if not ids:
            return sigmoid(self.bias)
        self.learn_ids(ids, is_spam)
        return sigmoid(self.margin_of(ids))

    def learn_ids(self, ids: list[int], is_spam: bool) -> None:
        passive_aggressive_step(self, ids, is_spam, self.margin_of(ids))

    def save(self, path: str | Path) -> None:
        from mailflow.spam.modelfile import dump_model

        Path(path).write_bytes(dump_model(self))

    @classmethod
    def load(cls, path: str | Path) -> Model:
        from mailflow.spam.modelfile import load_model

        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ModelError(f"cannot read model file {path}: {exc}") from exc
        return load_model(data)


def passive_aggressive_step(target: Model, ids: list[int], is_spam: bool, margin: float) -> None:
    """Move ``target``'s weights so a message at ``margin`` reaches the feedback margin."""
    if not ids:
        return
    sign = 1.0 if is_spam else -1.0
    shortfall = FEEDBACK_MARGIN - sign * margin
    if shortfall <= 0:
        return
    # sum(x_i^2) over the message is 1, so the step moves the logit by ``step``.
    step = min(shortfall, FEEDBACK_MAX_STEP) * sign / math.sqrt(len(ids))
    for i in ids:
        target.weights[i] = target.weights.get(i, 0.0) + step
