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
- **Views.** ``--views``: each shape and fuzzed message also through what
  a person sees of it, the quarantine view (``quarantine.render``) and the
  archive's search text (``archive.index.index_text``), timed apart.
- **Policy.** ``--policy``: the same through policy evaluation with the
  rules and TextCensor scripts of ``policy_bench.py``, then the actions that
  rebuild a message (footer, attachment stripping, subject tag) and the
  bytes that would leave, timed apart.
- **Sender authentication.** ``--sender-auth``: what a sender's choice of
  DKIM signatures, signed names, header fields, ARC sets and silent key
  servers costs SPF, DKIM, DMARC and ARC, against a loopback DNS server
  (``spe_testing.dnsserver``) with 1 s lookups, each shape at two sizes.

Needs the private clamd for the antivirus check
(``scripts/clamav.sh start && scripts/clamav.sh wait``); ``--no-antivirus``
leaves it out.  Run:
``.venv/bin/python bench/hostile_bench.py [--size 40000] [--fields a,b] [--fuzz 2000 --seed 1]
[--views] [--policy] [--sender-auth]``.
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
    parser.add_argument("--views", action="store_true", help="also time the quarantine view and archive text")
    parser.add_argument("--policy", action="store_true", help="also time policy evaluation (TextCensor included)")
    parser.add_argument("--sender-auth", action="store_true", help="also measure sender authentication shapes")
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

    stages = {}  # stage label -> function(raw) -> (seconds, error raised or "")
    if args.views:
        stages["quarantine view and archive text"] = _timed(_views)
    if args.policy:
        stages["policy: 50 rules, 20 TextCensor scripts, footer, stripping, tag"] = _timed(_policy_stage())

    run(shaped("text", b"a", 100))  # warm-up: model, GeoIP database, scanner
    fields = [f for f in args.fields.split(",") if f] or list(FIELDS)
    rows: list = []
    stage_rows: dict[str, list] = {label: [] for label in stages}
    for field in fields:
        for unit in UNITS:
            small, ctx_small, fail_small = run(shaped(field, unit, args.size))
            large, ctx_large, fail_large = run(shaped(field, unit, 4 * args.size))
            errors = {**ctx_small.check_errors, **ctx_large.check_errors}
            rows.append((large, large / max(small, 1e-4), field, unit, errors or fail_small or fail_large))
            for label, stage in stages.items():
                (small, error_small), (large, error_large) = (stage(shaped(field, unit, n))
                                                              for n in (args.size, 4 * args.size))
                stage_rows[label].append((large, large / max(small, 1e-4), field, unit, error_small or error_large))
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
    for label, found in stage_rows.items():
        found.sort(key=lambda row: row[0], reverse=True)
        worse = [row for row in found[5:] if row[4] or (row[1] > 8 and row[0] > 0.05)]
        print(f"  {label}, slowest at {4 * args.size} octets (and any super-linear or raising an error):")
        for large, ratio, field, unit, problem in found[:5] + worse:
            print(f"    {large * 1000:8.1f} ms  x{ratio:5.1f}  {field:15s} {unit!r}  {problem}")

    if args.sender_auth:
        _sender_auth(args.fuzz, args.seed, args.save)

    if args.fuzz:
        seeds = _seed_messages()
        mutator = Mutator(args.seed)
        times, failures, slow = [], 0, 0
        stage_times: dict[str, list[float]] = {label: [] for label in stages}
        stage_errors = dict.fromkeys(stages, 0)
        for i in range(args.fuzz):
            raw = mutator.message(seeds)
            elapsed, ctx, failure = run(raw)
            times.append(elapsed)
            stage_problems = []
            for label, stage in stages.items():
                seconds, error = stage(raw)
                stage_times[label].append(seconds)
                stage_errors[label] += bool(error)
                if error or seconds > 1.0:
                    stage_problems.append(f"{label}: {error or f'{seconds:.1f} s'}")
            if ctx.check_errors or failure or elapsed > 1.0 or stage_problems:
                failures += bool(ctx.check_errors or failure)
                slow += elapsed > 1.0
                args.save.mkdir(parents=True, exist_ok=True)
                path = args.save / f"{args.seed}-{i}-{hashlib.sha256(raw).hexdigest()[:12]}.eml"
                path.write_bytes(raw)
                print(f"  {elapsed * 1000:8.1f} ms  {path}  {ctx.check_errors or failure or ''} "
                      f"{'; '.join(stage_problems)}")
        times.sort()
        print(f"fuzzing: {args.fuzz} messages (seed {args.seed}, {len(seeds)} seed messages): "
              f"{failures} with a check error, {slow} over one second; median {times[len(times) // 2] * 1000:.1f} ms, "
              f"slowest {times[-1] * 1000:.0f} ms")
        for label, seconds in stage_times.items():
            seconds.sort()
            held = getattr(stages[label].stage, "held", None)
            print(f"  {label}: {stage_errors[label]} raised an error"
                  f"{f', {held} held because an action could not be applied' if held is not None else ''}; "
                  f"median {seconds[len(seconds) // 2] * 1000:.1f} ms, slowest {seconds[-1] * 1000:.0f} ms")
    return 0


