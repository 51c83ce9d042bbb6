"""Tolerant decoding of headers, payloads and text for the MIME walker.

Each helper returns its result plus findings (strings for
``ParsedMessage.defects``) instead of raising. See ``docs/mime.md``.
"""

from __future__ import annotations

import codecs
import email.errors
import email.header
import email.message
import email.utils
import re

_ASCII = ("us-ascii", "ascii")
_FOLD = re.compile(r"\r?\n(?=[ \t])")

_DEFECT_LABELS: dict[type[email.errors.MessageDefect], str] = {
    email.errors.NoBoundaryInMultipartDefect: "malformed boundary: multipart without a boundary",
    email.errors.StartBoundaryNotFoundDefect: "malformed boundary: start boundary not found",
    email.errors.CloseBoundaryNotFoundDefect: "malformed boundary: closing boundary missing",
    email.errors.MultipartInvariantViolationDefect: "malformed boundary: multipart has no parts",
    email.errors.InvalidBase64PaddingDefect: "invalid base64 padding",
    email.errors.InvalidBase64CharactersDefect: "invalid base64 characters",
    email.errors.InvalidBase64LengthDefect: "invalid base64 length",
    email.errors.MissingHeaderBodySeparatorDefect: "missing blank line after headers",
    email.errors.FirstHeaderLineIsContinuationDefect: "first header line is a continuation",
    email.errors.MisplacedEnvelopeHeaderDefect: "misplaced envelope header",
}


def describe_defects(where: str, defects: list[email.errors.MessageDefect]) -> list[str]:
    """Readable defect strings such as "2: invalid base64 characters"."""
    out = []
    for defect in defects:
        label = _DEFECT_LABELS.get(type(defect)) or f"{type(defect).__name__}: {defect}"
        out.append(f"{where}: {label}")
    return out


def header_items(msg: email.message.Message) -> list[tuple[str, str]]:
    """All headers unfolded and decoded (RFC 2047), in order.

    Raw 8-bit header bytes are read as UTF-8, else in the first charset the
    message declares for a body part: spam often writes its Subject in
    unencoded GB2312, Big5 or KOI8-R, in the charset of its body.
    """
    items = []
    charset: str | None = None
    for name, value in msg.raw_items():
        if charset is None and not value.isascii():
            charset = _body_charset(msg)
        items.append((name, decode_words(value, charset or "")))
    return items


def _body_charset(msg: email.message.Message) -> str:
    for count, part in enumerate(msg.walk()):
        if count > 5:
            break
        try:
            charset = part.get_content_charset()
        except (LookupError, ValueError, UnicodeError):
            continue
        if charset and _known(charset):
            return charset
    return ""


def decode_words(value: str, charset: str = "") -> str:
    """Unfold a raw header value and decode its RFC 2047 encoded words.

    Raw 8-bit bytes are read as UTF-8, else as ``charset``, else as
    Latin-1; undecodable words stay as written.
    """
    value = _plain(_FOLD.sub("", value), charset).strip()
    if "=?" not in value:
        return value
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (LookupError, ValueError, UnicodeError, email.errors.HeaderParseError):
        return _decode_chunks(value)


def _decode_chunks(value: str) -> str:
    try:
        chunks = email.header.decode_header(value)
    except (ValueError, email.errors.HeaderParseError):
        return value
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            out.append(chunk)
            continue
        codec = charset if charset and _known(charset) else "latin-1"
        out.append(chunk.decode(codec, "replace"))
    return "".join(out)


def _plain(raw: str, charset: str = "") -> str:
    if raw.isascii():
        return raw
    data = raw.encode("utf-8", "surrogateescape")
    for codec in ("utf-8", charset):
        if not codec:
            continue
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


def addresses(values: list[str]) -> list[str]:
    """The addr-specs found in address header values."""
    return [addr for _name, addr in email.utils.getaddresses(values) if addr]


def payload_bytes(part: email.message.Message) -> tuple[bytes, list[str]]:
    """The transfer-decoded payload of a leaf part."""
    try:
        data = part.get_payload(decode=True)
    except Exception as exc:  # e.g. broken uuencode raises from deep inside
        return _raw_payload(part), [f"undecodable transfer encoding ({type(exc).__name__})"]
    if isinstance(data, bytes):
        return data, []
    return _raw_payload(part), []


def _raw_payload(part: email.message.Message) -> bytes:
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    if isinstance(payload, list):
        return b"\n".join(_safe_bytes(item) for item in payload)
    return b""


def _safe_bytes(item: object) -> bytes:
    try:
        return item.as_bytes() if isinstance(item, email.message.Message) else b""
    except Exception:  # serialising a damaged sub-message
        return b""


def decode_text(data: bytes, charset: str) -> tuple[str, str]:
    """Text in the declared charset, else UTF-8, else a lossy fallback.

    Returns the text and a finding ("" when the declared charset worked).
    """
    declared = (charset or "us-ascii").strip().strip('"').lower()
    known = _known(declared)
    if known:
        try:
            return data.decode(declared), ""
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("utf-8"), "" if declared in _ASCII else (
            f"text not in declared charset {declared!r}, read as utf-8"
        )
    except UnicodeDecodeError:
        pass
    if known and declared not in _ASCII:
        try:
            return data.decode(declared, "replace"), f"undecodable bytes in charset {declared!r}"
        except (UnicodeError, LookupError, ValueError):  # a codec that ignores "replace" (idna, punycode...)
            pass
    return data.decode("latin-1", "replace"), f"text not readable as charset {declared!r}, read as latin-1"


# Python's own codecs that no mail program knows as a charset: a body declaring one is read as a mail reader reads it.
_NOT_MAIL_CHARSETS = frozenset({"unicode-escape", "raw-unicode-escape", "punycode", "idna"})


def _known(charset: str) -> bool:
    """True for a charset Python can decode text with, and a mail program could too."""
    try:
        info = codecs.lookup(charset)
    except (LookupError, ValueError, TypeError):
        return False
    return getattr(info, "_is_text_encoding", True) and info.name not in _NOT_MAIL_CHARSETS
