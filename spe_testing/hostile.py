"""Hostile mail for tests and benchmarks: grown shapes and mutated messages.

Two generators, both deterministic for a given seed (see docs/testing.md,
"Hostile input"):

- ``shaped(field, unit, size)``: a message with one long run of ``unit`` in
  one place (a folded header, a MIME parameter, a link's host, the body...).
  Timing the threat stage on a shape at two sizes shows whether its cost
  grows with the size or with its square: ``bench/hostile_bench.py``.
- ``Mutator(seed).message(seeds)``: a real message with a few random
  mutations (bytes flipped, cut, repeated or inserted; line ends swapped;
  charsets, boundaries and transfer encodings broken), or one of the
  hand-written hostile structures (deep nesting, thousands of parts or
  links, broken archives, undecodable headers, binary garbage).

Every header a shape writes is folded into lines of at most 998 octets, as
the receiver requires (RFC 5321), so each could arrive over SMTP.
"""

from __future__ import annotations

import base64
import gzip
import io
import random
import tarfile
import zipfile
from collections.abc import Callable, Sequence

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

FIELDS = (
    "subject", "from-name", "from-address", "reply-to", "to", "message-id", "content-type", "filename",
    "text", "html", "html-attribute", "link-path", "link-host",
)
UNITS = (
    b"a", "\u00e9".encode(), b"1", b"a.", b"a-", b"a@", b"@a.", b"/a", b"%41", b"a ", b" ", b"<", b"(", b'"',
    b"&#", b"&#x41;", b"=", b":", b";", b"www.", b"A", b"xn--", "\u200b".encode(), "\u4e2d".encode(), b"1.",
    b"+1 ", b"[.]", b"http://", b"\\", b"*", b"\xd3\xcb", b"<a ", b"<!--x>",
)
_TEXT_FIELDS = ("text", "html", "html-attribute", "link-path")


def fold(name: bytes, value: bytes, width: int = 900) -> bytes:
    """``name: value`` folded into lines of at most ``width`` octets, ending in CRLF."""
    lines = [value[i:i + width] for i in range(0, len(value), width)] or [b""]
    return name + b": " + b"\r\n ".join(lines) + b"\r\n"


