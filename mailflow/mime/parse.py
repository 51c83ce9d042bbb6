"""Parse a raw message once into a :class:`ParsedMessage`.

The MIME tree is walked iteratively (no recursion limit to hit), leaves
become :class:`Part` objects with their true types, attachments are
unpacked recursively, and every problem becomes a defect string or an
:class:`ArchiveFact`; :func:`parse_message` never raises. See
``docs/mime.md``.
"""

from __future__ import annotations

import email
import email.message

from mailflow.mime.classify import classify
from mailflow.mime.decode import addresses, describe_defects, header_items
from mailflow.mime.extraction import Budget
from mailflow.mime.policies import COMPAT32
from mailflow.mime.types import ArchiveFact, Limits, ParsedMessage, Part
from mailflow.mime.walk import Walker

_DEFAULT_LIMITS = Limits()


def parse_message(raw: bytes, limits: Limits = _DEFAULT_LIMITS) -> ParsedMessage:
    """Parse ``raw`` (the message as received); never raises."""
    try:
        return _parse(raw, limits)
    except Exception as exc:  # last line of defence: keep the bytes scannable
        return _opaque(raw, f"parser failure ({type(exc).__name__}: {exc})")


def load_message(raw: bytes) -> email.message.Message:
    """The compat32 message tree the walker reads (fast header access)."""
    return email.message_from_bytes(raw, policy=COMPAT32)


def _parse(raw: bytes, limits: Limits) -> ParsedMessage:
    try:
        msg = load_message(raw)
    except RecursionError:
        return _opaque(raw, "MIME structure too deeply nested to parse")
    result = ParsedMessage(raw=raw, size=len(raw))
    _fill_headers(result, msg)
    result.from_fields = [str(v) for v in msg.get_all("From") or []]
    Walker(result, limits, Budget(limits)).walk(msg)
    return result


def _fill_headers(result: ParsedMessage, msg: email.message.Message) -> None:
    result.headers = header_items(msg)
    result.subject = _first(result.headers, "subject")
    senders = addresses(msg.get_all("from", []))
    result.from_ = senders[0] if senders else _first(result.headers, "from")
    result.to = addresses(msg.get_all("to", []))
    result.message_id = _first(result.headers, "message-id")


def _first(headers: list[tuple[str, str]], name: str) -> str:
    return next((value for key, value in headers if key.lower() == name), "")


def _opaque(raw: bytes, reason: str) -> ParsedMessage:
    """A message we could not parse: one unscannable part holding all bytes."""
    result = ParsedMessage(raw=raw, size=len(raw), defects=[f"message: {reason}"])
    try:
        head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        headers_only = email.message_from_bytes(head, policy=COMPAT32)
        _fill_headers(result, headers_only)
        result.defects += describe_defects("message", list(headers_only.defects))
    except Exception:  # headers are a bonus here
        result.headers = []
    part = classify(Part(path="1", data=raw, disposition="attachment"))
    result.parts.append(part)
    result.attachments.append(part)
    result.archive_facts.append(ArchiveFact("1", "unscannable", reason))
    return result
