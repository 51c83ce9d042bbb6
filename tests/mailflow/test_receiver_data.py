"""The DATA reader against aiosmtpd's line-by-line rules (mailflow/smtpd/data.py).

A reference implementation of aiosmtpd 1.4.6's DATA loop reads the same
streams line by line; both must agree on the message, the refusal and what
is left in the stream for the next command, on crafted and random input.
"""

from __future__ import annotations

import asyncio
import random

import pytest

from mailflow.smtpd.data import read_data

NEXT = b"MAIL FROM:<next@example.net>\r\n"


def reference(stream: bytes, line_limit: int, size_limit: int | None) -> tuple[bytes, str, bytes]:
    """aiosmtpd's DATA rules, one CRLF-ended line at a time: (content, refusal, rest of the stream)."""
    pos, lines, size, refusal = 0, [], 0, ""
    while True:
        end = stream.find(b"\r\n", pos)
        line = stream[pos:end + 2]
        pos = end + 2
        if line == b".\r\n":
            break
        size += len(line)
        if size_limit and size > size_limit and not refusal:
            refusal = "552"
        if len(line) > line_limit and not refusal:
            refusal = "500"
        lines.append(line[1:] if line.startswith(b".") else line)
    return (b"" if refusal else b"".join(lines)), refusal, stream[pos:]


async def _read(stream: bytes, line_limit: int, size_limit: int | None, stream_limit: int, feed: int):
    reader = asyncio.StreamReader(limit=stream_limit)
    for i in range(0, len(stream), feed):
        reader.feed_data(stream[i:i + feed])
    reader.feed_eof()
    result = await read_data(reader, line_limit=line_limit, size_limit=size_limit)
    return result, await reader.read()


def check(stream: bytes, *, line_limit: int = 1001, size_limit: int | None = None, stream_limit: int = 65536,
          feed: int = 1 << 20) -> bytes:
    want_content, want_refusal, want_rest = reference(stream, line_limit, size_limit)
    result, rest = asyncio.run(_read(stream, line_limit, size_limit, stream_limit, feed))
    # a message both too large and with a long line may be refused for either reason first
    assert bool(result.refusal) == bool(want_refusal)
    assert result.refusal[:3] in ("", "500", "552")
    assert result.content == want_content
    assert rest == want_rest
    return result.content


CASES = {
    "plain": (b"Subject: a\r\n\r\nbody\r\n.\r\n", b"Subject: a\r\n\r\nbody\r\n"),
    "empty message": (b".\r\n", b""),
    "empty first line": (b"\r\n.\r\n", b"\r\n"),
    "dot-stuffed lines": (b"..\r\n.x\r\nmid.\r\n...\r\n.\r\n", b".\r\nx\r\nmid.\r\n..\r\n"),
    "line ending in a dot": (b"Regards.\r\nsee you.\r\n.\r\n", b"Regards.\r\nsee you.\r\n"),
    "bare LF dot is text": (b"a\n.\nb\r\n.\r\n", b"a\n.\nb\r\n"),
    "bare CR dot is text": (b"a\r.\rb\r\n.\r\n", b"a\r.\rb\r\n"),
    "CRLF dot LF is text": (b"a\r\n.\nb\r\n.\r\n", b"a\r\n\nb\r\n"),
    "LF dot CRLF is text": (b"a\n.\r\nb\r\n.\r\n", b"a\n.\r\nb\r\n"),
}


@pytest.mark.parametrize(("stream", "content"), CASES.values(), ids=CASES.keys())
def test_crafted_messages(stream, content):
    assert check(stream + NEXT) == content


@pytest.mark.parametrize("feed", [1, 2, 3, 7, 1000])
def test_any_packet_boundaries(feed):
    stream = b"Subject: x\r\n\r\n..dot\r\nline.\r\n\r\n.\r\n" + NEXT
    assert check(stream, feed=feed) == b"Subject: x\r\n\r\n.dot\r\nline.\r\n\r\n"


def refusal(stream: bytes, **limits) -> str:
    result, _rest = asyncio.run(_read(stream, limits.get("line_limit", 1001), limits.get("size_limit"), 65536,
                                      1 << 20))
    return result.refusal


def test_long_line_is_refused_after_the_end_of_data():
    stream = b"a" * 1000 + b"\r\nok\r\n.\r\n" + NEXT  # 1002 octets with its CRLF
    assert check(stream) == b""
    assert refusal(stream).startswith("500 ")


def test_line_at_the_limit_is_kept():
    assert check(b"a" * 999 + b"\r\n.\r\n" + NEXT, line_limit=1001) == b"a" * 999 + b"\r\n"


def test_size_limit_refuses_with_552():
    stream = b"0123456789\r\n" * 10 + b".\r\n" + NEXT
    check(stream, size_limit=100)
    assert refusal(stream, size_limit=100).startswith("552 ")
    assert refusal(stream, size_limit=120) == ""


def test_blocks_longer_than_the_stream_limit():
    body = b"".join(b"line %d of a longer message\r\n" % i for i in range(5000))
    assert check(body + b".\r\n" + NEXT, stream_limit=1001, feed=4096) == body


def test_cr_lf_split_across_reads_is_one_line_end():
    # with a tiny stream limit the reads cut between CR and LF; the lines are still short
    body = b"".join(b"%03d\r\n" % i for i in range(300))
    check(body + b".\r\n" + NEXT, line_limit=6, stream_limit=5, feed=3)


def test_random_streams_agree_with_line_by_line_reading():
    rng = random.Random(1729)
    pieces = [b"\r\n", b"\n", b"\r", b".", b"..", b".\r\n", b"\r\n.", b"x", b"word ", b"y" * 40, b"z" * 300]
    for _ in range(3000):
        body = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        stream = body + rng.choice([b"\r\n.\r\n", b"\r\n.\r\n"]) + NEXT
        if rng.random() < 0.1:
            stream = b".\r\n" + NEXT
        check(stream, line_limit=rng.choice([50, 200, 1001]), size_limit=rng.choice([None, 100, 1000]),
              stream_limit=rng.choice([8, 64, 1001, 65536]), feed=rng.choice([1, 5, 64, 1 << 20]))
