"""The parsed-message contract every check reads.

The engine parses a message once (:func:`mailflow.mime.parse.parse_message`)
and hands the resulting :class:`ParsedMessage` to every check. See
``docs/mime.md`` for field semantics, the family table and the limits.
"""

from __future__ import annotations

import email
import email.message
from dataclasses import dataclass, field
from typing import Literal, get_args

from mailflow.mime.policies import DEFAULT

MiB = 1024 * 1024

Family = Literal[
    "executable",
    "archive",
    "audio",
    "video",
    "image",
    "office",
    "pdf",
    "cad",
    "database",
    "script",
    "encrypted",
    "text",
    "html",
    "other",
]
FAMILIES: frozenset[str] = frozenset(get_args(Family))  # every true-type family, for validation


FactKind = Literal[
    "bomb",
    "encrypted",
    "unscannable",
    "depth_exceeded",
    "too_many_members",
    "too_large",
]


@dataclass(slots=True, frozen=True)
class Limits:
    """Hard bounds applied while parsing and unpacking one message."""

    max_depth: int = 5
    max_members: int = 1000
    max_expanded_bytes: int = 200 * MiB
    max_ratio: int = 100
    max_member_size: int = 50 * MiB
    max_parts: int = 500
    # The ratio test only applies once a member (or archive) has expanded
    # past this many bytes: tiny, very repetitive files are normal.
    ratio_min_bytes: int = 1 * MiB
    # Deepest multipart nesting walked before the rest is kept opaque.
    max_mime_depth: int = 50


@dataclass(slots=True)
class Part:
    """One MIME leaf part or one unpacked archive member."""

    path: str
    data: bytes
    filename: str = ""
    content_type: str = "application/octet-stream"
    disposition: str = ""
    charset: str = ""
    size: int = 0
    true_type: str = "application/octet-stream"
    true_desc: str = ""
    family: Family = "other"
    is_body_text: bool = False
    depth: int = 0
    parent: str = ""
    extension: str = ""
    type_mismatch: bool = False
    has_macros: bool = False
    encrypted: bool = False

    @property
    def is_member(self) -> bool:
        """True for a file that came out of an archive."""
        return self.depth > 0


@dataclass(slots=True, frozen=True)
class ArchiveFact:
    """Something the unpacker could not (or would not) look inside."""

    path: str
    kind: FactKind
    detail: str = ""


@dataclass(slots=True)
class ParsedMessage:
    """Everything the checks need, computed once per message.

    ``message`` (the stdlib object, ``policy.default``) is built on first
    use from ``raw``: the walk itself uses the much faster compat32 parse.
    """

    raw: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    subject: str = ""
    from_: str = ""
    from_fields: list[str] | None = None  # every From field as written (compat32) when parsed whole, for DMARC
    to: list[str] = field(default_factory=list)
    message_id: str = ""
    parts: list[Part] = field(default_factory=list)
    text_bodies: list[str] = field(default_factory=list)
    html_bodies: list[str] = field(default_factory=list)
    attachments: list[Part] = field(default_factory=list)
    archive_facts: list[ArchiveFact] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    size: int = 0
    _message: email.message.EmailMessage | None = field(default=None, repr=False, compare=False)

    @property
    def message(self) -> email.message.EmailMessage:
        """The message as an ``EmailMessage`` with ``policy.default``."""
        if self._message is None:
            self._message = _load_default(self.raw, self.headers)
        return self._message

    def facts_of(self, kind: FactKind) -> list[ArchiveFact]:
        """The archive facts of one kind, e.g. ``facts_of("encrypted")``."""
        return [fact for fact in self.archive_facts if fact.kind == kind]

    def families(self) -> set[str]:
        """Every family seen among the attachments and archive members."""
        return {part.family for part in self.attachments}


def _load_default(raw: bytes, headers: list[tuple[str, str]]) -> email.message.EmailMessage:
    try:
        msg = email.message_from_bytes(raw, policy=DEFAULT)
    except RecursionError:
        msg = email.message.EmailMessage()
        for name, value in headers:
            try:
                msg[name] = value
            except (ValueError, TypeError):
                continue
    assert isinstance(msg, email.message.EmailMessage)
    return msg
