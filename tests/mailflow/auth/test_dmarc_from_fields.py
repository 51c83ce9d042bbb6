"""DMARC's author domain from the engine's own parse equals the one it reads itself.

The engine hands ``verify`` the From fields of its compat32 parse so DMARC
does not parse the header section a second time; on crafted headers and on
thousands of generated and mutated ones, both must name the same domain or
the same problem.
"""

from __future__ import annotations

import random

import pytest

from mailflow.auth.dmarc import from_domain_of
from mailflow.mime import parse_message

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


FROM_VALUES = [
    b"a@one.example", b"Alice <alice@one.example>", b"\"Doe, Jane\" <jane@two.example>",
    b"=?utf-8?b?w4lsaXNl?= <elise@three.example>", b"bob@four.example (Bob)", b"group: a@x.example, b@y.example;",
    b"<route@five.example>", b"no address at all", b"a@six.example, b@six.example", b"\xe9\xe8 <x@seven.example>",
    b"Name\r\n <folded@eight.example>", b"", b"@nine.example", b"x@[192.0.2.1]",
]
OTHER_HEADERS = [b"Subject: hello", b"To: bob@acme.test", b"Date: Mon, 1 Jan 2024 10:00:00 +0000",
                 b"Message-ID: <1@x.example>", b"X-Mailer: test", b"Reply-To: r@reply.example",
                 b"Content-Type: text/plain; charset=utf-8", b"Sender: s@sender.example"]


def generated(rng: random.Random) -> bytes:
    lines = rng.sample(OTHER_HEADERS, rng.randint(0, len(OTHER_HEADERS)))
    for _ in range(rng.choice([0, 1, 1, 1, 2])):
        lines.insert(rng.randint(0, len(lines)), rng.choice([b"From: ", b"FROM:", b"from :", b"From:"])
                     + rng.choice(FROM_VALUES))
    body = rng.choice([b"Hello.\r\n", b"From: body@text.example\r\n", b"", b"line\r\n" * 5])
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def test_generated_and_mutated_messages():
    rng = random.Random(7)
    for _ in range(3000):
        raw = generated(rng)
        agree(raw)
        cut = rng.randrange(0, len(raw) + 1)
        agree(raw[:cut])
        agree(raw[:cut] + bytes([rng.randrange(256)]) + raw[cut + 1:])
