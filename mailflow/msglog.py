"""The message log's write path: queued in Redis, written to PostgreSQL in batches.

See docs/mailflow.md. Workers ``push`` one JSON record per outcome onto a
Redis list (one round trip, pipelined with nothing else); ``flush`` moves
up to a batch of records to a processing list (LMOVE, so a crash mid-flush
loses nothing), upserts them per customer schema in one statement each
(PostgreSQL reads the queued JSON itself), and
only then removes them. Records that carry ``quarantine`` or ``archive``
details also become quarantine items and archive index rows, in the same
transaction. If PostgreSQL is away, records wait in Redis and the
log catches up when it returns. A record the database refuses (bad data,
a customer schema that is gone) is found by writing that schema's batch
one record at a time and is set aside on a refused list with the reason,
so it never holds back the records behind it (``manage.py msglog``).
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from datetime import UTC, datetime

import redis
from django.db import InterfaceError, InternalError, OperationalError

log = logging.getLogger(__name__)

# PostgreSQL away or the connection broken: keep the records and try again later.
_UNAVAILABLE = (OperationalError, InterfaceError, InternalError)

QUEUE = "spe:msglog"
PROCESSING = "spe:msglog:processing"
REFUSED = "spe:msglog:refused"

FIELDS = ("received", "direction", "client_ip", "helo", "tls", "mail_from", "recipients", "subject", "size",
          "score", "symbols", "facts", "rules", "actions", "state", "remote_reply", "latency_ms", "attempts",
          "updated")


def push(client: redis.Redis, record: dict) -> None:
    """Queue one record; its ``schema`` goes first, so the flusher finds it without parsing the record."""
    record = {"schema": record["schema"], **record}
    client.lpush(QUEUE, json.dumps(record, separators=(",", ":"), default=str))


# One statement per schema: PostgreSQL reads the queued JSON records itself (jsonb_to_recordset), so
# the flusher neither builds a model object per record nor encodes its JSON fields a second time.
# The newest record of a message wins; the limits are the model's field lengths.
_UPSERT = """
INSERT INTO {table} (spool_id, received, direction, client_ip, helo, tls, mail_from, recipients, subject, size,
                     score, symbols, facts, rules, actions, state, remote_reply, latency_ms, attempts, updated)
SELECT DISTINCT ON (r.spool_id)
       r.spool_id, to_timestamp(r.received), r.direction, NULLIF(r.client_ip, '')::inet,
       left(COALESCE(r.helo, ''), 255), COALESCE(r.tls, false), left(COALESCE(r.mail_from, ''), 254),
       COALESCE(r.recipients, '[]'), left(COALESCE(r.subject, ''), 998), COALESCE(r.size, 0),
       COALESCE(r.score, 0), COALESCE(r.symbols, '[]'), COALESCE(r.facts, '{{}}'), COALESCE(r.rules, '[]'),
       COALESCE(r.actions, '[]'), r.state, left(COALESCE(r.remote_reply, ''), 500), r.latency_ms,
       COALESCE(r.attempts, 1), to_timestamp(r.updated)
FROM jsonb_to_recordset(%s::jsonb) AS r(
       spool_id text, received float8, direction text, client_ip text, helo text, tls boolean, mail_from text,
       recipients jsonb, subject text, size bigint, score float8, symbols jsonb, facts jsonb, rules jsonb,
       actions jsonb, state text, remote_reply text, latency_ms bigint, attempts bigint, updated float8)
ORDER BY r.spool_id, r.updated DESC
ON CONFLICT (spool_id) DO UPDATE SET {updates}
"""


def _upsert_sql(table: str) -> str:
    updates = ", ".join(f"{f} = EXCLUDED.{f}" for f in FIELDS if f != "received")
    return _UPSERT.format(table=table, updates=updates)


def _write(schema: str, entries: list[tuple[bytes, dict | None]]) -> None:
    """Upsert one schema's records (queued JSON ``item``, parsed ``record`` or None) with their index rows."""
    from django.db import connection, transaction
    from django_tenants.utils import schema_context

    from mailflow.archive import index as archive_index
    from mailflow.models import MessageLog
    from mailflow.quarantine import index as quarantine_index

    # Only records with quarantine or archive details are read in Python; PostgreSQL reads the rest.
    records = [record if record is not None else json.loads(item)
               for item, record in entries if record is not None or _INDEXED.search(item)]
    document = b"[" + b",".join(_clean_item(item, record) for item, record in entries) + b"]"
    with schema_context(schema), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(_upsert_sql(connection.ops.quote_name(MessageLog._meta.db_table)),
                           [document.decode("utf-8")])
        # Quarantine and archive index rows travel in the same records (docs/quarantine.md, docs/archive.md).
        quarantine_index.write(records)
        archive_index.write(schema, records)


# json.dumps escapes NUL and every surrogate; a pair is one character and valid, a lone one is not.
_NEEDS_CLEANING = re.compile(rb"\\u0000|\\ud[89a-f]", re.I)
# ``push`` writes the schema first; a record queued any other way is parsed to find it.
_SCHEMA = re.compile(rb'\{"schema":"([a-z0-9_]+)"')
# Keys whose details become quarantine items or archive rows (json.dumps escapes a quote inside a value).
_INDEXED = re.compile(rb'"(?:quarantine|archive)":')


