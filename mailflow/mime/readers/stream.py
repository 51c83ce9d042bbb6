"""Single-stream compressors: gzip, bzip2 and xz.

Decompression is incremental with a bounded output per step, and the
ratio is judged against the compressed bytes consumed so far, so a 10 GB
run of zeros is called a bomb after roughly ``ratio_min_bytes`` of output.
See ``docs/mime.md``.
"""

from __future__ import annotations

import bz2
import lzma
import struct
import zlib
from collections.abc import Callable
from typing import Protocol

from mailflow.mime.extraction import CHUNK, Extraction, Member


class _Decompressor(Protocol):
    eof: bool
    unused_data: bytes
    needs_input: bool

    def decompress(self, data: bytes, max_length: int = -1) -> bytes: ...


class _Gunzip:
    """zlib's gzip decoder with the ``needs_input`` shape of bz2 and lzma."""

    def __init__(self) -> None:
        self._inner = zlib.decompressobj(wbits=31)
        self.needs_input = True

    @property
    def eof(self) -> bool:
        return self._inner.eof

    @property
    def unused_data(self) -> bytes:
        return self._inner.unused_data

    def decompress(self, data: bytes, max_length: int = -1) -> bytes:
        inner = self._inner
        out = inner.decompress(inner.unconsumed_tail + data, max(max_length, 0))
        self.needs_input = not inner.unconsumed_tail and not inner.eof
        return out


def inflate(ex: Extraction, name: str, data: bytes, factory: Callable[[], _Decompressor]) -> bytes:
    """Decompress a (possibly multi-stream) payload within the limits.

    Corruption after some output keeps that output and records a fact, so
    the readable start of a damaged file is still scanned.
    """
    out = bytearray()
    try:
        return _inflate_into(out, ex, name, data, factory)
    except (OSError, EOFError, ValueError, zlib.error, lzma.LZMAError) as exc:
        if not out:
            raise
        ex.fact("unscannable", f"corrupt compressed stream after {len(out)} bytes: {exc}", name)
        return bytes(out)


def _inflate_into(
    out: bytearray, ex: Extraction, name: str, data: bytes, factory: Callable[[], _Decompressor]
) -> bytes:
    cap = ex.room()
    pos = 0
    decomp = factory()
    while True:
        chunk = b""
        if decomp.needs_input:
            chunk = data[pos : pos + CHUNK]
            pos += len(chunk)
            if not chunk:
                ex.fact("unscannable", "truncated compressed stream", name)
                return bytes(out)
        out += decomp.decompress(chunk, max_length=CHUNK)
        ex.check_ratio(name, len(out), max(pos - len(decomp.unused_data), 1))
        if len(out) > cap:
            ex.too_large(name, len(out))
            return bytes(out[:cap])
        if decomp.eof:
            rest = decomp.unused_data + data[pos:]
            if not rest.strip(b"\x00"):
                return bytes(out)
            data, pos, decomp = rest, 0, factory()


def _gzip_name(data: bytes) -> str:
    """The original file name stored in a gzip header (FNAME), if any."""
    if len(data) < 10 or not data[3] & 0x08:
        return ""
    start = 10
    if data[3] & 0x04:
        (extra,) = struct.unpack_from("<H", data, 10)
        start += 2 + extra
    end = data.find(b"\x00", start)
    raw = data[start:end] if end > start else b""
    return raw.decode("latin-1").replace("\\", "/").rsplit("/", 1)[-1]


_SUFFIXES = {".tgz": ".tar", ".tbz": ".tar", ".tbz2": ".tar", ".txz": ".tar"}


def inner_name(container_name: str, suffixes: tuple[str, ...]) -> str:
    """The usual name of a compressed file's content ("a.tar.gz" -> "a.tar")."""
    base = container_name.rsplit("/", 1)[-1]
    lower = base.lower()
    for suffix, replacement in _SUFFIXES.items():
        if lower.endswith(suffix):
            return base[: -len(suffix)] + replacement
    for suffix in suffixes:
        if lower.endswith(suffix) and len(base) > len(suffix):
            return base[: -len(suffix)]
    return base + ".out" if base else "content"


Reader = Callable[[Extraction, bytes, str], None]


def _reader(factory: Callable[[], _Decompressor], suffixes: tuple[str, ...], gz: bool = False) -> Reader:
    def read(ex: Extraction, data: bytes, name: str) -> None:
        inner = (_gzip_name(data) if gz else "") or inner_name(name, suffixes)
        ex.admit()
        ex.add(Member(inner, inflate(ex, inner, data, factory)))

    return read


read_gzip = _reader(_Gunzip, (".gz", ".gzip", ".z"), gz=True)
read_bzip2 = _reader(bz2.BZ2Decompressor, (".bz2", ".bz"))
read_xz = _reader(lzma.LZMADecompressor, (".xz", ".lzma"))
