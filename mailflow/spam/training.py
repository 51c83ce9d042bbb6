"""Batch training of ``Model``: logistic regression with AdaGrad.

Binary hashed features scaled by ``1/sqrt(n)``; a light L2 penalty, applied
lazily to the features a message touches, keeps rare tokens from
dominating.  Ham errors cost ``ham_weight`` times a spam error, which
trades a little recall for fewer false positives.  See docs/spam.md.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from mailflow.spam.model import Model, feature_ids, sigmoid
from mailflow.spam.tokenizer import tokenize
from mailflow.spam.view import MessageView

Example = tuple[list[int], bool]


def fit(
    examples: Sequence[Example],
    *,
    epochs: int = 20,
    rate: float = 1.0,
    l2: float = 1e-6,
    ham_weight: float = 1.0,
    seed: int = 1729,
    body_only: bool = False,
) -> Model:
    """Train a new ``Model`` on (feature ids, is_spam) pairs."""
    weights: dict[int, float] = {}
    grad_sq: dict[int, float] = {}
    bias, bias_sq = 0.0, 1.0
    order = list(range(len(examples)))
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(order)
        for index in order:
            ids, is_spam = examples[index]
            if not ids:
                continue
            x = 1.0 / math.sqrt(len(ids))
            z = bias + x * sum(weights.get(i, 0.0) for i in ids)
            error = sigmoid(z) - (1.0 if is_spam else 0.0)
            if not is_spam:
                error *= ham_weight
            for i in ids:
                w = weights.get(i, 0.0)
                g = error * x + l2 * w
                acc = grad_sq.get(i, 1e-8) + g * g
                grad_sq[i] = acc
                weights[i] = w - rate * g / math.sqrt(acc)
            bias_sq += error * error
            bias -= rate * 0.1 * error / math.sqrt(bias_sq)
    return Model(weights, bias, body_only, {"examples": len(examples), "epochs": epochs})


def train_views(
    views: Sequence[MessageView], labels: Sequence[bool], *, body_only: bool = False, **options: float
) -> Model:
    """Tokenize ``views`` and fit a model on them (``options`` go to ``fit``)."""
    examples = [
        (feature_ids(tokenize(view, body_only=body_only)), is_spam) for view, is_spam in zip(views, labels, strict=True)
    ]
    return fit(examples, body_only=body_only, **options)  # type: ignore[arg-type]
