"""The message context every check and action works on (docs/mailflow.md).

One context per spooled message: the envelope, the raw bytes, the
customer's routing entry, the parse (made once, lazily, shared by every
check), and what checks found and actions decided.
"""

from __future__ import annotations

import email
import email.message
import email.parser
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from mailflow.mime import policies
from mailflow.spool import Envelope

if TYPE_CHECKING:
    from mailflow.mime.types import ParsedMessage
    from mailflow.routing import CustomerRoute, RoutingTable


@dataclass(slots=True)
class Symbol:
    """A named observation with a score (rspamd's symbols)."""

    name: str
    score: float = 0.0
    detail: str = ""


@dataclass
class Disposition:
    """What happens to the message (or to some recipients)."""

    kind: str  # deliver | quarantine | delete | bounce | delay
    reason: str = ""
    category: str = ""  # quarantine folder
    recipients: list[str] | None = None  # None = all pending recipients
    rule: str = ""  # the rule that decided, so a release can skip just that rule
    until: float = 0.0  # delay: not before this time


@dataclass
class ExtraMessage:
    """A message an action asks to send besides the original (copy, notification)."""

    recipients: list[str]
    data: bytes | None = None  # None: a copy of the message as it leaves
    mail_from: str = ""
    reason: str = ""


@dataclass
class MessageContext:
    spool_id: str
    envelope: Envelope
    raw: bytes
    customer: CustomerRoute | None
    routing: RoutingTable
    symbols: list[Symbol] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    check_errors: dict[str, str] = field(default_factory=dict)
    rules_fired: list[str] = field(default_factory=list)
    actions_taken: list[str] = field(default_factory=list)
    add_headers: list[tuple[str, str]] = field(default_factory=list)
    dispositions: list[Disposition] = field(default_factory=list)
    body_override: bytes | None = None  # set by actions that rewrite the message
    extra_messages: list[ExtraMessage] = field(default_factory=list)
    redirect_to: list[str] | None = None  # replaces the recipients
    only_recipients: set[str] | None = None  # deliver only to these (group-member delivery)
    classifications: list[str] = field(default_factory=list)
    spam_view: Any = None  # the spam layers' view of the parse, built once for the checks that read it
    _edit: email.message.EmailMessage | None = None

    @property
    def direction(self) -> str:
        return self.envelope.direction

    @property
    def score(self) -> float:
        return round(sum(s.score for s in self.symbols), 2)

    def add_symbol(self, name: str, score: float = 0.0, detail: str = "") -> None:
        self.symbols.append(Symbol(name, score, detail))

    @cached_property
    def parsed(self) -> ParsedMessage:
        """The full MIME parse with unpacked archives and true types (made once)."""
        from mailflow.mime import parse_message

        return parse_message(self.raw)

    @cached_property
    def headers(self) -> email.message.Message:
        """Headers only: cheap, for the many things that need just a Subject."""
        return email.parser.BytesHeaderParser(policy=policies.DEFAULT).parsebytes(self.raw)

    @property
    def subject(self) -> str:
        """The decoded subject, from the shared parse when there is one (no second parse)."""
        if "parsed" in self.__dict__:
            return self.parsed.subject[:998]
        try:
            return str(self.headers.get("Subject", ""))[:998]
        except Exception:  # a header the email package cannot decode
            return ""

    def edit(self) -> email.message.EmailMessage:
        """A mutable copy of the message for actions that rewrite it (made once)."""
        if self._edit is None:
            self._edit = email.message_from_bytes(self.raw, policy=policies.SMTP)
        return self._edit

    @property
    def body_rewritten(self) -> bool:
        """Whether an action changed the message below its headers (a footer, a stripped part)."""
        return self._edit is not None or self.body_override is not None

    def terminal(self) -> Disposition | None:
        return next((d for d in self.dispositions if d.kind != "deliver"), None)

    def output_bytes(self) -> bytes:
        """The message as it will leave: added headers on top, original (or rewritten) bytes below."""
        if self._edit is not None and self.body_override is None:
            try:
                self.body_override = self._edit.as_bytes(policy=policies.SMTP)
            except Exception as exc:  # a message the email package cannot serialise: keep the original
                self.check_errors["rewrite"] = f"{type(exc).__name__}: {exc}"[:300]
                self.body_override = self.raw
        body = self.body_override if self.body_override is not None else self.raw
        if not self.add_headers:
            return body
        lines = b"".join(f"{name}: {value}\r\n".encode("utf-8", "replace") for name, value in self.add_headers)
        return lines + body
