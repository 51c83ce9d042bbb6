"""Antivirus latency benchmark (see docs/antivirus.md, "Speed").

Needs the private clamd: ``scripts/clamav.sh start && scripts/clamav.sh wait``.
Run: ``.venv/bin/python bench/av_bench.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mailflow.av.base import ScanItem
from mailflow.av.clamd import ClamdScanner
from mailflow.av.hashlist import HashListScanner
from mailflow.av.multi import MultiScanner
from mailflow.av.yara_engine import YaraScanner


def small_message() -> list[ScanItem]:
    """The parts of a ~5 KB message: a text and an HTML alternative."""
    text = b"Hello team,\r\nplease find the minutes below.\r\n" * 45
    html = b"<html><body><p>Hello team,</p><p>please find the minutes below.</p>" * 40
    return [ScanItem("1", text[:2048]), ScanItem("2", html[:3072] + b"</body></html>")]


def attachment_message() -> list[ScanItem]:
    """A short body and a 100 KB (incompressible) attachment."""
    return [ScanItem("1", b"See attached.\r\n"), ScanItem("2/report.pdf", os.urandom(100 * 1024))]


def many_items(count: int = 20) -> list[ScanItem]:
    """An archive unpacked into ``count`` small members."""
    return [ScanItem(f"a.zip/{i}.txt", os.urandom(2048)) for i in range(count)]


def measure(label: str, call: Callable[[], object], rounds: int) -> None:
    """Print median and p95 wall time of ``call`` in milliseconds."""
    call()  # warm-up
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000.0)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    print(f"{label:<48} median {statistics.median(samples):7.2f} ms   p95 {p95:7.2f} ms")


def per_item_connections(clamd: ClamdScanner, items: Sequence[ScanItem]) -> None:
    """Baseline: one connection (and session) per item."""
    for item in items:
        clamd.scan([item])


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    rounds = parser.parse_args().rounds
    clamd = ClamdScanner(timeout=30)
    sequential = ClamdScanner(timeout=30, pipeline=1)
    yara_scanner = YaraScanner()
    hashes = HashListScanner(hashlib.sha256(str(i).encode()).hexdigest() for i in range(100_000))
    multi = MultiScanner([clamd, yara_scanner, hashes], timeout=30)
    messages = (("5 KB message", small_message()), ("100 KB attachment", attachment_message()))
    for name, items in messages:
        measure(f"{name}: clamd", lambda i=items: clamd.scan(i), rounds)
        measure(f"{name}: yara", lambda i=items: yara_scanner.scan(i), rounds)
        measure(f"{name}: hashlist (100k hashes)", lambda i=items: hashes.scan(i), rounds)
        measure(f"{name}: MultiScanner (all three)", lambda i=items: multi.scan(i), rounds)
    items = many_items()
    measure("20 items: one connection per item", lambda: per_item_connections(clamd, items), rounds)
    measure("20 items: IDSESSION, one at a time", lambda: sequential.scan(items), rounds)
    measure("20 items: IDSESSION, pipelined (8)", lambda: clamd.scan(items), rounds)


if __name__ == "__main__":
    main()