def shaped(field: str, unit: bytes, size: int) -> bytes:
    """A message holding ``unit`` repeated to ``size`` octets in ``field`` (one of ``FIELDS``)."""
    run = unit * max(1, size // len(unit)) + b"!"
    head = b"From: Alice <alice@sender.test>\r\nTo: bob@acme.test\r\nSubject: hello\r\n"
    plain = b"Content-Type: text/plain; charset=utf-8\r\n\r\nhello\r\n"
    if field == "subject":
        return fold(b"Subject", run) + b"From: alice@sender.test\r\n" + plain
    if field == "from-name":
        return fold(b"From", b'"' + run + b'" <alice@sender.test>') + b"Subject: hello\r\n" + plain
    if field == "from-address":
        return fold(b"From", run) + b"Subject: hello\r\n" + plain
    if field in ("reply-to", "to", "message-id"):
        value = b"<" + run + b">" if field == "message-id" else run
        return head + fold(field.title().encode(), value) + plain
    if field == "content-type":
        return head + fold(b"Content-Type", b'multipart/mixed; boundary="' + run + b'"') + b"\r\n--b\r\n\r\nx\r\n"
    if field == "filename":
        return head + b"Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n" + fold(
            b"Content-Type", b'application/octet-stream; name="' + run + b'"'
        ) + fold(b"Content-Disposition", b'attachment; filename="' + run + b'"') + b"\r\nxx\r\n--b--\r\n"
    if field == "link-host":
        return head + b"Content-Type: text/html\r\n\r\n<a href=\"http://" + run + b'">open</a>\r\n'
    if field not in _TEXT_FIELDS:
        raise ValueError(f"unknown field {field!r}")
    body = {
        "text": run,
        "html": b"<p>" + run + b"</p>",
        "html-attribute": b'<p style="' + run + b'" title="' + run + b'">x</p>',
        "link-path": b'<a href="http://files.example.net/' + run + b'">' + run[:3000] + b"</a>",
    }[field]
    kind = b"plain" if field == "text" else b"html"
    # Body lines are cut at 998 octets too, as a mail program would have to.
    lines = b"\r\n".join(body[i:i + 998] for i in range(0, len(body), 998))
    return head + b"Content-Type: text/" + kind + b"; charset=utf-8\r\n\r\n" + lines + b"\r\n"


def zip_of(members: Sequence[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def tar_gz_of(members: Sequence[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def with_attachment(name: bytes, content_type: bytes, data: bytes) -> bytes:
    return (
        b"From: alice@sender.test\r\nTo: bob@acme.test\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="sep"\r\n\r\n--sep\r\nContent-Type: text/plain\r\n\r\n'
        b"See attached.\r\n--sep\r\nContent-Type: " + content_type + b'; name="' + name + b'"\r\n'
        b'Content-Disposition: attachment; filename="' + name + b'"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        + base64.encodebytes(data) + b"\r\n--sep--\r\n"
    )


_SPLICES = (
    b"\r\n\r\n", b"\n--", b"=?utf-8?B?", b"<", b"</", b"%", b"&#", b"\0", b"\xff\xfe", b"=\r\n", b"http://",
    b"charset=", b"boundary=", b"multipart/", b"base64", b'<a href="', b"\x1b$B", b";", b'"',
)
_CHARSETS = (
    b"utf-99", b"utf-7", b"cp65001", b"iso-2022-jp", b"x-\xff", b"", b'"', b"utf-16", b"utf-32", b"idna", b"rot13",
    b"base64", b"zlib", b"uu", b"punycode", b"unicode_escape", b"hex",
)


class Mutator:
    """Mutated and hand-written hostile messages from one seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def noise(self, n: int) -> bytes:
        return self.rng.randbytes(n)

    def message(self, seeds: Sequence[bytes]) -> bytes:
        """A mutated copy of one of ``seeds`` (seven times in ten), else a hand-written hostile message."""
        if not seeds or self.rng.random() < 0.3:
            return self.rng.choice(self._structures())()
        return self.mutate(self.rng.choice(seeds))

    def mutate(self, raw: bytes) -> bytes:
        rng, data = self.rng, bytearray(raw or b"x")
        for _ in range(rng.randrange(1, 6)):
            at = rng.randrange(len(data)) if data else 0
            op = rng.randrange(10)
            if op == 0 and data:
                data[at] = rng.randrange(256)
            elif op == 1:
                data[at:at] = self.noise(rng.randrange(1, 50))
            elif op == 2:
                del data[at:at + rng.randrange(1, 500)]
            elif op == 3 and data:
                start = rng.randrange(len(data))
                data[at:at] = data[start:start + rng.randrange(1, 2000)]
            elif op == 4:
                del data[at:]
            elif op == 5:
                data[at:at] = rng.choice(_SPLICES)
            elif op == 6:
                data = bytearray(data.replace(b"\n", b"\r\n") if rng.random() < 0.5 else data.replace(b"\r\n", b"\n"))
            elif op == 7:
                data = bytearray(data.replace(b"charset=", b"charset=x-bogus-", 1))
                data = bytearray(data.replace(b"boundary=", b"boundary=zz", 1))
            elif op == 8:
                data[at:at] = bytes([rng.randrange(256)]) * rng.randrange(1, 100_000)
            else:
                data = bytearray(data.replace(b"Content-Transfer-Encoding: 7bit", b"Content-Transfer-Encoding: base64"))
        return bytes(data)

    def _structures(self) -> list[Callable[[], bytes]]:
        rng = self.rng
        head = b"From: x@sender.test\r\nTo: bob@acme.test\r\n"
        return [
            lambda: head + b"Content-Type: multipart/mixed; boundary=a\r\n\r\n"
            + b"--a\r\nContent-Type: multipart/mixed; boundary=a\r\n\r\n" * rng.randrange(10, 3000),
            lambda: head + b"Content-Type: text/html\r\n\r\n" + b"<div>" * rng.randrange(1000, 200_000) + b"x",
            lambda: head + b"Content-Type: text/html\r\n\r\n" + b"".join(
                b'<a href="http://h%d.example.net/%d">l</a>\r\n' % (rng.randrange(10**6), i)
                for i in range(rng.randrange(100, 20_000))
            ),
            lambda: head + b"Subject: =?utf-8?B?" + base64.b64encode(self.noise(50))
            + b"?= =?x-bogus?Q?=ZZ=?=\r\n\r\nbody",
            lambda: head + b'Content-Type: text/plain; charset="' + rng.choice(_CHARSETS) + b'"\r\n'
            + b"Content-Transfer-Encoding: " + rng.choice([b"base64", b"quoted-printable", b"x-uuencode", b"bogus"])
            + b"\r\n\r\n" + self.noise(rng.randrange(1, 3000)),
            lambda: head + b"Content-Type: message/rfc822\r\n\r\n" * rng.randrange(5, 2000) + b"body",
            lambda: self.noise(rng.randrange(0, 20_000)),
            lambda: b"".join(b"X-H%d: %s\r\n" % (i, b"v" * rng.randrange(0, 900))
                             for i in range(rng.randrange(1, 5000))) + b"\r\nb",
            lambda: head + b"Content-Type: text/plain\r\n\r\nhttps://[::1/ http://xn--zz--.test/ http://%zz%zz/ "
            b"http://1.2.3.4.5/ http://0x7f.1/ http://999999999999/ hxxp://x[.]test " + b"http://a." * 2000,
            lambda: head + fold(b"From", b'"' + b"\\" * 5000 + b'" <' + b"@" * 300 + b">") + b"Reply-To: <<<>>>\r\n"
            + b"Date: " + self.noise(40).replace(b"\n", b" ") + b"\r\n\r\nx",
            lambda: head + b"Content-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\nDESCRIPTION:"
            + b"http://x.example.net/ " * rng.randrange(1, 5000),
            lambda: head + b"Content-Type: image/svg+xml\r\nContent-Disposition: attachment; "
            b"filename*=UTF-8''%FF%FE%00.svg\r\n\r\n<svg><script>location='http://x.test'</script>"
            + b"<g>" * rng.randrange(1, 50_000),
            lambda: with_attachment(b"a.pdf", b"application/pdf",
                                    b"%PDF-1.4\n" + self.noise(rng.randrange(10, 50_000)) + b"/URI (http://x.test)"),
            self._archive,
        ]

    def _archive(self) -> bytes:
        rng = self.rng
        inner = rng.choice([EICAR, b"hello", self.noise(rng.randrange(1, 5000)), b"MZ" + self.noise(300)])
        kind = rng.randrange(6)
        if kind == 0:
            data = zip_of([("in.zip", zip_of([("x.exe", inner)]))])
        elif kind == 1:
            data = tar_gz_of([("t.js", inner)])
        elif kind == 2:
            broken = bytearray(zip_of([("a.doc", inner * 50)]))
            for _ in range(rng.randrange(1, 20)):
                broken[rng.randrange(len(broken))] = rng.randrange(256)
            data = bytes(broken)
        elif kind == 3:
            data = gzip.compress(b"\0" * rng.randrange(1, 20_000_000))
        elif kind == 4:
            data = inner
            for _ in range(rng.randrange(1, 30)):
                data = zip_of([("n.zip", data)])
        else:
            data = zip_of([("a.txt", inner)])[: rng.randrange(1, 200)]
        name = rng.choice([b"a.zip", b"a.tar.gz", b"x.gz", b"doc.7z", b"inv.pdf.exe", b"n\xe9.zip"])
        return with_attachment(name, rng.choice([b"application/zip", b"application/octet-stream", b"text/plain"]), data)
