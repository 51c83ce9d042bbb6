"""Tar archives (plain; compressed tars arrive here via the stream readers).

Only regular files are members; links, devices and directories carry no
content of their own. See ``docs/mime.md``.
"""

from __future__ import annotations

import io
import tarfile

from mailflow.mime.extraction import Extraction, Member


def read_tar(ex: Extraction, data: bytes, name: str) -> None:
    """List and read every regular file of a tar archive into ``ex``."""
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        while (info := archive.next()) is not None:
            if not info.isfile():
                continue
            ex.admit()
            _read_member(ex, archive, info)


def _read_member(ex: Extraction, archive: tarfile.TarFile, info: tarfile.TarInfo) -> None:
    if ex.too_large(info.name, info.size):
        ex.add(Member(info.name, b"", note="too_large"))
        return
    stream = archive.extractfile(info)
    body = ex.read(stream, info.name, max(info.size, 1)) if stream else b""
    ex.add(Member(info.name, body))
