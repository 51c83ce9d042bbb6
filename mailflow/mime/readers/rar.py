"""RAR archives through rarfile.

rarfile reads the headers itself and stored (uncompressed) members
directly; compressed members need an external backend (unrar, unar,
7z or bsdtar; Debian's ``libarchive-tools`` provides bsdtar). Without
one, compressed members are listed and an ``unscannable`` fact says why.
rarfile hands the backend a temporary copy of the compressed member,
never extracted files. See ``docs/mime.md``.
"""

from __future__ import annotations

import io
import threading

import rarfile

from mailflow.mime.extraction import Extraction

_setup_lock = threading.Lock()
_backend: bool | None = None


def backend_available() -> bool:
    """Whether some tool to decompress RAR data is installed."""
    global _backend
    with _setup_lock:
        if _backend is None:
            try:
                rarfile.tool_setup()
                _backend = True
            except rarfile.RarCannotExec:
                _backend = False
    return _backend


def read_rar(ex: Extraction, data: bytes, name: str) -> None:
    """List and read every file of a RAR archive into ``ex``."""
    try:
        archive = rarfile.RarFile(io.BytesIO(data))
    except rarfile.PasswordRequired:
        ex.fact("encrypted", "RAR archive with encrypted headers (names hidden)")
        return
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            ex.admit()
            _read_member(ex, archive, info)


def _read_member(ex: Extraction, archive: rarfile.RarFile, info: rarfile.RarInfo) -> None:
    stored = info.compress_type == rarfile.RAR_M0
    ex.take(info.filename, size=info.file_size, compressed=info.compress_size, kind="RAR",
            open_member=lambda: archive.open(info), encrypted=info.needs_password(),
            cannot_read="" if stored or backend_available() else "no RAR decompression backend installed",
            errors=(rarfile.Error, OSError, EOFError, ValueError))
