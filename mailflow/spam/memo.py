"""A per-process memo for values computed from tokens that repeat across messages (docs/spam.md).

Words and tokens recur from one message to the next, so the tokenizer and
the feature hashing look each one up in a plain dict first: ``map`` over
``dict.get`` runs in C, and only the keys not met before are computed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


def lookup_all(cache: dict[K, V], keys: list[K], compute: Callable[[K], V], limit: int) -> list[V]:
    """Each key's value, from ``cache`` or computed and kept; past ``limit`` entries the cache starts afresh.

    ``compute`` must not return None (None marks a key not met before).
    """
    values = list(map(cache.get, keys))
    if None in values:
        if len(cache) > limit:
            cache.clear()
        for i, value in enumerate(values):
            if value is None:
                values[i] = cache[keys[i]] = compute(keys[i])
    return values
