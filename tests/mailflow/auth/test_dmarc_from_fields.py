"""DMARC's author domain from the engine's own parse equals the one it reads itself.

The engine hands ``verify`` the From fields of its compat32 parse so DMARC
does not parse the header section a second time; on every corpus message,
and on mutated ones, both must name the same domain or the same problem.
"""

from __future__ import annotations

import random

import pytest

from mailflow.auth.dmarc import from_domain_of
from mailflow.mime import parse_message
from mailflow.spam.corpus import CorpusError, default_corpus_dir, iter_corpus

TRICKY = [
    b"From: a@one.example\r\nFrom: b@two.example\r\n\r\nbody\r\n",
    b"From: =?utf-8?q?Boss?= <ceo@corp.example>\r\n\r\nx\r\n",
    b"From: \"x@evil.example\" <ceo@corp.example>\r\n\r\nx\r\n",
    b"From: a@one.example, b@two.example\r\n\r\nx\r\n",
    b"From: undisclosed\r\n\r\nx\r\n",
    b"Subject: no from\r\n\r\nFrom: body@text.example\r\n",
    b"Subject: x\r\ngarbage line\r\nFrom: late@after.example\r\n\r\nx\r\n",
    b"From:\r\n  folded@fold.example\r\n\r\nx\r\n",
    b"FROM: Upper <u@case.example>\r\n\r\nx\r\n",
    b"From: \xe9t\xe9 <\xe9@h\xf4te.example>\r\n\r\nx\r\n",
    b"From: a@trailing.example.\r\n\r\nx\r\n",
    b"",
]


def agree(raw: bytes) -> None:
    parsed = parse_message(raw)
    assert from_domain_of(raw, parsed.from_fields) == from_domain_of(raw)


@pytest.mark.parametrize("raw", TRICKY)
def test_crafted_headers(raw):
    agree(raw)


def test_corpus_messages_and_mutations():
    try:
        samples = list(iter_corpus(default_corpus_dir()))
    except (CorpusError, OSError) as exc:
        pytest.fail(f"the development corpus is needed here: {exc}")
    rng = random.Random(7)
    for sample in samples[::3]:
        raw = sample.raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")  # as the receiver spools it
        agree(raw)
        cut = rng.randrange(0, max(1, min(len(raw), 3000)))
        agree(raw[:cut])
        agree(raw[:cut] + bytes([rng.randrange(256)]) + raw[cut + 1:])
