"""The message log's write path: queued in Redis, written to PostgreSQL in batches.

See docs/mailflow.md. Workers ``push`` one JSON record per outcome onto a
Redis list (one round trip, pipelined with nothing else); ``flush`` moves
up to a batch of records to a processing list (LMOVE, so a crash mid-flush
loses nothing), upserts them per customer schema in one statement each, and
only then removes them. Records that carry ``quarantine`` or ``archive``
details also become quarantine items and archive index rows, in the same
transaction. If PostgreSQL is away, records wait in Redis and the
log catches up when it returns.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import UTC, datetime

import redis

log = logging.getLogger(__name__)

QUEUE = "spe:msglog"
PROCESSING = "spe:msglog:processing"

FIELDS = ("received", "direction", "client_ip", "helo", "tls", "mail_from", "recipients", "subject", "size",
          "score", "symbols", "facts", "rules", "actions", "state", "remote_reply", "latency_ms", "attempts",
          "updated")


def push(client: redis.Redis, record: dict) -> None:
    client.lpush(QUEUE, json.dumps(record, separators=(",", ":"), default=str))


def _ts(value: float) -> datetime:
    return datetime.fromtimestamp(value, tz=UTC)


def _row(record: dict):
    from mailflow.models import MessageLog

    return MessageLog(
        spool_id=record["spool_id"], received=_ts(record["received"]), direction=record["direction"],
        client_ip=record.get("client_ip") or None, helo=record.get("helo", "")[:255], tls=record.get("tls", False),
        mail_from=record.get("mail_from", "")[:254], recipients=record.get("recipients", []),
        subject=record.get("subject", "")[:998], size=record.get("size", 0), score=record.get("score", 0.0),
        symbols=record.get("symbols", []), facts=record.get("facts", {}), rules=record.get("rules", []),
        actions=record.get("actions", []), state=record["state"], remote_reply=record.get("remote_reply", "")[:500],
        latency_ms=record.get("latency_ms"), attempts=record.get("attempts", 1), updated=_ts(record["updated"]),
    )


def _write(schema: str, records: list[dict]) -> None:
    from django.db import transaction
    from django_tenants.utils import schema_context

    from mailflow.archive import index as archive_index
    from mailflow.models import MessageLog
    from mailflow.quarantine import index as quarantine_index

    latest: dict[str, dict] = {}
    for record in records:  # the newest record of a message wins
        current = latest.get(record["spool_id"])
        if current is None or record["updated"] >= current["updated"]:
            latest[record["spool_id"]] = record
    with schema_context(schema), transaction.atomic():
        MessageLog.objects.bulk_create(
            [_row(r) for r in latest.values()], update_conflicts=True, unique_fields=["spool_id"],
            update_fields=[f for f in FIELDS if f != "received"],
        )
        # Quarantine and archive index rows travel in the same records (docs/quarantine.md, docs/archive.md).
        quarantine_index.write(records)
        archive_index.write(schema, records)


def flush(client: redis.Redis, batch: int = 1000) -> int:
    """Write queued records to the customers' schemas; returns how many were written.

    One flusher at a time (a Redis lock), so the processing list is never
    shared between two of them.
    """
    lock = client.lock("spe:msglog:lock", timeout=120, blocking=False)
    if not lock.acquire():
        return 0
    try:
        return _flush(client, batch)
    finally:
        try:
            lock.release()
        except redis.exceptions.LockError:
            pass


def _flush(client: redis.Redis, batch: int) -> int:
    from django.db import DatabaseError

    raw = client.lrange(PROCESSING, 0, -1)  # left over from a flush that died
    wanted = min(batch - len(raw), client.llen(QUEUE))
    if wanted > 0:  # one round trip for the whole batch; each LMOVE is atomic on its own
        pipe = client.pipeline(transaction=False)
        for _ in range(wanted):
            pipe.lmove(QUEUE, PROCESSING, "RIGHT", "LEFT")
        raw.extend(item for item in pipe.execute() if item is not None)
    if not raw:
        return 0
    by_schema: dict[str, list[dict]] = defaultdict(list)
    for item in raw:
        try:
            record = json.loads(item)
            if b"\\u0000" in item:  # NUL arrives escaped; json.dumps escapes every control character
                record = _without_nul(record)
            by_schema[record["schema"]].append(record)
        except (ValueError, KeyError):
            log.error("dropping malformed message log record: %r", item[:200])
    try:
        for schema, records in by_schema.items():
            _write(schema, records)
    except DatabaseError as exc:
        log.warning("message log not written yet (%d records wait in Redis): %s", len(raw), exc)
        return 0
    client.delete(PROCESSING)
    return len(raw)


def _without_nul(value):
    """``value`` with NUL characters removed: a mail header may hold one, PostgreSQL text and jsonb may not.

    One such record would otherwise fail every batch it is in, and hold
    back the log of every message behind it.
    """
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def backlog(client: redis.Redis) -> int:
    return int(client.llen(QUEUE)) + int(client.llen(PROCESSING))

