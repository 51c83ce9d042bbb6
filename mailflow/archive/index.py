"""Archive index rows from message log records, written by the flusher in batches (docs/archive.md).

For each record carrying ``archive``, the body text and attachment names
come from the engine's own parse of the message when the record carries
them (``capture`` adds them when no action rewrote the body and the text is
short), else the stored message is read back and parsed once
(``mailflow.mime.parse_message``); rows are inserted in one statement that
also computes their full-text vectors (subject weighted above body).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from django.db import connection

from mailflow.mime.types import ParsedMessage
from mailflow.models.archive import FTS_CONFIG
from mailflow.spam.htmltext import parse_html
from mailflow.store import StoreError, get_store

log = logging.getLogger(__name__)

MAX_BODY_CHARS = 200_000  # tsvector limit is 1 MB; the first 200k characters are what search sees


def index_text(parsed: ParsedMessage) -> tuple[str, list[str]]:
    """What search reads of a message: its body text (HTML reduced to text) and attachment names.

    HTML is read by the spam layer's reader (``parse_html``): the text a
    reader sees, from the first 300,000 characters, in time linear in the
    markup. A sanitiser's tree builder took 20 s on 100,000 nested elements,
    in the delivery worker that archives the message.
    """
    body = "\n".join(parsed.text_bodies)
    if not body and parsed.html_bodies:
        body = "\n".join(parse_html(h).text for h in parsed.html_bodies)
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


_INSERT = """
INSERT INTO {table} (spool_id, store_key, direction, received, mail_from, sender_domain, from_header,
                     recipients, subject, size, attachment_names, search_vector, archived_at)
SELECT v.spool_id, v.store_key, v.direction, v.received, v.mail_from, v.sender_domain, '',
       ARRAY(SELECT jsonb_array_elements_text(v.recipients)), v.subject, v.size,
       ARRAY(SELECT jsonb_array_elements_text(v.names)),
       setweight(to_tsvector('{config}', v.subject), 'A') || setweight(to_tsvector('{config}', v.body), 'B'),
       now()
FROM unnest(%s::text[], %s::text[], %s::text[], %s::timestamptz[], %s::text[], %s::text[], %s::jsonb[],
            %s::text[], %s::int[], %s::jsonb[], %s::text[])
     AS v(spool_id, store_key, direction, received, mail_from, sender_domain, recipients, subject, size, names, body)
ON CONFLICT (spool_id) DO NOTHING
"""


def write(schema: str, records: list[dict]) -> int:
    """One INSERT for the batch, full-text vectors computed in it; a re-flushed record adds nothing."""
    from mailflow.models import ArchiveMessage

    columns: list[list] = [[] for _ in range(11)]
    for record in records:
        a = record.get("archive")
        if not a:
            continue
        if "text" in a:  # the engine's own parse, carried in the record
            body, names = a["text"], a["names"]
        else:
            body, names = _text(schema, a["key"])
        sender = (record.get("mail_from") or "").lower()[:254]
        recipients = [r["address"].lower()[:254] for r in record.get("recipients", [])
                      if r.get("status") == "delivered"]
        row = (record["spool_id"], a["key"], record.get("direction", "inbound"),
               datetime.fromtimestamp(record["received"], tz=UTC), sender, sender.rpartition("@")[2],
               json.dumps(recipients), (record.get("subject") or "")[:998], a.get("size", record.get("size", 0)),
               json.dumps(names), body)
        for column, value in zip(columns, row, strict=True):
            column.append(value)
    if not columns[0]:
        return 0
    sql = _INSERT.format(table=ArchiveMessage._meta.db_table, config=FTS_CONFIG)
    with connection.cursor() as cursor:
        cursor.execute(sql, columns)
    return len(columns[0])
