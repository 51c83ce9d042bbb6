"""7z archives through py7zr, in memory.

Sizes are declared in the 7z header, so the limits and the ratio are
judged before anything is decoded; the writer given to py7zr also refuses
to grow past the member limit. See ``docs/mime.md``.
"""

from __future__ import annotations

import io

import py7zr
import py7zr.exceptions
from py7zr.io import Py7zIO, WriterFactory

from mailflow.mime.extraction import Extraction, Member


class _Overflow(Exception):
    """A member wrote more than it was allowed to."""


class _BoundedWriter(Py7zIO):
    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._buffer = io.BytesIO()

    def write(self, s: bytes | bytearray) -> int:
        if self._buffer.getbuffer().nbytes + len(s) > self._limit:
            raise _Overflow
        return self._buffer.write(s)

    def read(self, size: int | None = None) -> bytes:
        return self._buffer.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._buffer.seek(offset, whence)

    def flush(self) -> None:
        return None

    def size(self) -> int:
        return self._buffer.getbuffer().nbytes

    def value(self) -> bytes:
        return self._buffer.getvalue()


class _Factory(WriterFactory):
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.products: dict[str, _BoundedWriter] = {}

    def create(self, filename: str) -> Py7zIO:
        writer = _BoundedWriter(self.limit)
        self.products[filename] = writer
        return writer


def read_7z(ex: Extraction, data: bytes, name: str) -> None:
    """List and read every file of a 7z archive into ``ex``."""
    try:
        archive = py7zr.SevenZipFile(io.BytesIO(data))
    except py7zr.exceptions.PasswordRequired:
        ex.fact("encrypted", "7z archive with encrypted headers (names hidden)")
        return
    with archive:
        files = [info for info in archive.list() if not info.is_directory]
        if archive.needs_password():
            _list_encrypted(ex, [info.filename for info in files])
            return
        for info in files:
            ex.admit()
            ex.check_ratio(info.filename, info.uncompressed, info.compressed or len(data))
        ex.check_ratio("", sum(info.uncompressed for info in files), len(data))
        wanted = _within_budget(ex, files)
        factory = _Factory(ex.room())
        if wanted:
            archive.extract(targets=wanted, factory=factory)
    for info in files:
        writer = factory.products.get(info.filename)
        ex.add(Member(info.filename, writer.value() if writer else b""))


def _within_budget(ex: Extraction, files: list[py7zr.FileInfo]) -> list[str]:
    """Names to decode: each under the member limit, together under the budget."""
    wanted: list[str] = []
    total = 0
    for info in files:
        if ex.too_large(info.filename, info.uncompressed):
            continue
        if total + info.uncompressed > ex.budget.remaining:
            ex.fact("too_large", "expansion budget exhausted", info.filename)
            continue
        total += info.uncompressed
        wanted.append(info.filename)
    return wanted


def _list_encrypted(ex: Extraction, names: list[str]) -> None:
    for member in names:
        ex.admit()
        ex.fact("encrypted", "password-protected 7z member", member)
        ex.add(Member(member, b"", encrypted=True))
