"""The engine's archive step for delivered messages (docs/archive.md).

No SQL: the bytes go to the message store, the key into the log record
(``extra["archive"]``); the flusher writes the index row. Mail the platform
itself generates (DSNs, digests, notices) is not archived.
"""

from __future__ import annotations

from mailflow.routing import CustomerRoute
from mailflow.spool import Envelope
from mailflow.store import get_store

SYSTEM_MARKERS = ("dsn_for", "digest_for", "notice_for")


def wanted(customer: CustomerRoute | None, envelope: Envelope) -> bool:
    if customer is None or not customer.archiving:
        return False
    summary = envelope.summary or {}
    return not any(marker in summary for marker in SYSTEM_MARKERS)


def capture(customer: CustomerRoute, envelope: Envelope, data: bytes) -> dict:
    """Store the delivered bytes; returns the log record's ``extra``."""
    return {"archive": {"key": get_store().put(customer.schema, data), "size": len(data)}}