def _timed(stage):
    def timed(raw: bytes) -> tuple[float, str]:
        """Seconds ``stage`` took on ``raw``, and the error it raised ("" if none)."""
        started = time.perf_counter()
        try:
            stage(raw)
        except Exception as exc:  # a bench reports what fails, it does not stop
            return time.perf_counter() - started, f"{type(exc).__name__}: {exc}"
        return time.perf_counter() - started, ""

    timed.stage = stage  # type: ignore[attr-defined]
    return timed


def _views(raw: bytes) -> None:
    """What a person sees of a message: the quarantine view and the archive's search text."""
    from mailflow.archive.index import index_text
    from mailflow.mime import parse_message
    from mailflow.quarantine.render import render

    render(raw)
    index_text(parse_message(raw))


def _policy_stage():
    """Policy evaluation as ``policy_bench.py`` sets it up (50 rules, 20 TextCensor scripts of 100 terms),
    then a footer, attachment stripping and a subject tag, and the bytes that would leave."""
    import logging
    import random

    sys.path.insert(0, str(ROOT / "bench"))
    import policy_bench

    from mailflow import spool
    from policy.engine import apply_action
    from policy.snapshot import compile_snapshot

    policy = compile_snapshot(policy_bench.make_snapshot(random.Random(3), 50, 20, 100))
    envelope = spool.Envelope(mail_from="alice@sender.test", recipients=["bob@acme.test"], customer="acme",
                              direction="inbound", client_ip="81.2.69.160", helo="mx.sender.test")
    rewrites = [  # the actions that rebuild the message, then the bytes that would leave
        ("footer", {"text": "Scanned by Example ISP", "html": "<p>Scanned by <b>Example ISP</b></p>"}),
        ("strip_attachments", {"families": ["executable", "script", "archive", "office"], "names": ["*.html"]}),
        ("tag_subject", {"tag": "[EXTERNAL]"}),
    ]

    logging.getLogger("policy.engine").setLevel(logging.CRITICAL)  # counted below, not printed

    def evaluate(raw: bytes) -> None:
        ctx, _, _ = policy_bench.one(raw, envelope, 1.0, policy)
        for kind, params in rewrites:
            if not apply_action(ctx, kind, params, "bench"):  # the engine holds such a message for review
                evaluate.held += 1  # type: ignore[attr-defined]
                break
        ctx.output_bytes()

    evaluate.held = 0  # type: ignore[attr-defined]
    return evaluate


