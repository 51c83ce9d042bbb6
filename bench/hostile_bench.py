"""What hostile mail costs the threat stage (docs/testing.md, "Hostile input").

Two measurements, network checks off, as in ``threat_bench.py``:

- **Growth.** Every shape of ``spe_testing.hostile`` (a long run of one
  unit in one field: a folded header, a MIME parameter, a link's host, the
  body...) is scored at ``--size`` octets and at four times that.  Cost in
  proportion to the size shows a ratio near 4; a ratio near 16 means time
  quadratic in the size, which a sender can turn into minutes per message.
  Prints the slowest shapes and every shape whose ratio is over 8.
- **Fuzzing.** ``--fuzz N`` messages from ``Mutator(--seed)``: mutated copies
  of the corpus and the modern sets, and hand-written hostile structures.
  Prints every message a check failed on or that took over a second, and
  saves them under ``--save`` to replay.

Needs the private clamd for the antivirus check
(``scripts/clamav.sh start && scripts/clamav.sh wait``); ``--no-antivirus``
leaves it out.  Run:
``.venv/bin/python bench/hostile_bench.py [--size 40000] [--fields a,b] [--fuzz 2000 --seed 1]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spe.settings")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=40_000, help="octets of the smaller run (default 40000)")
    parser.add_argument("--fields", default="", help="comma-separated fields to grow (default: all)")
    parser.add_argument("--fuzz", type=int, default=0, help="mutated messages to run (default: none)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save", type=Path, default=Path("var/hostile"), help="where failing inputs are saved")
    parser.add_argument("--no-antivirus", action="store_true")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    from mailflow import spool
    from mailflow.checks import CHECKS
    from mailflow.checks.antivirus import Antivirus
    from mailflow.checks.sender_auth import SenderAuth
    from mailflow.engine.context import MessageContext
    from mailflow.engine.pipeline import RetryLater, run_checks
    from spe_testing.hostile import FIELDS, UNITS, Mutator, shaped

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    settings.SPE_DNSBL_ZONES, settings.SPE_URIBL_ZONES = [], []
    enabled = [c for c in CHECKS if c is not SenderAuth and not (args.no_antivirus and c is Antivirus)]

    def run(raw: bytes) -> tuple[float, MessageContext, str]:
        envelope = spool.Envelope(mail_from="alice@sender.test", recipients=["bob@acme.test"], customer="acme",
                                  direction="inbound", client_ip="81.2.69.160", helo="mx.sender.test")
        ctx = MessageContext("hostile", envelope, raw, None, None)  # type: ignore[arg-type]
        started = time.perf_counter()
        failure = ""
        try:
            run_checks(ctx, enabled)
            ctx.output_bytes()
        except RetryLater as exc:
            failure = f"retry later: {exc}"
        return time.perf_counter() - started, ctx, failure

    run(shaped("text", b"a", 100))  # warm-up: model, GeoIP database, scanner
    fields = [f for f in args.fields.split(",") if f] or list(FIELDS)
    rows = []
    for field in fields:
        for unit in UNITS:
            small, ctx_small, fail_small = run(shaped(field, unit, args.size))
            large, ctx_large, fail_large = run(shaped(field, unit, 4 * args.size))
            errors = {**ctx_small.check_errors, **ctx_large.check_errors}
            rows.append((large, large / max(small, 1e-4), field, unit, errors or fail_small or fail_large))
    rows.sort(key=lambda row: row[0], reverse=True)
    print(f"growth: {len(rows)} shapes at {args.size} and {4 * args.size} octets, threat stage "
          f"({', '.join(c.name for c in enabled)})")
    print(f"  slowest at {4 * args.size} octets:")
    for large, ratio, field, unit, problem in rows[:8]:
        print(f"    {large * 1000:8.1f} ms  x{ratio:5.1f}  {field:15s} {unit!r}  {problem or ''}")
    superlinear = [row for row in rows if row[1] > 8 and row[0] > 0.05]
    problems = [row for row in rows if row[4]]
    print(f"  super-linear (ratio over 8, over 50 ms): {len(superlinear)}; with a check error: {len(problems)}")
    for large, ratio, field, unit, problem in superlinear + problems:
        print(f"    {large * 1000:8.1f} ms  x{ratio:5.1f}  {field:15s} {unit!r}  {problem or ''}")

    if args.fuzz:
        seeds = _seed_messages()
        mutator = Mutator(args.seed)
        times, failures, slow = [], 0, 0
        for i in range(args.fuzz):
            raw = mutator.message(seeds)
            elapsed, ctx, failure = run(raw)
            times.append(elapsed)
            if ctx.check_errors or failure or elapsed > 1.0:
                failures += bool(ctx.check_errors or failure)
                slow += elapsed > 1.0
                args.save.mkdir(parents=True, exist_ok=True)
                path = args.save / f"{args.seed}-{i}-{hashlib.sha256(raw).hexdigest()[:12]}.eml"
                path.write_bytes(raw)
                print(f"  {elapsed * 1000:8.1f} ms  {path}  {ctx.check_errors or failure or ''}")
        times.sort()
        print(f"fuzzing: {args.fuzz} messages (seed {args.seed}, {len(seeds)} seed messages): "
              f"{failures} with a check error, {slow} over one second; median {times[len(times) // 2] * 1000:.1f} ms, "
              f"slowest {times[-1] * 1000:.0f} ms")
    return 0


def _seed_messages() -> list[bytes]:
    from mailflow.spam.corpus import CorpusError, default_corpus_dir, iter_corpus, supplement_dir

    seeds = [path.read_bytes() for path in sorted((ROOT / "bench").glob("modern*/**/*.eml"))]
    seeds += [sample.raw for sample in iter_corpus(supplement_dir())][::3]
    try:
        seeds += [sample.raw for sample in iter_corpus(default_corpus_dir())][::7]
    except (CorpusError, OSError):
        pass  # the corpus is optional: the modern sets and the supplement ship with the repository
    return seeds


if __name__ == "__main__":
    raise SystemExit(main())