def _clean_item(item: bytes, record: dict | None) -> bytes:
    """The record as JSON PostgreSQL accepts: as queued, or re-encoded when it had to be cleaned.

    A record that needed cleaning is always parsed (and cleaned) by the flusher, so ``record`` is there.
    """
    if record is not None and _NEEDS_CLEANING.search(item):
        return json.dumps(record, separators=(",", ":"), default=str).encode()
    return item


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
    raw = client.lrange(PROCESSING, 0, -1)  # left over from a flush that died
    wanted = min(batch - len(raw), client.llen(QUEUE))
    if wanted > 0:  # one round trip for the whole batch; each LMOVE is atomic on its own
        pipe = client.pipeline(transaction=False)
        for _ in range(wanted):
            pipe.lmove(QUEUE, PROCESSING, "RIGHT", "LEFT")
        raw.extend(item for item in pipe.execute() if item is not None)
    if not raw:
        return 0
    # (item, parsed record or None): most records go to PostgreSQL as queued, never parsed here
    by_schema: dict[str, list[tuple[bytes, dict | None]]] = defaultdict(list)
    done: list[bytes] = []  # items that need no further flush: written, set aside or unreadable
    for item in raw:
        try:
            dirty = _NEEDS_CLEANING.search(item)
            found = None if dirty else _SCHEMA.match(item)
            if found:
                by_schema[found.group(1).decode()].append((item, None))
                continue
            record = json.loads(item)
            if dirty:
                record = _cleaned(record)
            by_schema[record["schema"]].append((item, record))
        except (ValueError, KeyError, TypeError):
            log.error("dropping malformed message log record: %r", item[:200])
            done.append(item)
    written = 0
    try:
        for schema, entries in by_schema.items():
            written += _write_entries(client, schema, entries)
            done.extend(item for item, _ in entries)
    except _UNAVAILABLE as exc:
        log.warning("message log not written yet (%d records wait in Redis): %s", len(raw) - len(done), exc)
    _forget(client, raw, done)
    return written


def _write_entries(client: redis.Redis, schema: str, entries: list[tuple[bytes, dict | None]]) -> int:
    """Write one schema's records; set aside any the database refuses. Raises if PostgreSQL is away."""
    try:
        _write(schema, entries)
        return len(entries)
    except _UNAVAILABLE:
        raise
    except Exception as exc:  # one record the database refuses must not hold back the others
        log.warning("message log batch for %s refused (%s); writing its %d records one by one",
                    schema, exc, len(entries))
    written = 0
    for item, record in entries:
        try:
            _write(schema, [(item, record)])
            written += 1
        except _UNAVAILABLE:
            raise
        except Exception as exc:
            set_aside(client, item, exc)
    return written


def set_aside(client: redis.Redis, item: bytes, exc: Exception) -> None:
    """Keep a record that cannot be written on the refused list, with the reason; nothing is dropped."""
    reason = f"{type(exc).__name__}: {exc}".strip()[:1000]
    log.error("message log record cannot be written; set aside on %s: %s; record %r",
              REFUSED, reason, item[:200])
    entry = {"refused": datetime.now(tz=UTC).isoformat(), "reason": reason,
             "record": item.decode("utf-8", "replace")}
    client.lpush(REFUSED, json.dumps(entry, separators=(",", ":")))


def _forget(client: redis.Redis, raw: list[bytes], done: list[bytes]) -> None:
    """Take the finished items off the processing list; the rest are retried by the next flush."""
    if not done:
        return
    if len(done) == len(raw):
        client.delete(PROCESSING)
        return
    pipe = client.pipeline(transaction=True)
    for item in done:  # one occurrence each: two identical records are two entries
        pipe.lrem(PROCESSING, 1, item)
    pipe.execute()


def refused(client: redis.Redis) -> list[dict]:
    """The records set aside, newest first: when, why, and the record as it was queued."""
    return [json.loads(entry) for entry in client.lrange(REFUSED, 0, -1)]


def requeue_refused(client: redis.Redis) -> int:
    """Put every set-aside record back on the queue (after the cause was fixed); returns how many."""
    moved = 0
    while True:
        entry = client.lindex(REFUSED, -1)
        if entry is None:
            return moved
        pipe = client.pipeline(transaction=True)  # both or neither: never lost, never doubled
        pipe.lpush(QUEUE, json.loads(entry)["record"])
        pipe.rpop(REFUSED)
        pipe.execute()
        moved += 1


def _cleaned(value):
    """``value`` without what PostgreSQL text and jsonb cannot hold: NUL, and lone surrogates.

    A mail header may carry a NUL; a HELO name or a file name with bytes that
    are not UTF-8 arrives as lone surrogates (``surrogateescape``), which
    become U+FFFD here. Such a record would otherwise be refused.
    """
    if isinstance(value, str):
        value = value.replace("\x00", "")
        return value if value.isascii() else value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if isinstance(value, dict):
        return {_cleaned(k): _cleaned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    return value


def backlog(client: redis.Redis) -> int:
    return int(client.llen(QUEUE)) + int(client.llen(PROCESSING))


def refused_count(client: redis.Redis) -> int:
    return int(client.llen(REFUSED))

