"""Held mail's HTML is never shown unsanitised."""

from __future__ import annotations

import pytest

from mailflow.quarantine.render import BLOCKED, render, sanitise_html


@pytest.mark.parametrize(("hostile", "gone"), [
    ('<script>alert(1)</script><p>hi</p>', "<script"),
    ('<img src="https://tracker.example/p.gif">', "tracker.example"),
    ('<img src="//tracker.example/p.gif">', "tracker.example"),
    ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ('<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>', "data:text/html"),
    ('<p onclick="alert(1)">x</p>', "onclick"),
    ('<form action="https://phish.example/login"><input name="p"></form>', "<form"),
    ('<iframe src="https://evil.example"></iframe>', "<iframe"),
    ('<style>body{background:url(https://t.example/x)}</style>', "t.example"),
])
def test_hostile_html_is_neutralised(hostile, gone):
    assert gone not in sanitise_html(hostile)


def test_remote_images_are_replaced_by_a_visible_placeholder():
    assert BLOCKED in sanitise_html('<p>Logo <img src="http://img.example/logo.png"></p>')


def test_inline_images_and_ordinary_links_stay():
    html = sanitise_html('<a href="https://shop.example/">shop</a><img src="data:image/png;base64,iVBORw0KGgo=">')
    assert 'href="https://shop.example/"' in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "data:image/png" in html


def test_unparseable_bytes_are_shown_as_text_not_markup():
    rendering = render(b"\xff\xfe<script>alert(1)</script>")
    assert rendering.html == ""  # the template escapes .text


def test_html_nested_past_any_mail_program_is_shown_as_escaped_text():
    """100,000 unclosed <div>s cost the sanitiser 20 s; the page shows the words instead, and nothing live."""
    html = sanitise_html('<div onclick="x()">Invoice &amp; terms' + "<div><script>alert(1)</script>" * 2000)
    assert "shown as text" in html
    assert "Invoice &amp; terms" in html
    assert "<script" not in html and "<div" not in html


def test_ordinary_nesting_and_unclosed_list_items_render_as_html():
    html = sanitise_html("<div>" * 30 + "<ul>" + "<li>item" * 1000 + "</ul>" + "</div>" * 30)
    assert "shown as text" not in html
    assert html.count("<li>") == 1000


def test_a_run_of_unclosed_img_tags_still_blocks_remote_images():
    html = sanitise_html("<img a " * 20_000 + '<p><img src="https://tracker.example/p.gif"></p>')
    assert "tracker.example" not in html


def test_a_part_in_a_charset_no_codec_knows_is_shown_as_its_text():
    raw = (b"From: a@example.net\r\nSubject: notice\r\nContent-Type: text/plain; charset=x-bogus-us-ascii\r\n\r\n"
           b"Your parcel is waiting at the depot.\r\n")
    view = render(raw)
    assert view.parse_error == "" and "parcel is waiting" in view.text
