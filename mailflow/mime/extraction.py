"""Limit bookkeeping shared by every archive reader.

A :class:`Budget` spans one message; an :class:`Extraction` spans one
container and is what a reader talks to: it admits members, hands out
bounded reads and records facts. Readers never allocate more than
:meth:`Extraction.room` bytes for a member. See ``docs/mime.md`` (limits).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import BinaryIO

from mailflow.mime.types import ArchiveFact, FactKind, Limits

CHUNK = 64 * 1024


class StopContainer(Exception):
    """Raised by a reader's bookkeeping to abandon the current container."""


@dataclass(slots=True)
class Budget:
    """Expanded bytes and members used so far in one message."""

    limits: Limits
    expanded: int = 0
    members: int = 0
    bomb_at: str = ""
    stop_noted: bool = False

    @property
    def remaining(self) -> int:
        return max(0, self.limits.max_expanded_bytes - self.expanded)


@dataclass(slots=True)
class Member:
    """One file a reader found: its name, content and what stopped us."""

    name: str
    data: bytes
    encrypted: bool = False
    note: str = ""


@dataclass(slots=True)
class Extraction:
    """One container being read: its members so far and its facts."""

    path: str
    size: int
    budget: Budget
    members: list[Member] = field(default_factory=list)
    facts: list[ArchiveFact] = field(default_factory=list)
    expanded: int = 0

    @property
    def limits(self) -> Limits:
        return self.budget.limits

    def fact(self, kind: FactKind, detail: str, name: str = "") -> None:
        path = f"{self.path}/{name}" if name else self.path
        self.facts.append(ArchiveFact(path, kind, detail))

    def admit(self) -> None:
        """Count one more member, or stop the container past the limit."""
        if self.budget.members >= self.limits.max_members:
            self.fact("too_many_members", f"more than {self.limits.max_members} members")
            raise StopContainer
        self.budget.members += 1

    def room(self) -> int:
        """Bytes the next member may expand to."""
        return min(self.limits.max_member_size, self.budget.remaining)

    def too_large(self, name: str, declared: int) -> bool:
        """Record and report a member whose declared size is over the limit."""
        if declared <= self.room():
            return False
        self._over_limit(name, declared)
        return True

    def ratio_exceeded(self, expanded: int, compressed: int) -> bool:
        limits = self.limits
        if expanded <= limits.ratio_min_bytes:
            return False
        return expanded > max(compressed, 1) * limits.max_ratio

    def check_ratio(self, name: str, expanded: int, compressed: int) -> None:
        """Declare a bomb (and stop) when a member expands too far."""
        if self.ratio_exceeded(expanded, compressed):
            if name:
                self.members.append(Member(name, b"", note="bomb"))
            self._bomb(f"expands to over {expanded} bytes from {compressed}", name)

    def read(self, stream: BinaryIO, name: str, compressed: int) -> bytes:
        """Read a member with bounded chunks, watching size and ratio."""
        cap = self.room()
        out = bytearray()
        while len(out) <= cap:
            chunk = stream.read(min(CHUNK, cap + 1 - len(out)))
            if not chunk:
                return bytes(out)
            out += chunk
            self.check_ratio(name, len(out), compressed)
        self._over_limit(name, len(out))
        return bytes(out[:cap])

    def take(
        self,
        name: str,
        *,
        size: int,
        compressed: int,
        open_member: Callable[[], AbstractContextManager[BinaryIO]],
        errors: tuple[type[BaseException], ...],
        kind: str,
        encrypted: bool = False,
        cannot_read: str = "",
    ) -> None:
        """One member of a zip-like archive: encryption, ratio and size checks, then a bounded read.

        ``kind`` names the format in facts ("zip", "RAR"); ``cannot_read``
        says why the member cannot be decompressed here at all (it is then
        recorded as unscannable); ``errors`` are what reading may raise.
        """
        if encrypted:
            self.fact("encrypted", f"password-protected {kind} member", name)
            self.add(Member(name, b"", encrypted=True))
            return
        self.check_ratio(name, size, compressed)
        if self.too_large(name, size):
            self.add(Member(name, b"", note="too_large"))
            return
        if cannot_read:
            self.fact("unscannable", cannot_read, name)
            self.add(Member(name, b""))
            return
        try:
            with open_member() as stream:
                body = self.read(stream, name, compressed)
        except errors as exc:
            self.fact("unscannable", f"unreadable {kind} member: {exc}", name)
            body = b""
        self.add(Member(name, body))

    def add(self, member: Member) -> None:
        """Keep a member and charge its size to the message budget."""
        self.members.append(member)
        self.expanded += len(member.data)
        self.budget.expanded += len(member.data)
        if self.ratio_exceeded(self.expanded, self.size):
            self._bomb(f"archive expands to {self.expanded} bytes from {self.size}")

    def _bomb(self, detail: str, name: str = "") -> None:
        self.fact("bomb", detail, name)
        self.budget.bomb_at = self.facts[-1].path
        raise StopContainer

    def _over_limit(self, name: str, size: int) -> None:
        if self.budget.remaining < self.limits.max_member_size:
            detail = f"expansion budget of {self.limits.max_expanded_bytes} bytes exhausted"
        else:
            detail = f"member over {self.limits.max_member_size} bytes (at least {size})"
        self.fact("too_large", detail, name)
