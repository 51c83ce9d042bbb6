"""Timing of ``parse_message`` on typical messages (see docs/mime.md).

Run: ``.venv/bin/python bench/mime_bench.py``
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import time
import zipfile
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mailflow.mime import parse_message


def _message(body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Alice <alice@example.com>"
    msg["To"] = "bob@example.net"
    msg["Subject"] = "Quarterly figures"
    msg["Message-ID"] = "<bench@example.com>"
    msg.set_content(body)
    return msg


def plain_5k() -> bytes:
    return _message("The figures for the quarter are attached below.\n" * 100).as_bytes()


def alternative_5k() -> bytes:
    msg = _message("Plain words for the quarter.\n" * 50)
    msg.add_alternative("<p>Html words for the quarter.</p>\n" * 50, subtype="html")
    return msg.as_bytes()


def zip_100k() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("figures.csv", b"region,amount\n" + b"north,1234\n" * 4000)
        archive.writestr("scan.bin", os.urandom(50_000))
        archive.writestr("notes.txt", b"see figures\n" * 100)
    msg = _message("Figures attached.\n")
    msg.add_attachment(buf.getvalue(), maintype="application", subtype="zip", filename="q3.zip")
    return msg.as_bytes()


def measure(build: Callable[[], bytes], rounds: int = 300) -> tuple[int, float, float]:
    raw = build()
    parse_message(raw)  # warm-up: libmagic load, mimetypes tables
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        parse_message(raw)
        times.append(time.perf_counter() - start)
    return len(raw), statistics.median(times) * 1000, max(times) * 1000


def main() -> None:
    for name, build in (("plain 5 KB", plain_5k), ("alternative 5 KB", alternative_5k), ("zip 100 KB", zip_100k)):
        size, median_ms, worst_ms = measure(build)
        print(f"{name:18} {size:>8} bytes  median {median_ms:.3f} ms  max {worst_ms:.3f} ms")


if __name__ == "__main__":
    main()
