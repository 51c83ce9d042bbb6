"""The simplest durable store-and-forward relay: a baseline for bench/mailpath_bench.py.

Two processes, started by the benchmark:

    simple_relay.py receive --port P --spool DIR
        aiosmtpd receiver. For each message: write it to DIR/tmp, fsync the
        file, rename it into DIR/new, fsync the directory, then answer 250
        (the same durability the platform's spool gives). The file write runs
        in a thread pool so that one fsync does not stall every session.

    simple_relay.py relay --spool DIR --to HOST:PORT
        One loop, one reused SMTP connection (smtplib): take the oldest files
        in DIR/new, send each, delete it after the 250. Polls every 5 ms when
        the spool is empty.

No checks, no parsing, no retries beyond reconnecting once: it is the floor
of what any durable relay written in Python costs. Both processes exit when
their parent goes away.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import smtplib
import sys
import time
from pathlib import Path


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_entry(spool: Path, mail_from: str, rcpts: list[str], data: bytes) -> str:
    name = f"{time.time_ns():020d}{secrets.token_hex(4)}"
    tmp = spool / "tmp" / name
    with open(tmp, "wb") as fh:
        fh.write(json.dumps({"from": mail_from, "to": rcpts}).encode() + b"\n")
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, spool / "new" / name)
    _fsync_dir(spool / "new")
    return name


class Handler:
    def __init__(self, spool: Path) -> None:
        self.spool = spool

    async def handle_DATA(self, server, session, envelope) -> str:
        loop = asyncio.get_running_loop()
        try:
            name = await loop.run_in_executor(None, _write_entry, self.spool, envelope.mail_from,
                                              list(envelope.rcpt_tos), envelope.original_content)
        except OSError as exc:
            return f"451 4.3.0 not stored: {exc}"
        return f"250 2.0.0 OK queued as {name}"


def _watch_parent() -> None:
    parent = os.getppid()

    def check() -> None:
        if os.getppid() != parent:
            os._exit(0)
        loop.call_later(1.0, check)

    loop = asyncio.get_running_loop()
    loop.call_later(1.0, check)


async def _receive(port: int, spool: Path) -> None:
    from aiosmtpd.smtp import SMTP

    loop = asyncio.get_running_loop()
    handler = Handler(spool)
    server = await loop.create_server(
        lambda: SMTP(handler, data_size_limit=50 * 1024 * 1024, decode_data=False, hostname="simple.bench.test",
                     enable_SMTPUTF8=True),
        host="127.0.0.1", port=port, reuse_address=True,
    )
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    _watch_parent()
    print(f"simple relay receiver on 127.0.0.1:{port}", flush=True)
    await stop.wait()
    server.close()


def _relay(spool: Path, host: str, port: int) -> None:
    parent = os.getppid()
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    new = spool / "new"
    conn: smtplib.SMTP | None = None
    last_parent_check = time.monotonic()
    print(f"simple relay sender to {host}:{port}", flush=True)
    while not stopping:
        if time.monotonic() - last_parent_check > 1.0:
            if os.getppid() != parent:
                break
            last_parent_check = time.monotonic()
        names = sorted(os.listdir(new))
        if not names:
            time.sleep(0.005)
            continue
        for name in names:
            if stopping:
                break
            path = new / name
            with open(path, "rb") as fh:
                envelope = json.loads(fh.readline())
                data = fh.read()
            for attempt in (1, 2):
                try:
                    if conn is None:
                        conn = smtplib.SMTP(host, port, local_hostname="simple.bench.test", timeout=30)
                        conn.ehlo()
                    conn.sendmail(envelope["from"], envelope["to"], data)
                    break
                except (smtplib.SMTPServerDisconnected, OSError):
                    conn = None
                    if attempt == 2:
                        raise
            path.unlink()
    if conn is not None:
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    rec = sub.add_parser("receive")
    rec.add_argument("--port", type=int, required=True)
    rec.add_argument("--spool", type=Path, required=True)
    rel = sub.add_parser("relay")
    rel.add_argument("--spool", type=Path, required=True)
    rel.add_argument("--to", required=True, metavar="HOST:PORT")
    args = parser.parse_args()
    for name in ("tmp", "new"):
        (args.spool / name).mkdir(parents=True, exist_ok=True)
    if args.mode == "receive":
        asyncio.run(_receive(args.port, args.spool))
    else:
        host, _, port = args.to.rpartition(":")
        _relay(args.spool, host, int(port))
    sys.exit(0)


if __name__ == "__main__":
    main()
