"""Contracts shared by every antivirus engine.

An engine implements :class:`Scanner`: it receives the items of one message
(MIME parts and unpacked archive members) and returns what it found.  An
engine that cannot give an answer raises :class:`ScannerUnavailable`; a
failure is never reported as "clean".  See docs/antivirus.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class ScanItem:
    """One blob to scan: a MIME part or an unpacked archive member.

    ``path`` names the item inside the message (``"2/invoice.zip/a.exe"``)
    so findings can be tied back to the part that carried them.
    """

    path: str
    data: bytes
    in_raw_text: bool = False  # a text body part: engines that parse the raw message (clamd) see it there


@dataclass(frozen=True, slots=True)
class Finding:
    """One detection: which engine saw which signature in which item."""

    engine: str
    path: str
    signature: str


class ScannerUnavailable(Exception):
    """The engine could not give a verdict (down, timed out, bad reply).

    ``findings`` holds whatever the engine detected before it failed, so a
    partial answer is not thrown away; ``unscanned_paths`` names the items
    the engine could not vouch for.
    """

    def __init__(
        self,
        message: str,
        *,
        findings: Sequence[Finding] = (),
        unscanned_paths: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.findings: tuple[Finding, ...] = tuple(findings)
        self.unscanned_paths: tuple[str, ...] = tuple(unscanned_paths)


@runtime_checkable
class Scanner(Protocol):
    """An antivirus engine.  Implementations must be thread-safe."""

    name: str

    def scan(self, items: Sequence[ScanItem]) -> list[Finding]:
        """Scan every item; raise :class:`ScannerUnavailable` on failure."""
        ...


@dataclass(frozen=True, slots=True)
class ScanReport:
    """The merged outcome of running several engines on the same items.

    ``unscanned`` is true when at least one engine failed and no engine
    found anything: the caller must defer and retry, and eventually
    quarantine the message as unscannable, but never deliver it as clean.
    ``timings`` are wall-clock milliseconds per engine.
    """

    findings: tuple[Finding, ...]
    engines_ok: tuple[str, ...]
    engines_failed: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    unscanned: bool = False

    @property
    def infected(self) -> bool:
        """True when any engine reported any finding."""
        return bool(self.findings)

    @property
    def clean(self) -> bool:
        """True only when every engine answered and none found anything."""
        return not self.findings and not self.engines_failed
