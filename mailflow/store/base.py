"""The storage interface every message store backend implements (docs/quarantine.md).

Keys are the hex SHA-256 of the raw message; ``namespace`` is the customer's
schema, so one customer's blobs are never reachable through another's index
and a customer's data can be dropped as a whole.
"""

from __future__ import annotations

import hashlib
from typing import Protocol


class StoreError(Exception):
    """The store could not be written or read."""


class IntegrityError(StoreError):
    """A stored message no longer matches its hash (corrupted or tampered with)."""


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class MessageStore(Protocol):
    def put(self, namespace: str, data: bytes) -> str:
        """Store ``data`` once; returns its key. Storing the same bytes again is a no-op."""

    def get(self, namespace: str, key: str) -> bytes:
        """The bytes under ``key``, verified against the key; raises KeyError or IntegrityError."""

    def exists(self, namespace: str, key: str) -> bool: ...

    def delete(self, namespace: str, key: str, *, grace: float = 0.0) -> bool:
        """Remove a blob unless it was (re)written in the last ``grace`` seconds; True if removed."""

    def drop_namespace(self, namespace: str) -> int:
        """Remove every blob of ``namespace`` (a purged customer); returns how many were removed."""
