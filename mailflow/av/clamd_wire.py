"""The clamd wire protocol: connections, INSTREAM framing, reply parsing.

Only the parts of clamd's protocol the gateway uses are implemented:
``z``-prefixed (NUL-terminated) commands, ``INSTREAM`` (4-byte big-endian
chunk lengths, zero-length terminator) and ``IDSESSION`` replies prefixed
with a request id.  Every socket operation runs against one deadline for
the whole call.  See docs/antivirus.md.
"""

from __future__ import annotations

import re
import socket
import struct
import time
from dataclasses import dataclass
from types import TracebackType

from mailflow.av.base import ScannerUnavailable

_TERMINATOR = b"\0\0\0\0"
_REPLY_RE = re.compile(r"^(?:(?P<id>\d+): )?(?P<body>.*?)\s*$", re.S)


@dataclass(frozen=True, slots=True)
class ClamdReply:
    """One parsed reply: status is ``OK``, ``FOUND`` or ``ERROR``."""

    request_id: int | None
    status: str
    signature: str | None
    text: str


def parse_reply(raw: bytes) -> ClamdReply:
    """Parse ``[id: ]stream: OK|<sig> FOUND|<msg> ERROR`` into a reply."""
    text = raw.decode("utf-8", "replace")
    match = _REPLY_RE.match(text)
    assert match is not None  # the pattern matches any string
    request_id = int(match["id"]) if match["id"] else None
    body = match["body"]
    if body.endswith(" FOUND"):
        signature = body[: -len(" FOUND")].split(": ", 1)[-1]
        return ClamdReply(request_id, "FOUND", signature, body)
    if body.endswith(": OK") or body == "OK":
        return ClamdReply(request_id, "OK", None, body)
    return ClamdReply(request_id, "ERROR", None, body)


class ClamdConnection:
    """One socket to clamd, bound to a deadline shared by all operations."""

    def __init__(self, address: str | tuple[str, int], deadline: float) -> None:
        self._deadline = deadline
        self._buffer = b""
        self._address = address
        try:
            self._sock = self._open(address)
        except OSError as exc:
            raise ScannerUnavailable(f"clamd at {address!r} unreachable: {exc}") from exc

    def _open(self, address: str | tuple[str, int]) -> socket.socket:
        if isinstance(address, str):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.settimeout(self._remaining())
                sock.connect(address)
            except BaseException:
                sock.close()
                raise
            return sock
        return socket.create_connection(address, timeout=self._remaining())

    def _remaining(self) -> float:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise ScannerUnavailable(f"clamd at {self._address!r} timed out")
        return remaining

    def __enter__(self) -> ClamdConnection:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._sock.close()

    def send(self, data: bytes | memoryview) -> None:
        """Send everything or raise :class:`ScannerUnavailable`."""
        try:
            self._sock.settimeout(self._remaining())
            self._sock.sendall(data)
        except OSError as exc:
            raise self._failure("send failed", exc) from exc

    def send_instream(self, data: bytes, chunk_size: int) -> None:
        """Send ``zINSTREAM`` with ``data`` in chunks and the terminator."""
        if len(data) <= chunk_size:
            header = struct.pack(">I", len(data)) if data else b""
            self.send(b"zINSTREAM\0" + header + data + _TERMINATOR)
            return
        self.send(b"zINSTREAM\0")
        view = memoryview(data)
        for start in range(0, len(data), chunk_size):
            chunk = view[start : start + chunk_size]
            self.send(struct.pack(">I", len(chunk)))
            self.send(chunk)
        self.send(_TERMINATOR)

    def read_reply(self) -> ClamdReply:
        """Read one NUL-terminated reply."""
        return parse_reply(self.read_raw())

    def read_raw(self) -> bytes:
        """Read bytes up to the next NUL (the ``z`` command terminator)."""
        while b"\0" not in self._buffer:
            try:
                self._sock.settimeout(self._remaining())
                data = self._sock.recv(4096)
            except OSError as exc:
                raise self._failure("no reply", exc) from exc
            if not data:
                raise ScannerUnavailable(f"clamd at {self._address!r} closed the connection")
            self._buffer += data
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return raw

    def _failure(self, what: str, exc: OSError) -> ScannerUnavailable:
        if isinstance(exc, TimeoutError):
            return ScannerUnavailable(f"clamd at {self._address!r} timed out ({what})")
        return ScannerUnavailable(f"clamd at {self._address!r}: {what}: {exc}")

    def try_read_error(self) -> str | None:
        """After a failed send, return clamd's parting error message if any."""
        try:
            reply = self.read_reply()
        except ScannerUnavailable:
            return None
        return reply.text if reply.status == "ERROR" else None
