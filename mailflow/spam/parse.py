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


def decode_header_value(value: Any) -> str:
    """Decode an RFC 2047 header value to ``str``; never raises."""
    text = str(value) if not isinstance(value, str) else value
    if "=?" not in text:
        return " ".join(text.split())
    try:
        return " ".join(str(make_header(decode_header(text))).split())
    except Exception:  # broken encoded-words stay as written
        return " ".join(text.split())


def _raw_headers(msg: Message) -> list[tuple[str, str]]:
    pairs = []
    for name, value in list(msg.raw_items()):
        raw = value if isinstance(value, str) else str(value)
        pairs.append((str(name), decode_header_value(raw)))
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
