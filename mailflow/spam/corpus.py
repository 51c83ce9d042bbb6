"""Read a labelled corpus of raw messages, whatever its common layout.

- ``ham.tar.gz``, ``spam.tar.gz`` and ``MANIFEST.tsv`` (path, label,
  category): the layout of the development corpus;
- the two tarballs without a manifest: the label is the tarball's, the
  category the first directory inside it (``hard_ham/...``), else the label;
- directories ``ham/`` and ``spam/`` (or ``ham.tar.gz`` beside ``spam/``):
  one message per file, found recursively, category as above;
- mbox files ``ham.mbox`` and ``spam.mbox``.

Used by ``mailflow.spam.train`` and the accuracy bench; messages are read
as bytes.  ``supplement_dir`` is the modern training supplement that the
default model learns from besides the corpus.  See docs/spam.md.
"""

from __future__ import annotations

import csv
import mailbox
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LABELS = ("ham", "spam")
# A supplement message counts for this share of a corpus message in training: enough to learn today's
# vocabulary, little enough that a few hundred written samples do not redraw what the corpus taught.
SUPPLEMENT_WEIGHT = 0.2


class CorpusError(Exception):
    """The directory holds no corpus in any layout this module reads."""


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


def _category(label: str, relative: str) -> str:
    """The first directory of ``relative`` when it names a kind of ham or spam (``hard_ham``), else the label."""
    first = relative.split("/", 1)[0] if "/" in relative else ""
    return first if label in first.lower() else label


def _from_tarball(path: Path, label: str, manifest: dict[str, tuple[str, str]] | None) -> Iterator[Sample]:
    with tarfile.open(path, "r:*") as tar:
        for member in tar:
            key = f"{path.name}:{member.name}"
            if not member.isfile() or (manifest is not None and key not in manifest):
                continue
            handle = tar.extractfile(member)
            if handle is None:
                continue
            row_label, category = manifest[key] if manifest is not None else (label, _category(label, member.name))
            yield Sample(key, row_label == "spam", category, handle.read())


def _from_directory(path: Path, label: str) -> Iterator[Sample]:
    for file in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
        relative = file.relative_to(path).as_posix()
        yield Sample(f"{path.name}/{relative}", label == "spam", _category(label, relative), file.read_bytes())


def _from_mbox(path: Path, label: str) -> Iterator[Sample]:
    box = mailbox.mbox(path, create=False)
    try:
        for key in box.iterkeys():
            yield Sample(f"{path.name}:{key}", label == "spam", label, box.get_bytes(key))
    finally:
        box.close()


def iter_corpus(corpus_dir: str | Path) -> Iterator[Sample]:
    """Yield every labelled message of ``corpus_dir``, ham first; ``CorpusError`` if none is found."""
    corpus_dir = Path(corpus_dir)
    manifest = _manifest(corpus_dir) if (corpus_dir / "MANIFEST.tsv").is_file() else None
    found = False
    for label in LABELS:
        tarball, folder, mbox = corpus_dir / f"{label}.tar.gz", corpus_dir / label, corpus_dir / f"{label}.mbox"
        if tarball.is_file():
            source = _from_tarball(tarball, label, manifest)
        elif folder.is_dir():
            source = _from_directory(folder, label)
        elif mbox.is_file():
            source = _from_mbox(mbox, label)
        else:
            continue
        found = True
        yield from source
    if not found:
        raise CorpusError(f"no corpus in {corpus_dir}: expected ham.tar.gz/spam.tar.gz, ham/ and spam/ "
                          "directories, or ham.mbox/spam.mbox")


def default_corpus_dir() -> Path:
    """``../shared/corpus`` relative to the repository root."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


def supplement_dir() -> Path:
    """The modern training supplement shipped in the repository (``data/modern``: ``ham/`` and ``spam/``).

    The 2002 corpus has no mail of today's services, list software or
    phishing; the default model also learns from these messages.
    """
    return Path(__file__).resolve().parent / "data" / "modern"
