"""Fuzzy text sketches: the same campaign recognised through the changes its sender makes (docs/spam.md).

A bulk sender varies each copy a little (the greeting's name, an order
number, a tracking link, a paragraph added or dropped) so that exact
checksums miss. A sketch is the ``SKETCH_SIZE`` smallest CRC-32 values of
the body's three-word windows (a bottom-k MinHash), taken over the
classifier's own word tokens, so numbers are already folded to their
shape (``$1,234`` and ``$9,876`` are one word) and markup is gone. Two
copies of one text share most of their smallest values; unrelated texts
share almost none. ``overlap`` estimates the resemblance of two sketches
as the share of values they have in common, over the larger sketch, so a
short text found inside a long one does not count as the same message.

The plain and the HTML alternative are read together (see ``sketch_view``).
Texts under ``MIN_WORDS`` words get no sketch: "Thanks, see you at 3" is
everyone's mail. Only the first ``MAX_WORDS`` words are read, which keeps
the cost at a fraction of a millisecond whatever the message's size.

This module computes and compares sketches; the shared store of reported
sketches and the check that consults it are ``mailflow.checks.fuzzy``.
"""

from __future__ import annotations

import hashlib
import heapq
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mailflow.mime.decode import decode_text
from mailflow.spam.tokenizer import body_words, words_of
from mailflow.spam.view import MessageView

if TYPE_CHECKING:
    from mailflow.mime.types import ParsedMessage

SKETCH_SIZE = 32
MIN_WORDS = 12
MAX_WORDS = 2000
MATCH_OVERLAP = 0.5  # below this share of common values two texts are different messages
FUZZY_SPAM_SCORE = 7.0  # a copy of reported spam, at a resemblance of 1; proportionally less below
FUZZY_HAM_SCORE = -2.0  # a copy of mail released as not spam
FUZZY_FILE_SCORE = 6.0  # an attachment byte for byte the same as one in mail reported as spam
MIN_FILE_BYTES = 2048  # smaller files (icons, one-line texts) are everyone's
MAX_FILES = 10  # attachments read per message
MAX_FILE_SKETCHES = 3  # attachments whose text is sketched and looked up per message
MAX_FILE_TEXT = 512 * 1024  # bytes of one attachment's text read


@dataclass(frozen=True, slots=True)
class Sketch:
    """The smallest window hashes of one text, sorted; ``digest`` names it in the store."""

    values: tuple[int, ...]
    words: int

    @property
    def digest(self) -> str:
        data = b"".join(v.to_bytes(4, "big") for v in self.values)
        return hashlib.blake2b(data, digest_size=12).hexdigest()


def sketch_words(words: list[str]) -> Sketch | None:
    """The sketch of a word sequence, or None when it is too short to tell one sender's text from another's."""
    if len(words) < MIN_WORDS:
        return None
    crc = zlib.crc32
    windows = zip(words, words[1:], words[2:], strict=False)  # every three consecutive words
    hashes = {crc(f"{a} {b} {c}".encode("utf-8", "surrogatepass")) for a, b, c in windows}
    return Sketch(tuple(sorted(heapq.nsmallest(SKETCH_SIZE, hashes))), len(words))


def sketch_text(text: str) -> Sketch | None:
    return sketch_words(words_of(text, MAX_WORDS))


def sketch_view(view: MessageView) -> Sketch | None:
    """The sketch of what a reader sees of ``view``: its plain text and its HTML's visible text.

    Both, not one: a list's "your mail program does not show HTML" stub in
    the plain part would otherwise make every message of that list one text.
    Where the two alternatives say the same, their windows are the same set.
    The words are the classifier's (``body_words``: invisible characters
    salted into words are already dropped), read once per message.
    """
    return sketch_words(body_words(view)[1][:MAX_WORDS])


