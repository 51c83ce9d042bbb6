"""A real SMTP server on loopback standing in for customers' mail servers.

Used by tests, benchmarks and ``make run`` (the demo customers deliver to
it). It stores what it receives in memory (tests) and/or as files in a
directory (demo), and can be told to answer 4xx or 5xx to exercise the
sender's retries and bounces. Run standalone with
``python -m spe_testing.smtpsink --port 2526 --maildir var/sink``.
See docs/testing.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


@dataclass
class Received:
    """One message as the sink saw it."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    peer: str
    tls: bool
    at: float = field(default_factory=time.time)


class SinkHandler:
    """aiosmtpd handler that records messages and can fail on request."""

    def __init__(self, maildir: Path | None = None, keep: bool = True, pipelining: bool = True) -> None:
        self.maildir = maildir
        self.keep = keep
        self.pipelining = pipelining  # advertise PIPELINING, as Postfix and Exchange do
        self.mail_reply: str | None = None  # reply for MAIL FROM (None: accept)
        self.messages: list[Received] = []
        self.count = 0
        self.connections = 0
        self.reply_queue: list[str] = []  # replies to give to the next DATA commands
        self.rcpt_reply: dict[str, str] = {}  # address -> reply for RCPT
        self.stall = threading.Event()  # while set, new sessions hang after EHLO (crash tests)
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1
        while self.stall.is_set():
            await asyncio.sleep(0.05)
        session.host_name = hostname
        if self.pipelining:
            responses.insert(len(responses) - 1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server, session, envelope: Envelope, address: str, mail_options):
        if self.mail_reply:
            return self.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server, session, envelope: Envelope, address: str, rcpt_options):
        reply = self.rcpt_reply.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            if self.reply_queue:
                return self.reply_queue.pop(0)
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        message = Received(
            envelope.mail_from,
            list(envelope.rcpt_tos),
            data,
            str(session.peer[0]) if session.peer else "",
            session.ssl is not None,
        )
        if self.maildir is not None:
            self._write(message)
        with self.arrived:
            self.count += 1
            if self.keep:
                self.messages.append(message)
            self.arrived.notify_all()
        return "250 2.0.0 Ok: queued"

    def _write(self, message: Received) -> None:
        self.maildir.mkdir(parents=True, exist_ok=True)
        name = self.maildir / f"{time.time():.6f}.{uuid.uuid4().hex[:8]}.eml"
        header = f"X-Sink-Envelope-From: {message.mail_from}\r\nX-Sink-Envelope-To: {','.join(message.rcpt_tos)}\r\n"
        name.write_bytes(header.encode() + message.data)

    def reset(self) -> None:
        """Forget what was received and any scripted replies."""
        with self.lock:
            self.messages.clear()
            self.count = 0
            self.reply_queue.clear()
            self.rcpt_reply.clear()
            self.stall.clear()

    def wait_for(self, n: int, timeout: float = 30.0) -> list[Received]:
        """Block until at least ``n`` messages arrived; return them (or fail)."""
        deadline = time.monotonic() + timeout
        with self.arrived:
            while self.count < n:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"sink received {self.count} of {n} messages within {timeout}s")
                self.arrived.wait(remaining)
            return list(self.messages)


class SMTPSink:
    """A sink listening on ``host:port`` (port 0 picks a free port)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        maildir: Path | None = None,
        keep: bool = True,
        tls_context=None,
        pipelining: bool = True,
    ) -> None:
        self.handler = SinkHandler(maildir=maildir, keep=keep, pipelining=pipelining)
        kwargs = {"tls_context": tls_context} if tls_context else {}
        self.controller = Controller(
            self.handler, hostname=host, port=port or _free_port(host), data_size_limit=0, decode_data=False, **kwargs
        )

    @property
    def port(self) -> int:
        return self.controller.port

    def __enter__(self) -> SMTPSink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def _free_port(host: str) -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("SPE_SINK_PORT", "2526")))
    parser.add_argument("--maildir", type=Path, default=None, help="write each message here as a file")
    args = parser.parse_args()
    sink = SMTPSink(args.host, args.port, maildir=args.maildir, keep=False)
    sink.controller.start()
    print(f"SMTP sink listening on {args.host}:{args.port}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sink.controller.stop()


if __name__ == "__main__":
    main()
