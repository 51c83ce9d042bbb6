"""Reading the DATA section in blocks instead of line by line (docs/mailflow.md, "Receiver").

aiosmtpd reads DATA one line at a time, each line a ``readuntil`` through
the event loop, with the stream's buffer capped at one line, so the
transport is paused and resumed several times per message; that loop was a
third of the receiver's CPU. ``read_data`` asks the stream for everything
up to the next ``.<CRLF>`` and decides itself whether that dot starts a
line, so a message costs a few reads. The rules are aiosmtpd 1.4.6's:

- only ``<CRLF>.<CRLF>`` (or ``.<CRLF>`` as the very first line) ends the
  data: a dot after a bare LF or CR is message text, never an end (SMTP
  smuggling, CVE-2023-51764 and kin);
- a line is what lies between two CRLFs; one longer than ``line_limit``
  octets (CRLF included) makes the whole message a 500, and more than
  ``size_limit`` octets a 552, both answered only after the end of data,
  and the text read so far is dropped at once rather than kept;
- a dot at the start of a line is removed (RFC 5321 4.5.2).

Whatever follows the end of data stays in the stream for the command loop
(pipelining).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

END = b".\r\n"


@dataclass
class DataResult:
    """The message (dot-unstuffed), or the reply that refuses it."""

    content: bytes = b""
    refusal: str = ""  # "" when the message was read whole


@dataclass
class _State:
    line_limit: int
    size_limit: int | None
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0
    line: int = 0  # octets of the line not yet ended by a CRLF
    tail: bytes = b""  # the last two octets read, to see whether a dot starts a line
    held_cr: bytes = b""  # a CR at the end of a block, whose LF may start the next one
    refusal: str = ""

    def take(self, block: bytes) -> None:
        """Account for ``block`` (message text) and keep it unless the message is refused already."""
        self.size += len(block)
        if self.size_limit and self.size > self.size_limit:
            self._refuse("552 Error: Too much mail data")
        if self._longest_line(block) > self.line_limit:
            self._refuse("500 Line too long (see RFC5321 4.5.3.1.6)")
        if not self.refusal:
            self.chunks.append(block)
        self.tail = block[-2:] if len(block) >= 2 else (self.tail + block)[-2:]

    def _longest_line(self, block: bytes) -> int:
        """The longest line ended in ``block``, or the line still open, CRLF included."""
        text = self.held_cr + block
        self.held_cr = b""
        if text.endswith(b"\r"):  # its LF, if any, is the first octet of the next block
            text, self.held_cr = text[:-1], b"\r"
        lines = text.split(b"\r\n")
        if len(lines) == 1:
            self.line += len(text)
            return self.line
        longest = max(self.line + len(lines[0]), max(map(len, lines[1:-1]), default=0)) + 2
        self.line = len(lines[-1])
        return max(longest, self.line)

    def _refuse(self, reply: str) -> None:
        if not self.refusal:  # the first reason stands, as in aiosmtpd
            self.refusal = reply
        self.chunks = []  # nothing more is kept: the message will not be accepted


def _ends_line(tail: bytes, text: bytes) -> bool:
    """Whether the data read so far (``tail``, then ``text``) ends with a CRLF."""
    return text.endswith(b"\r\n") if len(text) >= 2 else (tail + text).endswith(b"\r\n")


async def read_data(reader: asyncio.StreamReader, *, line_limit: int, size_limit: int | None) -> DataResult:
    """Read one DATA section from ``reader`` (after the 354 reply) up to and including its end."""
    state = _State(line_limit=line_limit, size_limit=size_limit)
    at_start = True
    while True:
        try:
            block = await reader.readuntil(END)
        except asyncio.LimitOverrunError as exc:
            # No ".<CRLF>" within the stream's limit: take what cannot be part of one, read on.
            state.take(await reader.read(exc.consumed))
            at_start = False
            continue
        text = block[:-3]
        if (at_start and not text) or _ends_line(state.tail, text):
            state.take(text)
            break
        state.take(block)
        at_start = False
    if state.refusal:
        return DataResult(refusal=state.refusal)
    content = b"".join(state.chunks)
    if content.startswith(b"."):
        content = content[1:]
    return DataResult(content=content.replace(b"\r\n.", b"\r\n"))
