"""Inputs and results of TextCensor evaluation.

See docs/textcensor.md ("Evaluating").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum


class Zone(str, Enum):
    """Parts of a message a script can be applied to."""

    SUBJECT = "subject"
    BODY = "body"
    HEADERS = "headers"
    ATTACHMENTS = "attachments"


DEFAULT_ZONES = frozenset({Zone.SUBJECT, Zone.BODY, Zone.ATTACHMENTS})


@dataclass(frozen=True)
class TextcensorInput:
    """The text of one message, split into zones.

    ``body`` is the plain text of the message body (HTML parts reduced with
    :func:`html_to_text`); ``headers`` is the raw header block; each
    attachment's extracted text is scanned separately, so NEAR never spans
    two attachments.
    """

    subject: str = ""
    body: str = ""
    headers: str = ""
    attachments: tuple[str, ...] = ()

    def texts(self, zone: Zone) -> Iterator[str]:
        """The non-empty texts of ``zone``."""
        if zone is Zone.ATTACHMENTS:
            yield from (text for text in self.attachments if text)
            return
        text = getattr(self, zone.value)
        if text:
            yield text


@dataclass(frozen=True)
class LineHit:
    """One script line that matched: how often, and what it contributed."""

    line: int
    source: str
    count: int
    score: float
    zones: dict[str, int]
    samples: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScriptResult:
    """The outcome of one script on one message."""

    name: str
    score: float
    threshold: float
    hits: tuple[LineHit, ...] = field(default=())

    @property
    def triggered(self) -> bool:
        """True when the score reaches the threshold (equal triggers)."""
        return self.score >= self.threshold

    def explain(self) -> str:
        """A short human-readable account of the score, for dry runs."""
        verdict = "triggered" if self.triggered else "not triggered"
        lines = [f"{self.name}: score {self.score:g} / threshold {self.threshold:g} ({verdict})"]
        for hit in self.hits:
            seen = ", ".join(repr(sample) for sample in hit.samples)
            lines.append(f"  line {hit.line}: {hit.source}  x{hit.count} -> {hit.score:+g}  {seen}".rstrip())
        return "\n".join(lines)
