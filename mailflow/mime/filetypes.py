"""True file types: libmagic plus a few content sniffers the magic database lacks.

One libmagic handle per process, guarded by a lock (libmagic handles are
not thread-safe). Body text that plainly is text skips libmagic, which is
slow on text. Tables and rules: ``docs/mime.md``.
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
from dataclasses import dataclass

import magic

from mailflow.mime.families import family_for
from mailflow.mime.types import Family

HEAD_BYTES = 8192
TEXT_HEAD_BYTES = 1024

# Signatures that make "text" body data worth a libmagic look.
_BINARY_SIGNATURES = (b"MZ", b"\x7fELF", b"%PDF", b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"Rar!")

_OLE_NAMES = {
    "encrypted": ("EncryptedPackage".encode("utf-16-le"),),
    "office": tuple(name.encode("utf-16-le") for name in ("WordDocument", "Workbook", "PowerPoint Document")),
}
_OLE_VBA = "_VBA_PROJECT".encode("utf-16-le")

# (true type, description, indicator patterns, hits needed) for text that
# libmagic calls plain text.
_SCRIPT_SNIFFERS: tuple[tuple[str, str, tuple[re.Pattern[bytes], ...], int], ...] = (
    (
        "application/x-powershell",
        "PowerShell script (content sniff)",
        tuple(
            re.compile(p, re.I)
            for p in (
                rb"\bNew-Object\b",
                rb"\bInvoke-(Expression|WebRequest|RestMethod)\b",
                rb"\bIEX\b",
                rb"-(enc|EncodedCommand)\s",
                rb"\bSet-ExecutionPolicy\b",
                rb"\bStart-Process\b",
                rb"\[System\.[\w.]+\]",
                rb"^\s*\$\w+\s*=",
            )
        ),
        2,
    ),
    (
        "text/vbscript",
        "VBScript source (content sniff)",
        tuple(
            re.compile(p, re.I | re.M)
            for p in (
                rb"^\s*dim\s+\w+",
                rb"\bCreateObject\s*\(",
                rb"^\s*set\s+\w+\s*=",
                rb"^\s*end\s+(sub|function|if)\b",
                rb"^\s*(private\s+|public\s+)?sub\s+\w+",
                rb"\bWScript\.\w+",
            )
        ),
        2,
    ),
    (
        "application/javascript",
        "JavaScript source (content sniff)",
        tuple(
            re.compile(p, re.M)
            for p in (
                rb"\b(var|let|const)\s+[\w$]+\s*=",
                rb"\bfunction\s*[\w$]*\s*\([^)]*\)\s*\{",
                rb"\bnew\s+ActiveXObject\s*\(",
                rb"\bWScript\.\w+",
                rb"\beval\s*\(",
                rb"\b(document|window)\.[\w$]+",
                rb";\s*$",
            )
        ),
        2,
    ),
)
_HTA = re.compile(rb"<HTA:APPLICATION", re.I)

# Text that libmagic's pattern tests could call something other than plain
# text: markup, shebangs, RTF, PostScript/PDF, armour, batch files, DXF,
# mail headers. Text without any of these takes the quick path.
_TEXT_MARKERS = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:[<#%@{]|-----BEGIN|0\r?\n|[\w-]+:[ \t])|<(?:html|script|body|svg|\?xml|!doctype)",
    re.I,
)


@dataclass(slots=True, frozen=True)
class TrueType:
    """What the content really is."""

    mime: str
    description: str
    family: Family
    has_macros: bool = False


class _Magic:
    """Lazily opened, lock-guarded libmagic handles.

    The "quick" pair skips the magic database's soft (pattern) tests,
    which cost about a millisecond on every text buffer; it is used for
    text that carries none of the markers those tests look for.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handles: dict[bool, tuple[magic.Magic, magic.Magic]] = {}

    def _open(self, quick: bool) -> tuple[magic.Magic, magic.Magic]:
        handles = self._handles.get(quick)
        if handles is None:
            handles = (magic.Magic(mime=True), magic.Magic())
            if quick:
                magic.magic_setflags(handles[0].cookie, magic.MAGIC_MIME_TYPE | magic.MAGIC_NO_CHECK_SOFT)
                magic.magic_setflags(handles[1].cookie, magic.MAGIC_NO_CHECK_SOFT)
            self._handles[quick] = handles
        return handles

    def identify(self, head: bytes, quick: bool = False) -> tuple[str, str]:
        with self._lock:
            mime_handle, desc_handle = self._open(quick)
            try:
                return mime_handle.from_buffer(head), desc_handle.from_buffer(head)
            except magic.MagicException as exc:
                return "application/octet-stream", f"unidentified ({exc})"


_MAGIC = _Magic()


def looks_textual(head: bytes) -> bool:
    """True for data with no NUL byte and no well-known binary signature."""
    return b"\x00" not in head and not head.startswith(_BINARY_SIGNATURES)


def detect(data: bytes, body_type: str = "") -> TrueType:
    """The true type of ``data``.

    ``body_type`` is the declared type of a message body part; when the data
    plainly is text it is trusted and libmagic is skipped.
    """
    if not data:
        return TrueType("application/x-empty", "empty", "other")
    head = data[:HEAD_BYTES]
    textual = looks_textual(head)
    if body_type and textual:
        return TrueType(body_type, "message body text", family_for(body_type))
    if textual:
        mime, desc = _MAGIC.identify(head[:TEXT_HEAD_BYTES], quick=not _TEXT_MARKERS.search(head))
    else:
        mime, desc = _MAGIC.identify(head)
    if mime in ("text/plain", "text/html"):
        mime, desc = _sniff_script(head, mime, desc)
    family = family_for(mime, desc)
    return _refine_containers(data, TrueType(mime, desc, family))


def _sniff_script(head: bytes, mime: str, desc: str) -> tuple[str, str]:
    if _HTA.search(head):
        return "application/hta", "HTML Application (content sniff)"
    if mime != "text/plain":
        return mime, desc
    for true_type, label, patterns, needed in _SCRIPT_SNIFFERS:
        if sum(1 for pattern in patterns if pattern.search(head)) >= needed:
            return true_type, label
    return mime, desc


def _refine_containers(data: bytes, found: TrueType) -> TrueType:
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _refine_ole(data, found)
    if data.startswith(b"PK\x03\x04") and found.family in ("office", "archive"):
        return _refine_zip_office(data, found)
    return found


def _refine_ole(data: bytes, found: TrueType) -> TrueType:
    family = found.family
    if any(name in data for name in _OLE_NAMES["encrypted"]):
        family = "encrypted"
    elif family == "other" and any(name in data for name in _OLE_NAMES["office"]):
        family = "office"
    return TrueType(found.mime, found.description, family, _OLE_VBA in data)


def _refine_zip_office(data: bytes, found: TrueType) -> TrueType:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [name.lower() for name in archive.namelist()]
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return found
    family = found.family
    if family == "archive" and ("[content_types].xml" in names or "mimetype" in names):
        family = "office"
    if family != "office":
        return found
    macros = any(n.endswith("vbaproject.bin") or n.startswith("basic/") for n in names)
    return TrueType(found.mime, found.description, family, macros)
