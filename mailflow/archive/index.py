"""Archive index rows from message log records, written by the flusher in batches (docs/archive.md).

For each record carrying ``archive``, the body text and attachment names
come from the engine's own parse of the message when the record carries
them (``capture`` adds them when no action rewrote the body and the text is
short), else the stored message is read back and parsed once
(``mailflow.mime.parse_message``); rows are inserted in one statement and
their full-text vectors (subject weighted above body) computed in one
UPDATE.
"""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime

import nh3
from django.db import connection

from mailflow.mime.types import ParsedMessage
from mailflow.models.archive import FTS_CONFIG
from mailflow.store import StoreError, get_store

log = logging.getLogger(__name__)

MAX_BODY_CHARS = 200_000  # tsvector limit is 1 MB; the first 200k characters are what search sees


def index_text(parsed: ParsedMessage) -> tuple[str, list[str]]:
    """What search reads of a message: its body text (HTML reduced to text) and attachment names."""
    body = "\n".join(parsed.text_bodies)
    if not body and parsed.html_bodies:
        body = "\n".join(html.unescape(nh3.clean(h, tags=set())) for h in parsed.html_bodies)
    names = sorted({p.filename.lower()[:255] for p in parsed.attachments if p.filename})
    return body.replace("\x00", " ")[:MAX_BODY_CHARS], names


def _text(schema: str, key: str) -> tuple[str, list[str]]:
    from mailflow.mime import parse_message

    try:
        raw = get_store().get(schema, key)
    except (KeyError, StoreError) as exc:
        log.error("archive: stored message %s/%s unreadable, indexed without body: %s", schema, key, exc)
        return "", []
    return index_text(parse_message(raw))


def write(schema: str, records: list[dict]) -> int:
    from mailflow.models import ArchiveMessage

    rows, bodies = [], {}
    for record in records:
        a = record.get("archive")
        if not a:
            continue
        if "text" in a:  # the engine's own parse, carried in the record
            body, names = a["text"], a["names"]
        else:
            body, names = _text(schema, a["key"])
        sender = (record.get("mail_from") or "").lower()[:254]
        rows.append(ArchiveMessage(
            spool_id=record["spool_id"], store_key=a["key"], direction=record.get("direction", "inbound"),
            received=datetime.fromtimestamp(record["received"], tz=UTC), mail_from=sender,
            sender_domain=sender.rpartition("@")[2], subject=(record.get("subject") or "")[:998],
            recipients=[r["address"].lower()[:254] for r in record.get("recipients", [])
                        if r.get("status") == "delivered"],
            size=a.get("size", record.get("size", 0)), attachment_names=names,
        ))
        bodies[record["spool_id"]] = body
    if not rows:
        return 0
    ArchiveMessage.objects.bulk_create(rows, ignore_conflicts=True)
    table = ArchiveMessage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS t SET search_vector ="  # noqa: S608 - table name from the model
            f" setweight(to_tsvector('{FTS_CONFIG}', t.subject), 'A') ||"
            f" setweight(to_tsvector('{FTS_CONFIG}', v.body), 'B')"
            " FROM unnest(%s::text[], %s::text[]) AS v(sid, body)"
            " WHERE t.spool_id = v.sid AND t.search_vector IS NULL",
            [list(bodies), list(bodies.values())],
        )
    return len(rows)
