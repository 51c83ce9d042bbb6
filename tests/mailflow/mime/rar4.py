"""A minimal RAR 4 writer (stored members only) for unpacking tests."""

from __future__ import annotations

import struct
import zlib

_MARKER = b"Rar!\x1a\x07\x00"
_LONG_BLOCK = 0x8000
_PASSWORD = 0x0004


def _block(kind: int, flags: int, body: bytes) -> bytes:
    header = struct.pack("<BHH", kind, flags, 7 + len(body)) + body
    return struct.pack("<H", zlib.crc32(header) & 0xFFFF) + header


def stored_rar(files: dict[str, bytes], encrypted: bool = False, method: int = 0x30) -> bytes:
    """A RAR 4 archive; members are stored as given, labelled with ``method``."""
    out = _MARKER + _block(0x73, 0, bytes(6))
    flags = _LONG_BLOCK | (_PASSWORD if encrypted else 0)
    for name, data in files.items():
        raw_name = name.encode()
        body = struct.pack(
            "<IIBIIBBHI", len(data), len(data), 2, zlib.crc32(data), 0x21, 20, method, len(raw_name), 0x20
        )
        out += _block(0x74, flags, body + raw_name) + data
    return out + _block(0x7B, 0x4000, b"")
