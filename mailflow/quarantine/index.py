"""Quarantine index rows from message log records, written by the flusher (docs/quarantine.md)."""

from __future__ import annotations

from datetime import UTC, datetime

from mailflow.addresses import split


def rows(records: list[dict]) -> list:
    from mailflow.models import QuarantineItem

    out = []
    for record in records:
        q = record.get("quarantine")
        if not q:
            continue
        received = datetime.fromtimestamp(record["received"], tz=UTC)
        held = datetime.fromtimestamp(record["updated"], tz=UTC)
        for rcpt in q.get("recipients", []):
            local, domain = split(rcpt)
            out.append(QuarantineItem(
                spool_id=record["spool_id"], recipient=f"{local}@{domain}".lower()[:254], store_key=q["key"],
                category=q.get("category") or "policy", reason=q.get("reason", "")[:500], rule=q.get("rule", ""),
                direction=record.get("direction", "inbound"), mail_from=record.get("mail_from", "")[:254],
                from_header=q.get("from_header", "")[:300], subject=(q.get("subject") or "")[:998],
                size=q.get("size", 0), score=q.get("score") or 0.0, received=received, held_at=held,
            ))
    return out


def write(records: list[dict]) -> int:
    """Insert the items of these records; a record flushed twice adds nothing."""
    from mailflow.models import QuarantineItem

    items = rows(records)
    if items:
        QuarantineItem.objects.bulk_create(items, ignore_conflicts=True)
    return len(items)
