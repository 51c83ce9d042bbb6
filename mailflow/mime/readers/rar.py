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

from mailflow.mime.extraction import Extraction, Member

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
    name = info.filename
    if info.needs_password():
        ex.fact("encrypted", "password-protected RAR member", name)
        ex.add(Member(name, b"", encrypted=True))
        return
    ex.check_ratio(name, info.file_size, info.compress_size)
    if ex.too_large(name, info.file_size):
        ex.add(Member(name, b"", note="too_large"))
        return
    stored = info.compress_type == rarfile.RAR_M0
    if not stored and not backend_available():
        ex.fact("unscannable", "no RAR decompression backend installed", name)
        ex.add(Member(name, b""))
        return
    try:
        with archive.open(info) as stream:
            body = ex.read(stream, name, info.compress_size)
    except (rarfile.Error, OSError, EOFError, ValueError) as exc:
        ex.fact("unscannable", f"unreadable RAR member: {exc}", name)
        body = b""
    ex.add(Member(name, body))