def _sender_auth(fuzz: int, seed: int, save: Path) -> None:
    from mailflow.auth import (
        DNSCache,
        arc_seal,
        authentication_results_header,
        dns_record,
        generate_keypair,
        sign,
        verify,
    )
    from spe_testing.dnsserver import DNSTestServer, make_resolver

    domain = "sender.test"
    base = (b"From: Alice <alice@sender.test>\r\nTo: bob@acme.test\r\nSubject: hello\r\n"
            b"Date: Fri, 27 Nov 2026 10:00:00 +0000\r\nMessage-ID: <a1@sender.test>\r\n\r\nhello\r\n")
    private_pem, public_b64 = generate_keypair(1024)
    with DNSTestServer() as server:
        resolver = make_resolver(server.port, timeout=1.0)
        server.add_record(domain, "TXT", "v=spf1 ip4:81.2.69.160 -all")
        server.add_record(f"_dmarc.{domain}", "TXT", "v=DMARC1; p=reject")

        def publish(selector: str, on: str = domain, silent: bool = False) -> str:
            name, value = dns_record(selector, on, public_b64)
            server.add_record(name, "TXT", value)
            if silent:
                server.fail(name, "timeout")
            return selector

        def signatures(count: int, silent: bool = False) -> bytes:
            raw = base
            for i in range(count):
                raw = sign(raw, domain=domain, selector=publish(f"s{i}{'q' * silent}", silent=silent),
                           private_pem=private_pem)
            return raw

        def signed_names(count: int) -> bytes:
            names = [f"x-h{i}" for i in range(count)]
            raw = b"".join(f"X-H{i}: v\r\n".encode() for i in range(count)) + base
            return sign(raw, domain=domain, selector=publish("s0"), private_pem=private_pem, headers=["from", *names])

        def header_fields(count: int) -> bytes:
            return b"X-Pad: 1\r\n" * count + signatures(1)

        def body(octets: int) -> bytes:
            raw = base.replace(b"\r\n\r\nhello\r\n", b"\r\n\r\n" + (b"x" * 76 + b"\r\n") * (octets // 78))
            for i in range(5):
                raw = sign(raw, domain=domain, selector=publish(f"b{i}"), private_pem=private_pem)
            return raw

        def body_blanks(count: int) -> bytes:
            raw = base.replace(b"\r\n\r\nhello\r\n", b"\r\n\r\nx" + b" " * count + b"y\r\n")
            for i in range(5):
                raw = sign(raw, domain=domain, selector=publish(f"b{i}"), private_pem=private_pem)
            return raw

        def folded_b_tag(count: int) -> bytes:
            # the signature's last tag, b=, ends in folded blank lines and a stray character for its padding
            raw = signatures(1)
            return raw.replace(b"=\r\nFrom: Alice", b"\r\n " * count + b"!\r\nFrom: Alice", 1)

        def arc_sets(count: int, silent: bool = False) -> bytes:
            raw = base
            for i in range(1, count + 1):
                relay = f"relay{i}.test"
                results = verify(raw, client_ip="81.2.69.160", helo="mx", mail_from=f"alice@{domain}",
                                 resolver=resolver, cache=DNSCache(), timeout=1.0)
                raw = f"Authentication-Results: {authentication_results_header(results, relay)}\r\n".encode() + raw
                raw = arc_seal(raw, domain=relay, selector=publish("arc", relay), private_pem=private_pem,
                               authserv_id=relay)
            if silent:
                for i in range(1, count + 1):
                    server.fail(f"arc._domainkey.relay{i}.test", "timeout")
            return raw

        shapes = [
            ("DKIM signatures", lambda k: signatures(k), 10),
            ("signatures, keys silent", lambda k: signatures(k, silent=True), 5),
            ("names in h=, as many fields", signed_names, 2000),
            ("unsigned header fields", header_fields, 250),
            ("body octets, 5 signatures", body, 1_000_000),
            ("blanks in a body line, 5 signatures", body_blanks, 10_000),
            ("folded blank lines ending b=", folded_b_tag, 2_500),
            ("ARC sets", arc_sets, 5),
            ("ARC sets, keys silent", lambda k: arc_sets(k, silent=True), 5),
        ]
        print("sender authentication: each shape at k and 4k, DNS on loopback, 1 s lookups")
        for label, build, k in shapes:
            times, outcome = [], ""
            for size in (k, 4 * k):
                raw = build(size)
                started = time.perf_counter()
                results = verify(raw, client_ip="81.2.69.160", helo="mx.sender.test", mail_from=f"alice@{domain}",
                                 resolver=resolver, cache=DNSCache(), timeout=1.0)
                times.append(time.perf_counter() - started)
                dkim = ",".join(sorted({sig.result for sig in results.dkim})) or "none"
                outcome = f"dkim={dkim} arc={results.arc.result} dmarc={results.dmarc.result}"
            print(f"    {times[1] * 1000:8.1f} ms  x{times[1] / max(times[0], 1e-4):5.1f}  "
                  f"{label} (k={k})  at 4k: {outcome}")
        if fuzz:
            _sender_auth_fuzz(fuzz, seed, save, resolver, private_pem, publish)


def _sender_auth_fuzz(count: int, seed: int, save: Path, resolver, private_pem: bytes, publish) -> None:
    """Mutated copies of the modern sets, DKIM-signed by sender.test and ARC-sealed by relay0.test."""
    import logging
    import random

    from mailflow.auth import DNSCache, arc_seal, authentication_results_header, sign, verify
    from spe_testing.hostile import Mutator

    crashes: list[str] = []

    class Crashes(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            crashes.append(record.getMessage())

    logging.getLogger("mailflow.auth.verify").addHandler(Crashes(logging.ERROR))

    def check(raw: bytes):
        return verify(raw, client_ip="81.2.69.160", helo="mx.sender.test", mail_from="alice@sender.test",
                      resolver=resolver, cache=DNSCache(), timeout=1.0)

    publish("s0")
    publish("arc", "relay0.test")
    signed = []
    for path in sorted((ROOT / "bench").glob("modern*/**/*.eml")):
        raw = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        raw = sign(raw, domain="sender.test", selector="s0", private_pem=private_pem)
        raw = f"Authentication-Results: {authentication_results_header(check(raw), 'relay0.test')}\r\n".encode() + raw
        signed.append(arc_seal(raw, domain="relay0.test", selector="arc", private_pem=private_pem,
                               authserv_id="relay0.test"))
    mutator, pick = Mutator(seed), random.Random(seed)
    times, outcomes = [], {}
    for i in range(count):
        raw = mutator.mutate(pick.choice(signed)) if i % 3 else mutator.message(signed)
        started = time.perf_counter()
        results = check(raw)
        times.append(time.perf_counter() - started)
        dkim = ",".join(sorted({sig.result for sig in results.dkim})) or "none"
        outcome = f"dkim={dkim} arc={results.arc.result}"
        if times[-1] > 1.0:
            save.mkdir(parents=True, exist_ok=True)
            path = save / f"auth-{seed}-{i}-{hashlib.sha256(raw).hexdigest()[:12]}.eml"
            path.write_bytes(raw)
            print(f"  {times[-1] * 1000:8.1f} ms  {path}  {outcome}")
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    times.sort()
    common = ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items(), key=lambda kv: -kv[1])[:4])
    print(f"  fuzzing: {count} signed and sealed messages (seed {seed}, {len(signed)} seeds): {len(crashes)} "
          f"steps crashed; median {times[len(times) // 2] * 1000:.1f} ms, slowest {times[-1] * 1000:.0f} ms; {common}")


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
