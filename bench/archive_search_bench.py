"""Archive search over one customer's million messages: how long each criterion takes (docs/archive.md).

Creates a dedicated schema (``bench_archive`` in the configured database),
builds the archive table with the model's own DDL and indexes, fills it
with bulk SQL (``INSERT ... SELECT generate_series``; vectors computed in
SQL from synthetic subject and body words), analyses it, then times the
real search code (``mailflow.archive.selectors.page``) for every criterion.

    .venv/bin/python bench/archive_search_bench.py [--rows 1000000] [--keep] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spe.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from mailflow.archive.selectors import ArchiveQuery, page  # noqa: E402
from mailflow.models import ArchiveMessage  # noqa: E402
from mailflow.models.archive import FTS_CONFIG  # noqa: E402

SCHEMA = "bench_archive"
WORDS = [  # a list: its repr is a PostgreSQL ARRAY[...] literal
    "invoice", "payment", "turbine", "contract", "meeting", "lunch", "report", "budget", "holiday", "server",
    "outage", "migration", "quarterly", "figures", "revenue", "forecast", "offer", "discount", "shipment",
    "delivery", "ticket", "password", "reset",
]

FILL = f"""
INSERT INTO {{table}} (spool_id, store_key, direction, received, mail_from, sender_domain, from_header,
                      recipients, subject, size, attachment_names, search_vector, archived_at)
SELECT lpad(to_hex(g), 20, '0'), md5(g::text) || md5((g + 1)::text), CASE WHEN g % 4 = 0 THEN 'outbound'
       ELSE 'inbound' END,
       now() - (g % 365) * interval '1 day' - (g % 86400) * interval '1 second',
       'user' || (g % 5000) || '@sender' || (g % 200) || '.example',
       'sender' || (g % 200) || '.example', '',
       ARRAY['mbox' || (g % 2000) || '@bench.test'],
       s.subject, 2000 + (g::bigint * 7919) % 5000000,
       CASE WHEN g % 5 = 0 THEN ARRAY['doc' || (g % 10000) || '.pdf'] ELSE ARRAY[]::varchar[] END,
       setweight(to_tsvector('{FTS_CONFIG}', s.subject), 'A') ||
       setweight(to_tsvector('{FTS_CONFIG}', s.body), 'B'),
       now()
FROM generate_series(%s, %s) AS g,
LATERAL (SELECT (ARRAY{WORDS!r})[1 + g % {len(WORDS)}] || ' ' || (ARRAY{WORDS!r})[1 + (g / 7) % {len(WORDS)}]
                || ' no ' || g AS subject,
                'hello ' || (ARRAY{WORDS!r})[1 + (g / 3) % {len(WORDS)}] || ' body text ref' || (g % 100000)
                || ' ' || (ARRAY{WORDS!r})[1 + (g / 11) % {len(WORDS)}] AS body) AS s
"""


def build(rows: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
    connection.set_schema(SCHEMA, include_public=True)
    with connection.schema_editor() as editor:
        editor.create_model(ArchiveMessage)
    table = ArchiveMessage._meta.db_table
    started = time.perf_counter()
    step = 200_000
    with connection.cursor() as cursor:
        for lo in range(1, rows + 1, step):
            cursor.execute(FILL.replace("{table}", table).replace(" % ", " %% "), [lo, min(rows, lo + step - 1)])
            print(f"  {min(rows, lo + step - 1):>9,} rows", flush=True)
        cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"generated {rows:,} rows in {time.perf_counter() - started:.1f}s")


def timed(name: str, query: ArchiveQuery, repeat: int) -> None:
    times, n = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = page(query, 1)
        times.append((time.perf_counter() - started) * 1000)
        n = len(result.rows)
    deep = time.perf_counter()
    page(query, 20)
    deep_ms = (time.perf_counter() - deep) * 1000
    print(f"{name:<34} median {statistics.median(times):8.1f} ms   max {max(times):8.1f} ms   "
          f"page 20 {deep_ms:8.1f} ms   ({n} rows on page 1)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the schema (and reuse it with --reuse)")
    parser.add_argument("--reuse", action="store_true", help="time an existing bench schema")
    args = parser.parse_args()
    if args.reuse:
        connection.set_schema(SCHEMA, include_public=True)
    else:
        build(args.rows)
    today = date.today()
    cases = [
        ("newest page, no criteria", ArchiveQuery()),
        ("sender address", ArchiveQuery(sender="user42@sender42.example")),
        ("sender domain", ArchiveQuery(sender="@sender7.example")),
        ("recipient", ArchiveQuery(recipient="mbox77@bench.test")),
        ("date range (one week)", ArchiveQuery(date_from=today - timedelta(days=40), date_to=today - timedelta(33))),
        ("subject words (common)", ArchiveQuery(subject="invoice")),
        ("subject words (rare)", ArchiveQuery(subject="no 777777")),
        ("size range", ArchiveQuery(size_min=4_000_000, size_max=4_010_000)),
        ("attachment name", ArchiveQuery(attachment="doc1235.pdf")),
        ("full text (common word)", ArchiveQuery(text="turbine")),
        ("full text (rare term)", ArchiveQuery(text="ref31337")),
        ("full text (in every message)", ArchiveQuery(text="hello")),
        ("full text + date range", ArchiveQuery(text="password reset", date_from=today - timedelta(days=90))),
        ("recipient + full text", ArchiveQuery(recipient="mbox77@bench.test", text="budget")),
        ("end user's own mail", ArchiveQuery(for_address="mbox77@bench.test")),
    ]
    for name, query in cases:
        timed(name, query, args.repeat)
    if not args.keep and not args.reuse:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA {SCHEMA} CASCADE")
    connection.set_schema_to_public()


if __name__ == "__main__":
    main()
