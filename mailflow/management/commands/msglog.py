"""The message log's write queue: backlog, records the database refused, flush now (docs/mailflow.md)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from mailflow import msglog
from tenants.cache import client


class Command(BaseCommand):
    help = ("Show the message log's backlog and the records PostgreSQL refused; "
            "--requeue puts refused records back after the cause is fixed, --flush writes the backlog now.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--requeue", action="store_true", help="put every refused record back on the queue")
        parser.add_argument("--flush", action="store_true", help="write queued records now")
        parser.add_argument("--full", action="store_true", help="print each refused record whole")

    def handle(self, *args, **opts) -> None:
        try:
            redis = client()
            backlog = msglog.backlog(redis)
        except Exception as exc:
            raise CommandError(f"cannot read the message log queue from Redis: {exc}") from exc
        if opts["requeue"]:
            self.stdout.write(f"requeued {msglog.requeue_refused(redis)} refused records")
        if opts["flush"]:
            self.stdout.write(f"wrote {msglog.flush(redis)} records")
            backlog = msglog.backlog(redis)
        refused = msglog.refused(redis)
        self.stdout.write(f"backlog {backlog}  refused {len(refused)}")
        for entry in refused:
            record = entry["record"]
            if not opts["full"]:
                try:
                    parsed = json.loads(record)
                    record = f"{parsed.get('schema')} {parsed.get('spool_id')} {parsed.get('state')}"
                except (ValueError, AttributeError):
                    record = record[:120]
            self.stdout.write(f"  {entry['refused']}  {record}  {entry['reason']}")
