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
