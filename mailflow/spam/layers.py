"""Layered models: a customer's feedback over the provider's over the default.

Each layer is a ``Model``.  The bottom layer is a fully trained model (the
shipped default, or a provider's own); the layers above hold only the
weight adjustments learned from feedback ("report as spam", "release as
not spam").  A message's logit is the sum over all layers, and ``learn``
writes to the top layer only, so one customer's feedback never changes
another's verdicts.  See docs/spam.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import repeat

from mailflow.spam.model import Model, passive_aggressive_step, sigmoid
from mailflow.spam.view import MessageView


@dataclass
class LayeredModel:
    """``layers[0]`` is the base model; later layers override earlier ones."""

    layers: list[Model] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.layers:
            raise ValueError("a layered model needs at least a base layer")

    @classmethod
    def over(cls, base: Model | LayeredModel, top: Model | None = None) -> LayeredModel:
        """Stack ``top`` (a new empty layer if None) over ``base``."""
        below = list(base.layers) if isinstance(base, LayeredModel) else [base]
        layer = top if top is not None else Model(body_only=below[0].body_only)
        return cls([*below, layer])

    @property
    def top(self) -> Model:
        return self.layers[-1]

    def features(self, view: MessageView) -> list[int]:
        return self.layers[0].features(view)

    def margin_of(self, ids: list[int]) -> float:
        bias = sum(layer.bias for layer in self.layers)
        if not ids:
            return bias
        total = 0.0
        for layer in self.layers:
            if layer.weights:  # most feedback layers are empty
                total += sum(map(layer.weights.get, ids, repeat(0.0)))  # in C, same order as a loop
        return bias + total / math.sqrt(len(ids))

    def margin(self, view: MessageView) -> float:
        return self.margin_of(self.features(view))

    def probability(self, view: MessageView) -> float:
        return sigmoid(self.margin(view))

    def learn(self, view: MessageView, is_spam: bool) -> float:
        """Apply feedback to the top layer; return the new probability."""
        ids = self.features(view)
        passive_aggressive_step(self.top, ids, is_spam, self.margin_of(ids))
        return sigmoid(self.margin_of(ids))
