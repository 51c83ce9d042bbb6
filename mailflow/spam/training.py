"""Batch training of ``Model``: logistic regression with AdaGrad.

Binary hashed features scaled by ``1/sqrt(n)``; a light L2 penalty, applied
lazily to the features a message touches, keeps rare tokens from
dominating.  Ham errors cost ``ham_weight`` times a spam error, which
trades a little recall for fewer false positives.  The model is the average
of ``orders`` such runs over differently shuffled examples: AdaGrad's first
step on a rare token is a full step whatever its gradient, so one run's
weights depend on the order it met the messages in, and the average does
not.  See docs/spam.md.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from mailflow.spam.model import Model, feature_ids, sigmoid
from mailflow.spam.tokenizer import content_tokens, tokenize
from mailflow.spam.view import MessageView

Example = tuple[list[int], bool] | tuple[list[int], bool, float]  # feature ids, is_spam[, weight]
ORDER_SEED_STEP = 1000  # run k shuffles with seed + k * ORDER_SEED_STEP


def fit(
    examples: Sequence[Example],
    *,
    epochs: int = 20,
    rate: float = 1.0,
    l2: float = 1e-6,
    ham_weight: float = 1.0,
    seed: int = 1729,
    orders: int = 3,
    body_only: bool = False,
) -> Model:
    """Train a new ``Model`` on (feature ids, is_spam) pairs: the mean of ``orders`` runs."""
    runs = [
        _fit_one_order(examples, epochs, rate, l2, ham_weight, random.Random(seed + k * ORDER_SEED_STEP))
        for k in range(max(1, orders))
    ]
    weights: dict[int, float] = {}
    for run_weights, _ in runs:
        for i, w in run_weights.items():
            weights[i] = weights.get(i, 0.0) + w / len(runs)
    bias = sum(run_bias for _, run_bias in runs) / len(runs)
    return Model(weights, bias, body_only, {"examples": len(examples), "epochs": epochs, "orders": len(runs)})


def _fit_one_order(
    examples: Sequence[Example], epochs: int, rate: float, l2: float, ham_weight: float, rng: random.Random
) -> tuple[dict[int, float], float]:
    """One AdaGrad run; ``rng`` shuffles the examples before every epoch."""
    weights: dict[int, float] = {}
    grad_sq: dict[int, float] = {}
    bias, bias_sq = 0.0, 1.0
    order = list(range(len(examples)))
    for _ in range(epochs):
        rng.shuffle(order)
        for index in order:
            ids, is_spam, *weight = examples[index]
            if not ids:
                continue
            x = 1.0 / math.sqrt(len(ids))
            z = bias + x * sum(weights.get(i, 0.0) for i in ids)
            error = sigmoid(z) - (1.0 if is_spam else 0.0)
            if not is_spam:
                error *= ham_weight
            if weight:
                error *= weight[0]
            for i in ids:
                w = weights.get(i, 0.0)
                g = error * x + l2 * w
                acc = grad_sq.get(i, 1e-8) + g * g
                grad_sq[i] = acc
                weights[i] = w - rate * g / math.sqrt(acc)
            bias_sq += error * error
            bias -= rate * 0.1 * error / math.sqrt(bias_sq)
    return weights, bias


def train_views(
    views: Sequence[MessageView],
    labels: Sequence[bool],
    *,
    body_only: bool = False,
    weights: Sequence[float] | None = None,
    content_only: Sequence[bool] | None = None,
    **options: float,
) -> Model:
    """Tokenize ``views`` and fit a model on them (``options`` go to ``fit``).

    ``weights`` scale each message's gradient: a supplement can teach new
    vocabulary without outweighing the corpus on the tokens they share
    (AdaGrad normalises each feature's steps, so a token only the supplement
    has still learns at its own pace). Where ``content_only`` is true, the
    message teaches only its words and links (``content_tokens``).
    """
    only = content_only or [False] * len(views)
    scale = weights or [1.0] * len(views)
    examples: list[Example] = []
    for view, is_spam, content, weight in zip(views, labels, only, scale, strict=True):
        tokens = tokenize(view, body_only=body_only)
        ids = feature_ids(content_tokens(tokens) if content else tokens)
        examples.append((ids, is_spam) if weight == 1.0 else (ids, is_spam, weight))
    return fit(examples, body_only=body_only, **options)  # type: ignore[arg-type]
