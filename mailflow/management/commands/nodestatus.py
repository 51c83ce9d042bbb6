"""Print the status every receiver and engine worker last published (docs/mailflow.md)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from mailflow.heartbeat import read_all
from tenants.cache import client


def _mb(value: int) -> str:
    return "?" if value is None or value < 0 else f"{value / 1e9:.1f}G"


class Command(BaseCommand):
    help = "Show node status: connections, queue depth, engine time behind, spool and disk."

    def handle(self, *args, **opts) -> None:
        try:
            rows = read_all(client())
        except Exception as exc:
            raise CommandError(f"cannot read node status from Redis: {exc}") from exc
        if not rows:
            self.stdout.write("No node has reported in the last 30 seconds.")
            return
        for r in rows:
            age = time.time() - r["ts"]
            common = f"{r['node']:<10} {r['role']:<9} pid {r['pid']:<7} seen {age:4.1f}s ago"
            if r["role"] == "receiver":
                self.stdout.write(
                    f"{common}  connections {r.get('active_connections', 0)}  received {r.get('received', 0)}  "
                    f"refused {r.get('refused', 0)}  tempfailed {r.get('tempfailed', 0)}  "
                    f"spool free {_mb(r.get('spool_free_bytes'))}")
            else:
                self.stdout.write(
                    f"{common}  queue {r.get('queue_depth', 0)}  behind {r.get('engine_behind_s', 0)}s  "
                    f"deferred {r.get('spool_deferred', 0)}  log backlog {r.get('log_backlog', 0)}  "
                    f"log refused {r.get('log_refused', 0)}  "
                    f"spool free {_mb(r.get('spool_free_bytes'))}  store free {_mb(r.get('store_free_bytes'))}  "
                    f"clamd {r.get('clamd', '?')}  spam model {r.get('spam_model', '?')}"
                    f"  html parser {r.get('html_parser', '?')}")
