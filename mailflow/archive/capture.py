"""The engine's archive step for delivered messages (docs/archive.md).

No SQL: the bytes go to the message store, the key into the log record
(``extra["archive"]``); the flusher writes the index row. Mail the platform
itself generates (DSNs, digests, notices) is not archived.
"""

from __future__ import annotations

from mailflow.archive.index import index_text
from mailflow.mime.types import ParsedMessage
from mailflow.routing import CustomerRoute
from mailflow.spool import Envelope
from mailflow.store import get_store

SYSTEM_MARKERS = ("dsn_for", "digest_for", "notice_for")
CARRIED_TEXT_CHARS = 32_768  # longer bodies are read back from the store by the flusher, not carried through Redis


def wanted(customer: CustomerRoute | None, envelope: Envelope) -> bool:
    if customer is None or not customer.archiving:
        return False
    summary = envelope.summary or {}
    return not any(marker in summary for marker in SYSTEM_MARKERS)


def capture(customer: CustomerRoute, envelope: Envelope, data: bytes, parsed: ParsedMessage | None = None) -> dict:
    """Store the delivered bytes; returns the log record's ``extra``.

    ``parsed`` is the engine's parse of the same body (None when an action
    rewrote it): its index text then travels in the record, so the flusher
    does not read the message back and parse it a second time.
    """
    archive: dict = {"key": get_store().put(customer.schema, data), "size": len(data)}
    if parsed is not None:
        text, names = index_text(parsed)
        if len(text) <= CARRIED_TEXT_CHARS:
            archive.update(text=text, names=names)
    return {"archive": archive}
