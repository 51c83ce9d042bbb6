"""Iterative walk over a parsed MIME tree, producing parts and findings.

Paths follow IMAP numbering ("1", "2.1"; the parts of an attached message
at "3" are "3.1", "3.2"). Beyond ``max_mime_depth`` leaves are still
collected, with one ``depth_exceeded`` fact; beyond ``max_parts`` the
rest is counted in one ``too_many_members`` fact. See ``docs/mime.md``.
"""

from __future__ import annotations

import binascii
import email
import email.message
import quopri
from dataclasses import dataclass

from mailflow.mime.classify import classify
from mailflow.mime.decode import decode_text, decode_words, describe_defects, payload_bytes
from mailflow.mime.extraction import Budget
from mailflow.mime.policies import COMPAT32
from mailflow.mime.types import ArchiveFact, Limits, ParsedMessage, Part
from mailflow.mime.unpack import unpack

_BODY_TYPES = ("text/plain", "text/html")
_ATTACHED = ("message/rfc822", "message/global")


@dataclass(slots=True)
class _Node:
    msg: email.message.Message
    path: str
    depth: int
    attached: bool


class Walker:
    """Fills one :class:`ParsedMessage` from its message object."""

    def __init__(self, result: ParsedMessage, limits: Limits, budget: Budget) -> None:
        self.result = result
        self.limits = limits
        self.budget = budget
        self.leaves = 0
        self.too_deep = False

    def walk(self, root: email.message.Message) -> None:
        stack = [_Node(root, "", 0, False)]
        while stack:
            node = stack.pop()
            children = self._children(node)
            where = node.path or "message"
            self.result.defects += describe_defects(where, list(node.msg.defects))
            stack.extend(reversed(children))
        self._close()

    def _children(self, node: _Node) -> list[_Node]:
        msg = node.msg
        ctype = msg.get_content_type()
        # A leaf's payload is read as bytes in _leaf: get_payload() without decode would first decode an 8-bit
        # body with the declared charset, and Python's idna and punycode codecs raise there (the text unread).
        payload = msg.get_payload() if msg.is_multipart() or ctype in _ATTACHED else None
        if ctype in _ATTACHED and (inner := _attached_message(msg, payload)) is not None:
            path = node.path or "1"
            if not inner.is_multipart():
                return [_Node(inner, f"{path}.1", node.depth + 1, True)]
            return [self._nested(inner, path, node, True)]
        if msg.is_multipart() and isinstance(payload, list) and not ctype.startswith("message/"):
            return [
                self._nested(child, self._child_path(node.path, i), node, node.attached)
                for i, child in enumerate(payload, 1)
            ]
        self._leaf(node)
        return []

    def _nested(self, msg: email.message.Message, path: str, parent: _Node, attached: bool) -> _Node:
        depth = parent.depth + 1
        if depth > self.limits.max_mime_depth:
            self.too_deep = True
        return _Node(msg, path, depth, attached)

    @staticmethod
    def _child_path(path: str, index: int) -> str:
        return f"{path}.{index}" if path else str(index)

    def _leaf(self, node: _Node) -> None:
        self.leaves += 1
        if self.leaves > self.limits.max_parts:
            return
        part, findings = self._make_part(node)
        where = part.path
        self.result.defects += [f"{where}: {finding}" for finding in findings]
        self.result.parts.append(part)
        if part.is_body_text:
            self._add_body(part)
            return
        self.result.attachments.append(part)
        if part.content_type.startswith("multipart/") and not node.attached:
            # a multipart whose boundary never appears: mail readers show its body as text, so do the content checks
            self._add_body(part)
        unpacked = unpack(part, self.limits, self.budget)
        self.result.parts += unpacked.members
        self.result.attachments += unpacked.members
        self.result.archive_facts += unpacked.facts

    def _make_part(self, node: _Node) -> tuple[Part, list[str]]:
        msg = node.msg
        data, findings = payload_bytes(msg)
        ctype = msg.get_content_type()
        try:
            filename = decode_words(str(msg.get_filename() or ""))
        except Exception as exc:  # broken RFC 2231 continuations
            filename, findings = "", [*findings, f"undecodable filename ({type(exc).__name__})"]
        disposition = msg.get_content_disposition() or ""
        is_body = (ctype in _BODY_TYPES and disposition != "attachment" and not filename) and not node.attached
        part = Part(
            path=node.path or "1",
            data=data,
            filename=str(filename),
            content_type=ctype,
            disposition=disposition,
            charset=_charset(msg),
            is_body_text=is_body,
        )
        classify(part, ctype if is_body else "")
        return part, findings

    def _add_body(self, part: Part) -> None:
        text, finding = decode_text(part.data, part.charset)
        if finding:
            self.result.defects.append(f"{part.path}: {finding}")
        target = self.result.html_bodies if part.content_type == "text/html" else self.result.text_bodies
        target.append(text)

    def _close(self) -> None:
        facts = self.result.archive_facts
        if self.too_deep:
            detail = f"multipart nested deeper than {self.limits.max_mime_depth} levels"
            self.result.defects.append(f"message: {detail}")
            facts.append(ArchiveFact("message", "depth_exceeded", detail))
        if self.leaves > self.limits.max_parts:
            skipped = self.leaves - self.limits.max_parts
            detail = f"{skipped} MIME parts beyond the first {self.limits.max_parts} not examined"
            self.result.defects.append(f"message: {detail}")
            facts.append(ArchiveFact("message", "too_many_members", detail))


def _charset(msg: email.message.Message) -> str:
    try:
        return msg.get_content_charset() or ""
    except (LookupError, ValueError, UnicodeError):
        return ""


def _attached_message(msg: email.message.Message, payload: object) -> email.message.Message | None:
    """The message inside a message/rfc822 part, even if it was encoded.

    The stdlib parses such a body as a message whatever its transfer
    encoding; a base64 or quoted-printable one is decoded and parsed again.
    """
    if not isinstance(payload, list) or not payload or not isinstance(payload[0], email.message.Message):
        return None
    cte = str(msg.get("content-transfer-encoding", "")).strip().lower()
    if cte not in ("base64", "quoted-printable"):
        return payload[0]
    try:
        encoded = payload[0].as_bytes()
        data = binascii.a2b_base64(encoded) if cte == "base64" else quopri.decodestring(encoded)
        return email.message_from_bytes(data, policy=COMPAT32)
    except (binascii.Error, ValueError, RecursionError):
        return payload[0]
