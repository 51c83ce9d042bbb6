"""Zip (and jar) archives, read in memory with bounded member reads.

Declared sizes are checked before anything is inflated; inflating then
stops at the member limit or as soon as the ratio test fails. Encrypted
members are listed without content. See ``docs/mime.md``.
"""

from __future__ import annotations

import io
import zipfile

from mailflow.mime.extraction import Extraction

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
    ex.take(info.filename, size=info.file_size, compressed=info.compress_size, kind="zip",
            open_member=lambda: archive.open(info), encrypted=bool(info.flag_bits & _ENCRYPTED),
            errors=(zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError))
