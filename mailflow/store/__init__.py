"""The message store: raw quarantined and archived messages, content-addressed (docs/quarantine.md).

The database holds the index (``QuarantineItem``, ``ArchiveMessage``), never
the bytes. A message is stored once per customer under the SHA-256 of its
bytes, whatever the number of recipients or index rows that point at it;
reading it back checks the hash. ``get_store()`` returns the configured
backend (``SPE_STORE_BACKEND``); the filesystem backend is the default, and
an S3-compatible backend only has to implement :class:`MessageStore`.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from mailflow.store.base import IntegrityError, MessageStore, StoreError, digest
from mailflow.store.filesystem import FileStore

__all__ = ["FileStore", "IntegrityError", "MessageStore", "StoreError", "digest", "get_store"]


def get_store() -> MessageStore:
    """The store configured by ``SPE_STORE_BACKEND`` rooted at ``SPE_STORE_DIR``."""
    backend = import_string(settings.SPE_STORE_BACKEND)
    return backend(settings.SPE_STORE_DIR)
