"""Tables that turn a true type into a file family, and a name into one.

Pure data plus two lookups; ``docs/mime.md`` lists the same tables for
policy authors. Order of precedence in :func:`family_for`: description
overrides, exact MIME type, MIME prefix, description patterns, "other".
"""

from __future__ import annotations

import re

from mailflow.mime.types import Family

# libmagic descriptions that must win over the MIME type (an encrypted
# Office file is reported as a generic OLE/CDF container, an MSI too).
DESCRIPTION_OVERRIDES: tuple[tuple[re.Pattern[str], Family], ...] = (
    (re.compile(r"CDFV2 Encrypted|encrypted", re.I), "encrypted"),
    (re.compile(r"MSI Installer", re.I), "executable"),
)

_MIME_GROUPS: dict[Family, tuple[str, ...]] = {
    "executable": (
        "application/vnd.microsoft.portable-executable",
        "application/x-dosexec",
        "application/x-msdownload",
        "application/x-executable",
        "application/x-sharedlib",
        "application/x-pie-executable",
        "application/x-mach-binary",
        "application/x-msi",
        "application/x-ms-installer",
        "application/x-ms-shortcut",
        "text/x-msdos-batch",
    ),
    "archive": (
        "application/zip",
        "application/x-zip-compressed",
        "application/x-tar",
        "application/gzip",
        "application/x-gzip",
        "application/x-bzip2",
        "application/x-xz",
        "application/x-lzma",
        "application/zstd",
        "application/x-compress",
        "application/x-7z-compressed",
        "application/x-rar",
        "application/vnd.rar",
        "application/x-rar-compressed",
        "application/vnd.ms-cab-compressed",
        "application/x-iso9660-image",
        "application/x-lzh-compressed",
        "application/x-arj",
        "application/x-cpio",
        "application/x-archive",
        "application/java-archive",
    ),
    "office": (
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.ms-outlook",
        "application/vnd.visio",
        "application/rtf",
        "text/rtf",
        "application/x-ole-storage",
        "application/cdfv2",
    ),
    "pdf": ("application/pdf",),
    "cad": ("image/vnd.dwg", "image/vnd.dxf", "application/acad", "application/dxf"),
    "database": (
        "application/vnd.sqlite3",
        "application/x-sqlite3",
        "application/x-msaccess",
        "application/x-dbf",
    ),
    "script": (
        "text/x-shellscript",
        "application/javascript",
        "text/javascript",
        "text/vbscript",
        "application/x-powershell",
        "application/hta",
        "text/x-python",
        "text/x-perl",
        "text/x-php",
        "text/x-ruby",
    ),
    "encrypted": (
        "application/pgp-encrypted",
        "application/pkcs7-mime",
        "application/x-pkcs7-mime",
        "application/encrypted",
    ),
    "text": ("text/plain", "text/csv", "message/rfc822", "text/xml", "application/json"),
    "html": ("text/html", "application/xhtml+xml"),
}

FAMILY_BY_MIME: dict[str, Family] = {mime: family for family, mimes in _MIME_GROUPS.items() for mime in mimes}

FAMILY_BY_PREFIX: tuple[tuple[str, Family], ...] = (
    ("application/vnd.openxmlformats-officedocument.", "office"),
    ("application/vnd.oasis.opendocument.", "office"),
    ("application/vnd.ms-word", "office"),
    ("application/vnd.ms-excel", "office"),
    ("application/vnd.ms-powerpoint", "office"),
    ("image/", "image"),
    ("audio/", "audio"),
    ("video/", "video"),
)

DESCRIPTION_PATTERNS: tuple[tuple[re.Pattern[str], Family], ...] = (
    (re.compile(r"^(PE32|MS-DOS executable|ELF |Mach-O)"), "executable"),
    (re.compile(r"Microsoft (Word|Excel|PowerPoint|Office)|Composite Document"), "office"),
    (re.compile(r"PGP .*(encrypted|Encrypted)|GPG encrypted"), "encrypted"),
)

_EXT_GROUPS: dict[Family, str] = {
    "executable": "exe dll scr com cpl msi msp sys drv ocx pif bat cmd lnk gadget",
    "script": "js jse vbs vbe wsf wsh ps1 psm1 hta sh bash py pl php rb",
    "archive": "zip rar 7z gz tgz tar bz2 tbz tbz2 xz txz cab iso arj lzh z zst jar",
    "office": "doc docx docm dot dotx dotm xls xlsx xlsm xlsb xlt xltx xltm ppt pptx "
    "pptm pps ppsx potx potm odt ods odp rtf vsd vsdx pub msg",
    "pdf": "pdf",
    "image": "jpg jpeg png gif bmp tif tiff webp ico svg heic",
    "audio": "mp3 wav ogg flac m4a aac wma",
    "video": "mp4 avi mov mkv wmv webm mpg mpeg",
    "cad": "dwg dxf dwf",
    "database": "sqlite sqlite3 db mdb accdb dbf",
    "text": "txt csv log eml xml json md",
    "html": "htm html xhtml",
    "encrypted": "pgp gpg asc p7m",
}

FAMILY_BY_EXTENSION: dict[str, Family] = {ext: family for family, exts in _EXT_GROUPS.items() for ext in exts.split()}

# Families a declared extension's family may legitimately show up as.
COMPATIBLE: dict[Family, frozenset[str]] = {
    "office": frozenset({"office", "archive", "encrypted", "text"}),
    "archive": frozenset({"archive", "encrypted", "office"}),
    "text": frozenset({"text", "html"}),
    "html": frozenset({"html", "text"}),
    "script": frozenset({"script", "text", "html"}),
    "executable": frozenset({"executable", "text"}),
    "encrypted": frozenset({"encrypted", "text"}),
}


def family_for(mime: str, description: str = "") -> Family:
    """The family of a libmagic result (MIME type plus description)."""
    for pattern, family in DESCRIPTION_OVERRIDES:
        if pattern.search(description):
            return family
    mime = mime.lower()
    if mime in FAMILY_BY_MIME:
        return FAMILY_BY_MIME[mime]
    for prefix, family in FAMILY_BY_PREFIX:
        if mime.startswith(prefix):
            return family
    for pattern, family in DESCRIPTION_PATTERNS:
        if pattern.search(description):
            return family
    return "other"


def is_mismatch(extension: str, declared_type: str, true_family: Family) -> bool:
    """True when the declared name or type disagrees with the real content.

    Unknown extensions and unrecognised content ("other") never count.
    """
    if true_family == "other":
        return False
    expected = FAMILY_BY_EXTENSION.get(extension)
    if expected is None:
        declared = family_for(declared_type)
        if declared == "other":
            return False
        expected = declared
    allowed = COMPATIBLE.get(expected, frozenset({expected}))
    return true_family not in allowed
