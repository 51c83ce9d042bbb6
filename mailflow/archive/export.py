"""Export archived messages as an mbox (mboxrd) or a zip of .eml files (docs/archive.md).

Both are written to a spooled temporary file (in memory up to a few MB,
then on disk), so an export of thousands of messages does not sit in RAM.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Iterable
from typing import IO

from mailflow.models import ArchiveMessage

_FROM_LINE = re.compile(rb"^(>*From )", re.MULTILINE)


def _mbox_entry(row: ArchiveMessage, data: bytes) -> bytes:
    sender = row.mail_from or "MAILER-DAEMON"
    stamp = row.received.strftime("%a %b %d %H:%M:%S %Y")
    body = data.replace(b"\r\n", b"\n")
    body = _FROM_LINE.sub(rb">\1", body)
    if not body.endswith(b"\n"):
        body += b"\n"
    return f"From {sender} {stamp}\n".encode() + body + b"\n"


def write_mbox(items: Iterable[tuple[ArchiveMessage, bytes]]) -> IO[bytes]:
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned to the caller
    for row, data in items:
        out.write(_mbox_entry(row, data))
    out.seek(0)
    return out


def write_zip(items: Iterable[tuple[ArchiveMessage, bytes]]) -> IO[bytes]:
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned to the caller
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for row, data in items:
            zf.writestr(f"{row.received:%Y%m%d-%H%M%S}-{row.spool_id}.eml", data)
    out.seek(0)
    return out
