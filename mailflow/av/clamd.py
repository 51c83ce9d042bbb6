"""ClamAV engine: a clamd client speaking INSTREAM over a unix socket or TCP.

All items of one call are scanned on a single ``zIDSESSION`` connection
with up to ``pipeline`` streams in flight, so clamd scans them in parallel
threads.  Items larger than ``max_stream`` (keep it at or below clamd's
``StreamMaxLength``) are never sent and make the call fail: an item clamd
did not see is never reported clean.  See docs/antivirus.md.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mailflow.av.base import Finding, ScanItem, ScannerUnavailable
from mailflow.av.clamd_wire import ClamdConnection, ClamdReply

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MAX_STREAM = 100 * 1024 * 1024
DEFAULT_CHUNK_SIZE = 256 * 1024


def default_socket_path() -> str:
    """``$SPE_CLAMD_SOCKET``, else the private clamd of scripts/clamav.sh."""
    return os.environ.get("SPE_CLAMD_SOCKET") or str(REPO_ROOT / "var/clamav/clamd.sock")


class ClamdScanner:
    """The ``clamav`` engine.  Thread-safe: one connection per call."""

    parses_mime = True  # clamd decodes MIME and archives of the raw message it is given

    def __init__(
        self,
        *,
        socket_path: str | None = None,
        host: str | None = None,
        port: int | None = None,
        timeout: float = 30.0,
        max_stream: int = DEFAULT_MAX_STREAM,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        pipeline: int = 8,
        name: str = "clamav",
    ) -> None:
        if host is not None or port is not None:
            if socket_path is not None or host is None or port is None:
                raise ValueError("give either socket_path, or both host and port")
            self.address: str | tuple[str, int] = (host, port)
        else:
            self.address = socket_path or default_socket_path()
        self.name = name
        self.timeout = timeout
        self.max_stream = max_stream
        self.chunk_size = chunk_size
        self.pipeline = max(1, pipeline)

    def _connect(self, timeout: float | None = None) -> ClamdConnection:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        return ClamdConnection(self.address, deadline)

    def _command(self, command: bytes, timeout: float | None) -> str:
        with self._connect(timeout) as conn:
            conn.send(b"z" + command + b"\0")
            return conn.read_raw().decode("utf-8", "replace")

    def ping(self, timeout: float | None = None) -> None:
        """Raise :class:`ScannerUnavailable` unless clamd answers PONG."""
        reply = self._command(b"PING", timeout)
        if reply != "PONG":
            raise ScannerUnavailable(f"clamd at {self.address!r}: bad PING reply {reply!r}")

    def version(self, timeout: float | None = None) -> str:
        """Return clamd's version string, e.g. ``ClamAV 1.4.6/27000/...``."""
        return self._command(b"VERSION", timeout)

    def scan_bytes(self, data: bytes) -> str | None:
        """Scan one blob; return the signature name, or None when clean."""
        findings = self.scan([ScanItem("-", data)])
        return findings[0].signature if findings else None

    def scan(self, items: Sequence[ScanItem]) -> list[Finding]:
        """Scan all items on one session; raise if any item went unscanned."""
        outcome = _Outcome()
        to_send: list[tuple[int, ScanItem]] = []
        for index, item in enumerate(items):
            if len(item.data) > self.max_stream:
                outcome.fail(item.path, f"larger than max_stream ({self.max_stream} bytes)")
            else:
                to_send.append((index, item))
        if to_send:
            try:
                self._scan_session(to_send, outcome)
            except ScannerUnavailable as exc:
                for _, item in outcome.unanswered(to_send):
                    outcome.fail(item.path, str(exc))
        if outcome.errors:
            reasons = "; ".join(f"{path}: {why}" for path, why in outcome.errors)
            raise ScannerUnavailable(
                f"clamd left items unscanned: {reasons}",
                findings=outcome.findings(),
                unscanned_paths=[path for path, _ in outcome.errors],
            )
        return outcome.findings()

    def _scan_session(self, items: Sequence[tuple[int, ScanItem]], outcome: _Outcome) -> None:
        pending: dict[int, tuple[int, ScanItem]] = {}
        with self._connect() as conn:
            conn.send(b"zIDSESSION\0")
            for request_id, (index, item) in enumerate(items, start=1):
                self._send_item(conn, item)
                pending[request_id] = (index, item)
                while len(pending) >= self.pipeline:
                    self._collect(conn.read_reply(), pending, outcome)
            while pending:
                self._collect(conn.read_reply(), pending, outcome)
            conn.send(b"zEND\0")

    def _send_item(self, conn: ClamdConnection, item: ScanItem) -> None:
        try:
            conn.send_instream(item.data, self.chunk_size)
        except ScannerUnavailable as exc:
            parting = conn.try_read_error()
            if parting:
                raise ScannerUnavailable(f"clamd refused {item.path}: {parting}") from exc
            raise

    def _collect(
        self, reply: ClamdReply, pending: dict[int, tuple[int, ScanItem]], outcome: _Outcome
    ) -> None:
        entry = pending.pop(reply.request_id, None) if reply.request_id is not None else None
        if entry is None:
            raise ScannerUnavailable(f"clamd at {self.address!r}: unexpected reply {reply.text!r}")
        index, item = entry
        outcome.answered.add(index)
        if reply.status == "FOUND" and reply.signature:
            outcome.found.append((index, Finding(self.name, item.path, reply.signature)))
        elif reply.status == "ERROR":
            outcome.fail(item.path, reply.text)


@dataclass
class _Outcome:
    """What one scan call learned so far, in item order."""

    answered: set[int] = field(default_factory=set)
    found: list[tuple[int, Finding]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)

    def fail(self, path: str, reason: str) -> None:
        self.errors.append((path, reason))

    def unanswered(self, items: Sequence[tuple[int, ScanItem]]) -> list[tuple[int, ScanItem]]:
        return [(index, item) for index, item in items if index not in self.answered]

    def findings(self) -> list[Finding]:
        return [finding for _, finding in sorted(self.found, key=lambda pair: pair[0])]
