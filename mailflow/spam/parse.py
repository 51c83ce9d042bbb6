"""Tolerant MIME parsing of raw bytes into the parts a ``MessageView`` needs.

Uses ``email`` with ``policy.default``; every step that can fail on hostile
input (header folding, unknown charsets, broken base64) falls back to a
lossy decode instead of raising.  See docs/spam.md.
"""

from __future__ import annotations

import email
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

MAX_PARTS = 200


def _repair_8bit(text: str, charset: str) -> str:
    """Re-decode raw 8-bit header bytes (kept as surrogate escapes) as UTF-8 or ``charset``.

    Spam often puts unencoded GB2312, Big5 or KOI8 text in its Subject; left as
    escapes it matches no word and breaks regular-expression engines.
    """
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape")
    for codec in ("utf-8", charset):
        try:
            return raw.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return raw.decode("latin-1")


def decode_header_value(value: Any, charset: str = "latin-1") -> str:
    """Decode an RFC 2047 header value to ``str``; never raises.

    Raw 8-bit bytes are decoded as UTF-8, else as ``charset`` (the message's
    body charset is the best guess the sender left).
    """
    text = str(value) if not isinstance(value, str) else value
    text = _repair_8bit(text, charset)
    if "=?" not in text:
        return " ".join(text.split())
    try:
        return " ".join(str(make_header(decode_header(text))).split())
    except Exception:  # broken encoded-words stay as written
        return " ".join(text.split())


def _body_charset(msg: Message) -> str:
    """The first declared charset in the message, for headers sent as raw 8-bit."""
    for count, part in enumerate(msg.walk()):
        charset = part.get_content_charset()
        if charset or count > 5:
            return charset or "latin-1"
    return "latin-1"


def _raw_headers(msg: Message) -> list[tuple[str, str]]:
    pairs = []
    charset = ""
    for name, value in list(msg.raw_items()):
        raw = value if isinstance(value, str) else str(value)
        if not raw.isascii() and not charset:
            charset = _body_charset(msg)
        pairs.append((str(name), decode_header_value(raw, charset or "latin-1")))
    return pairs


def _decode_payload(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content
    except Exception:  # noqa: S110 - fall through to the lossy path below
        pass
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if not isinstance(data, bytes):
        payload = part.get_payload()
        return payload if isinstance(payload, str) else ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return data.decode(charset, errors="replace")
    except LookupError:
        return data.decode("latin-1", errors="replace")


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    return decode_header_value(name) if name else ""


def _walk_parts(msg: Message) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {"text": [], "html": [], "att": [], "types": []}
    for count, part in enumerate(msg.walk()):
        if count >= MAX_PARTS:
            break
        ctype = part.get_content_type()
        out["types"].append(ctype)
        if part.is_multipart():
            continue
        name = _filename(part)
        disposition = (part.get_content_disposition() or "").lower()
        if name or disposition == "attachment" or not ctype.startswith("text/"):
            out["att"].append((name, ctype))
            if ctype == "text/html" and name:
                continue
            if not ctype.startswith("text/") or disposition == "attachment":
                continue
        if ctype == "text/html":
            out["html"].append(_decode_payload(part))
        elif ctype.startswith("text/"):
            out["text"].append(_decode_payload(part))
    return out


def parts_from_bytes(raw: bytes) -> dict[str, Any]:
    """Return keyword arguments for ``MessageView.from_parts``."""
    try:
        msg = email.message_from_bytes(raw, policy=policy.default)
        headers = _raw_headers(msg)
        walked = _walk_parts(msg)
    except Exception:  # garbage in, text-only view out
        text = raw[:200_000].decode("latin-1", errors="replace")
        return {"text_bodies": [text]}
    first = {n.lower(): v for n, v in reversed(headers)}
    return {
        "subject": first.get("subject", ""),
        "from_": first.get("from", ""),
        "headers": headers,
        "text_bodies": walked["text"],
        "html_bodies": walked["html"],
        "attachments": walked["att"],
        "part_types": walked["types"],
    }