def file_digests(parsed: ParsedMessage) -> list[tuple[str, str]]:
    """(digest, file name) of the message's own attachments worth remembering, at most ``MAX_FILES``.

    Campaigns send the same PDF, archive or QR-code image to everyone, where
    their text varies. Files of ``MIN_FILE_BYTES`` or more that the message
    carries as attachments count; images shown inside the text (inline, no
    file name) do not: a reported newsletter's logo would otherwise mark the
    sender's every message. Members of archives do not either: the archive
    itself is the file.
    """
    found: dict[str, str] = {}
    for part in parsed.attachments:
        if part.is_member or len(part.data) < MIN_FILE_BYTES:
            continue
        image = part.family == "image" or part.content_type.startswith("image/")
        if image and part.disposition != "attachment" and not part.filename:
            continue
        digest = "f" + hashlib.blake2b(part.data, digest_size=12).hexdigest()
        found.setdefault(digest, part.filename or part.content_type)
        if len(found) >= MAX_FILES:
            break
    return list(found.items())


# The parts of an Office document that hold its text: Word, Excel and PowerPoint (Office Open XML), and
# OpenDocument.
_DOCUMENT_TEXT = re.compile(r"(?:word/document|xl/sharedStrings|ppt/slides/slide\d+|content)\.xml", re.I)
_TAG = re.compile(r"<[^<>]{0,4000}>")


def file_sketches(parsed: ParsedMessage) -> list[tuple[Sketch, str]]:
    """(sketch, file name) of the attachments whose text can be read, at most ``MAX_FILE_SKETCHES``.

    A campaign's HTML page or Office document often carries the recipient's
    address or name, so its bytes differ in every copy and ``file_digests``
    misses it, while its text is the same. Read are HTML and SVG pages and
    plain-text files (their decoded markup and script, which is where an
    HTML attachment's payload is), and the text parts of Word, Excel,
    PowerPoint and OpenDocument files, which the parse has unpacked as
    members. PDF text is not read (the fonts of many generators do not map
    to characters); a PDF is recognised byte for byte.
    """
    by_path = {part.path: part for part in parsed.attachments}
    texts: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for part in parsed.attachments:
        owner = by_path.get(part.parent) if part.is_member else None
        if owner is not None and owner.family == "office":
            if not _DOCUMENT_TEXT.fullmatch(part.filename):
                continue
            text = _TAG.sub(" ", decode_text(part.data[:MAX_FILE_TEXT], "utf-8")[0])
            key, name = owner.path, owner.filename or owner.content_type
        elif part.family in ("html", "text") and part.content_type != "message/rfc822":
            text = decode_text(part.data[:MAX_FILE_TEXT], part.charset)[0]
            key, name = part.path, part.filename or part.content_type
        else:
            continue
        if key not in texts and len(texts) >= MAX_FILE_SKETCHES:
            continue
        texts.setdefault(key, []).append(text)
        names[key] = name
    found = []
    for key, parts in texts.items():
        sketch = sketch_text("\n".join(parts))
        if sketch is not None:
            found.append((sketch, names[key]))
    return found


def overlap(a: Sketch, b: Sketch) -> float:
    """Share of ``a``'s and ``b``'s values they have in common, over the larger sketch (0..1)."""
    return len(set(a.values) & set(b.values)) / max(len(a.values), len(b.values))


def best_match(
    query: Sketch, shared: Mapping[str, int], sizes: Mapping[str, int], minimum: float = MATCH_OVERLAP
) -> list[tuple[str, float]]:
    """Stored sketches resembling ``query``, best first.

    ``shared`` counts, per stored digest, how many of the query's values it
    holds (a ``Counter`` of the digests the query's values lead to);
    ``sizes`` gives each stored sketch's number of values.
    """
    found = []
    for digest, count in shared.items():
        size = sizes.get(digest)
        if not size:
            continue
        share = count / max(len(query.values), size)
        if share >= minimum:
            found.append((digest, round(share, 3)))
    found.sort(key=lambda item: (-item[1], item[0]))
    return found
