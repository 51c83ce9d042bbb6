"""Zip (and jar) archives, read in memory with bounded member reads.

Declared sizes are checked before anything is inflated; inflating then
stops at the member limit or as soon as the ratio test fails. Encrypted
members are listed without content. See ``docs/mime.md``.
"""

from __future__ import annotations

import io
import zipfile

from mailflow.mime.extraction import Extraction, Member

_ENCRYPTED = 0x1


def read_zip(ex: Extraction, data: bytes, name: str) -> None:
    """List and read every file of a zip archive into ``ex``."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            ex.admit()
            _read_member(ex, archive, info)


def _read_member(ex: Extraction, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    name = info.filename
    if info.flag_bits & _ENCRYPTED:
        ex.fact("encrypted", "password-protected zip member", name)
        ex.add(Member(name, b"", encrypted=True))
        return
    ex.check_ratio(name, info.file_size, info.compress_size)
    if ex.too_large(name, info.file_size):
        ex.add(Member(name, b"", note="too_large"))
        return
    try:
        with archive.open(info) as stream:
            body = ex.read(stream, name, info.compress_size)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError) as exc:
        ex.fact("unscannable", f"unreadable zip member: {exc}", name)
        body = b""
    ex.add(Member(name, body))
