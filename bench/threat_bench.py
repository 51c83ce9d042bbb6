"""Threat stage latency: parse plus every check, per 5 KB message (docs/checks.md, "Speed").

Needs the private clamd (``scripts/clamav.sh start && scripts/clamav.sh wait``).
Network checks are off (no DNSBL/URIBL zones; sender authentication is left
out because it only waits on DNS). The process is pinned to one CPU.
Run: ``.venv/bin/python bench/threat_bench.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spe.settings")


def five_kb_message(n: int) -> bytes:
    """A realistic 5 KB newsletter-style message: text and HTML alternatives with links."""
    msg = EmailMessage()
    msg["From"] = "Team Updates <news@updates.example.org>"
    msg["To"] = "bob@acme.test"
    msg["Subject"] = f"Weekly project update #{n}"
    msg["Date"] = "Fri, 27 Nov 2026 10:00:00 +0000"
    msg["Message-ID"] = f"<bench-{n}@updates.example.org>"
    para = ("This week the team finished the migration of the reporting service and reviewed the "
            "test plan for the next release. Details: https://wiki.example.org/projects/report-{i}\n")
    text = "".join(para.format(i=i) for i in range(12))
    msg.set_content(text)
    html = "".join(f"<p>{para.format(i=i)}<a href='https://wiki.example.org/p/{i}'>read more</a></p>"
                   for i in range(10))
    msg.add_alternative(f"<html><body>{html}</body></html>", subtype="html")
    return msg.as_bytes(policy=SMTP)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=400)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    from mailflow import spool
    from mailflow.checks import CHECKS
    from mailflow.checks.sender_auth import SenderAuth
    from mailflow.engine.context import MessageContext
    from mailflow.engine.pipeline import run_checks

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    settings.SPE_DNSBL_ZONES, settings.SPE_URIBL_ZONES = [], []
    enabled = [c for c in CHECKS if c is not SenderAuth]
    messages = [five_kb_message(i) for i in range(20)]
    print(f"message size: {len(messages[0])} bytes; checks: {', '.join(c.name for c in enabled)}")

    per_check: dict[str, list[float]] = {}
    totals: list[float] = []
    for i in range(args.rounds + 20):
        env = spool.Envelope(mail_from="news@updates.example.org", recipients=["bob@acme.test"], customer="acme",
                             direction="inbound", client_ip="81.2.69.160", helo="mx.example.org")
        ctx = MessageContext(f"bench-{i}", env, messages[i % len(messages)], None, None)  # type: ignore[arg-type]
        started = time.perf_counter()
        run_checks(ctx, enabled)
        elapsed = (time.perf_counter() - started) * 1000
        if ctx.check_errors:
            raise SystemExit(f"check errors: {ctx.check_errors}")
        if i >= 20:  # warm-up: scanner, GeoIP database and model loaded once per process
            totals.append(elapsed)
            for name, ms in ctx.timings.items():
                per_check.setdefault(name, []).append(ms)
    q = statistics.quantiles(totals, n=20)
    print(f"threat stage (parse + checks): median {statistics.median(totals):.2f} ms, p95 {q[18]:.2f} ms "
          f"over {len(totals)} messages")
    for name, values in per_check.items():
        print(f"  {name:12s} median {statistics.median(values):.2f} ms")


if __name__ == "__main__":
    main()
