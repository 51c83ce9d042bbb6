"""Parsing raw mail into a MessageView, including hostile input."""

from __future__ import annotations

import random

import pytest

from mailflow.spam import score
from mailflow.spam.view import MessageView, view_from_bytes
from tests.mailflow.spam.builders import build


def test_multipart_message_yields_text_html_links_and_attachments() -> None:
    raw = build(
        subject="=?utf-8?q?Caf=C3=A9_menu?=",
        html='<p>See <a href="https://menu.example.net/today">the menu</a></p>',
        attachments=(("menu.pdf", "application/pdf", b"%PDF-1.4"),),
    )
    view = view_from_bytes(raw)
    assert view.subject == "Café menu"
    assert view.from_address == "alice@example.com"
    assert "meeting" in view.text
    assert "the menu" in view.html_text
    assert "https://menu.example.net/today" in view.urls
    assert ("menu.pdf", "application/pdf") in view.attachments


def test_unknown_charset_is_decoded_lossily() -> None:
    raw = b"From: a@example.com\nSubject: hi\nContent-Type: text/plain; charset=x-klingon\n\ncaf\xe9 opening hours\n"
    view = view_from_bytes(raw)
    assert "opening hours" in view.text


def test_mbox_from_line_and_missing_blank_line() -> None:
    raw = b"From sender@example.com Mon Jan  1 00:00:00 2002\nSubject: x\nFrom: a@b.example\nbody?"
    view = view_from_bytes(raw)
    assert view.subject == "x"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe" * 500,
        b"Content-Type: multipart/mixed; boundary=zz\n\n--zz\nContent-Type: text/html\n\n<a href=",
        b"Subject: =?utf-8?b?####?=\nContent-Transfer-Encoding: base64\n\n!!!not base64",
        b"Content-Type: multipart/alternative\n\nno boundary at all",
        b"From: <<<@@@>>>\nSubject: " + b"A" * 100_000 + b"\n\nx",
    ],
)
def test_garbage_never_raises_and_still_scores(raw: bytes) -> None:
    view = view_from_bytes(raw)
    assert isinstance(view, MessageView)
    assert score(view).score == score(view).score  # a finite, repeatable number


def test_random_bytes_never_raise() -> None:
    rng = random.Random(5)
    for _ in range(50):
        raw = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
        score(view_from_bytes(raw))


def test_from_parts_collects_urls_without_a_parse() -> None:
    view = MessageView.from_parts(
        subject="s",
        from_="Shop <news@shop.example>",
        text_bodies=["visit www.shop.example/sale now"],
        html_bodies=['<a href="http://198.51.100.7/x">go</a>'],
        attachments=[("a.html", "text/html")],
    )
    hosts = {u.host for u in view.parsed_urls}
    assert hosts == {"www.shop.example", "198.51.100.7"}
    assert view.from_name == "Shop"


def test_raw_8bit_subject_is_decoded_with_the_body_charset() -> None:
    raw = (
        b"From: a@example.com\nSubject: \xc4\xe3\xba\xc3 offer\n"
        b"Content-Type: text/plain; charset=gb2312\n\n\xc4\xe3\xba\xc3\n"
    )
    assert view_from_bytes(raw).subject == "你好 offer"


def _with_html_attachment(page: bytes, charset: str = "utf-8") -> bytes:
    return (
        b"From: a@example.com\nSubject: remittance\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nSee attached.\n'
        b"--b\nContent-Type: text/html; charset=" + charset.encode() + b'\nContent-Disposition: attachment; '
        b'filename="Remittance.htm"\n\n' + page + b"\n--b--\n"
    )


def test_attached_page_in_an_unknown_charset_is_still_read() -> None:
    view = view_from_bytes(_with_html_attachment(b'<form action="https://x.web.app/p">caf\xe9</form>', "x-klingon"))
    assert view.attached_html and "caf" in view.attached_html[0]
    assert "HTML_ATTACHMENT_ACTIVE" in score(view).names


def test_oversized_or_garbage_attached_pages_are_skipped_without_error() -> None:
    huge = b"<p>" + b"A" * (600 * 1024) + b"</p><form></form>"
    assert view_from_bytes(_with_html_attachment(huge)).attached_html == ()
    garbage = bytes(random.Random(5).getrandbits(8) for _ in range(20_000))
    verdict = score(view_from_bytes(_with_html_attachment(garbage)))  # a verdict, not an exception
    assert "HTML_ATTACHMENT" in verdict.names
