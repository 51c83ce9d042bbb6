"""The engine's quarantine step: store the message once, describe the hold for the log (docs/quarantine.md).

No SQL here: the worker stores the raw bytes in the message store and puts
what the index needs in the message log record (``extra["quarantine"]``);
the flusher writes one ``QuarantineItem`` per held recipient.
"""

from __future__ import annotations

import email.parser

from mailflow.engine.context import Disposition
from mailflow.mime.policies import COMPAT32
from mailflow.spool import Envelope
from mailflow.store import get_store


def _from_header(data: bytes) -> str:
    try:
        headers = email.parser.BytesHeaderParser(policy=COMPAT32).parsebytes(data)
        return str(headers.get("From", ""))[:300]
    except Exception:  # an unparseable message is still held, byte for byte
        return ""


def hold(schema: str, envelope: Envelope, data: bytes, disposition: Disposition) -> tuple[list[str], dict]:
    """Store ``data``; returns the held recipients and the log record's ``extra``."""
    # Every pending recipient is held: the engine settles one disposition per spool entry,
    # so a hold for some recipients only would leave the others undelivered.
    recipients = envelope.pending()
    key = get_store().put(schema, data)
    summary = envelope.summary or {}
    return recipients, {"quarantine": {
        "key": key, "category": (disposition.category or "policy")[:40], "reason": disposition.reason[:500],
        "rule": str(getattr(disposition, "rule", "") or "")[:200],
        "recipients": recipients, "from_header": _from_header(data), "size": len(data),
        "subject": summary.get("subject", ""), "score": summary.get("score", 0.0),
    }}
