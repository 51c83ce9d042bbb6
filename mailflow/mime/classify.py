"""Fill in a part's true type, family, mismatch and macro flags.

Shared by the MIME walker and the archive unpacker so a MIME attachment
and an archive member are judged alike. See ``docs/mime.md``.
"""

from __future__ import annotations

from mailflow.mime.families import is_mismatch
from mailflow.mime.filetypes import detect
from mailflow.mime.types import Part


def extension_of(filename: str) -> str:
    """Lower-case extension of a declared name ("Report.PDF" -> "pdf")."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(".")
    if "." not in base:
        return ""
    return base.rsplit(".", 1)[-1].lower()


def classify(part: Part, body_type: str = "") -> Part:
    """Detect the true type of ``part.data`` and derive the flags from it."""
    found = detect(part.data, body_type)
    part.size = len(part.data)
    part.true_type = found.mime
    part.true_desc = found.description
    part.family = found.family
    part.has_macros = found.has_macros
    part.extension = extension_of(part.filename)
    if not part.is_body_text:
        part.type_mismatch = is_mismatch(part.extension, part.content_type, found.family)
    return part
