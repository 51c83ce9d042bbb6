"""Hash blocklist engine: provider-managed SHA-256 hashes for outbreak response.

When a campaign is spotted before the signature vendors catch up, staff add
the attachment hashes to a list and every node blocks them at once.  The
file format is one lowercase or uppercase hex SHA-256 per line, optionally
followed by whitespace and a label; ``#`` starts a comment.  Lookups are a
dict hit per item.  See docs/antivirus.md.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from mailflow.av.base import Finding, ScanItem

_SHA256_RE = re.compile(r"^[0-9a-fA-F]{64}$")
DEFAULT_LABEL = "blocked"


def parse_hashlist(lines: Iterable[str], source: str = "<hashlist>") -> dict[str, str]:
    """Parse ``<sha256> [label]`` lines into ``{sha256: label}``.

    Raises ``ValueError`` naming the source and line of the first bad entry,
    so a typo in the list is caught when it is loaded, not ignored.
    """
    entries: dict[str, str] = {}
    for number, raw in enumerate(lines, start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        digest, *rest = line.split(None, 1)
        label = rest[0].strip() if rest else ""
        if not _SHA256_RE.match(digest):
            raise ValueError(f"{source}:{number}: not a SHA-256 hex digest: {digest!r}")
        entries[digest.lower()] = label or DEFAULT_LABEL
    return entries


def load_hashlist(path: str | Path) -> dict[str, str]:
    """Read a hash list file (see :func:`parse_hashlist`)."""
    with open(path, encoding="utf-8") as handle:
        return parse_hashlist(handle, source=str(path))


class HashListScanner:
    """The ``hashlist`` engine: SHA-256 of each item against a blocklist."""

    in_process = True  # CPU work in this process: MultiScanner runs it without a thread hand-off

    def __init__(
        self,
        hashes: Mapping[str, str] | Iterable[str] = (),
        *,
        name: str = "hashlist",
    ) -> None:
        self.name = name
        if isinstance(hashes, Mapping):
            self._entries = parse_hashlist(f"{k} {v}" for k, v in hashes.items())
        else:
            self._entries = parse_hashlist(hashes)

    @classmethod
    def from_file(cls, path: str | Path, *, name: str = "hashlist") -> HashListScanner:
        """Build the engine from a hash list file."""
        return cls(load_hashlist(path), name=name)

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, digest: object) -> bool:
        return isinstance(digest, str) and digest.lower() in self._entries

    def scan(self, items: Sequence[ScanItem]) -> list[Finding]:
        """Report every item whose SHA-256 is on the list."""
        findings = []
        for item in items:
            digest = hashlib.sha256(item.data).hexdigest()
            label = self._entries.get(digest)
            if label is not None:
                findings.append(Finding(self.name, item.path, f"HashList.{label}"))
        return findings
