"""Read a labelled corpus laid out as ``ham.tar.gz``, ``spam.tar.gz``, ``MANIFEST.tsv``.

Used by ``mailflow.spam.train`` and the accuracy bench; messages are read
as bytes straight from the tarballs.  See docs/spam.md.
"""

from __future__ import annotations

import csv
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    """One labelled message."""

    path: str
    is_spam: bool
    category: str
    raw: bytes


def _manifest(corpus_dir: Path) -> dict[str, tuple[str, str]]:
    rows: dict[str, tuple[str, str]] = {}
    with (corpus_dir / "MANIFEST.tsv").open(newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            rows[row["path"]] = (row["label"], row["category"])
    return rows


def iter_corpus(corpus_dir: str | Path) -> Iterator[Sample]:
    """Yield every message listed in the manifest, in manifest order per tarball."""
    corpus_dir = Path(corpus_dir)
    manifest = _manifest(corpus_dir)
    for archive in ("ham.tar.gz", "spam.tar.gz"):
        with tarfile.open(corpus_dir / archive, "r:gz") as tar:
            for member in tar:
                key = f"{archive}:{member.name}"
                if not member.isfile() or key not in manifest:
                    continue
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                label, category = manifest[key]
                yield Sample(key, label == "spam", category, handle.read())


def default_corpus_dir() -> Path:
    """``../shared/corpus`` relative to the repository root."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
