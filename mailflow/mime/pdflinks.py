"""Links inside PDF files: the ``/URI`` actions of their link annotations (docs/checks.md).

A PDF that is only a button to a phishing page is one of today's commonest
lures, and the link is invisible to anything that reads the message text.
This finds the URIs with a bounded scan rather than a PDF library, so a
hostile file costs bounded time and memory and never raises: the file's own
bytes are scanned, then its Flate-compressed streams (where object streams
keep annotations), each inflated to at most ``MAX_INFLATED`` bytes, at most
``MAX_STREAMS`` of them and ``MAX_TOTAL`` bytes in all.
"""

from __future__ import annotations

import re
import zlib

MAX_URIS = 100
MAX_STREAMS = 200
MAX_INFLATED = 1024 * 1024
MAX_TOTAL = 8 * 1024 * 1024
MAX_COMPRESSED = 4 * 1024 * 1024

_URI = re.compile(rb"/URI\s*(?:\((?P<lit>(?:\\.|[^\\)]){1,2000})\)|<(?P<hex>[0-9A-Fa-f\s]{2,4000})>)")
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    if code[:1].isdigit():
        return bytes([int(code, 8) & 0xFF])
    return _ESCAPES.get(code, code)


def _scan(buffer: bytes, found: list[str]) -> None:
    for match in _URI.finditer(buffer):
        if match.group("lit") is not None:
            raw = _ESCAPE.sub(_unescape, match.group("lit"))
        else:
            digits = re.sub(rb"\s", b"", match.group("hex"))
            raw = bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
        uri = raw.decode("latin-1").strip()
        if uri.lower().startswith(("http://", "https://", "www.")) and uri not in found:
            found.append(uri)
            if len(found) >= MAX_URIS:
                return


def pdf_uris(data: bytes) -> list[str]:
    """The http(s) links of a PDF file, in order, without duplicates; [] for anything else."""
    if b"%PDF" not in data[:1024]:
        return []
    found: list[str] = []
    _scan(data, found)
    streams = inflated = 0
    for match in _STREAM.finditer(data):
        if len(found) >= MAX_URIS or streams >= MAX_STREAMS or inflated >= MAX_TOTAL:
            break
        if b"FlateDecode" not in data[max(0, match.start() - 512) : match.start()]:
            continue
        streams += 1
        try:
            out = zlib.decompressobj().decompress(data[match.end() : match.end() + MAX_COMPRESSED], MAX_INFLATED)
        except zlib.error:
            continue
        inflated += len(out)
        _scan(out, found)
    return found
