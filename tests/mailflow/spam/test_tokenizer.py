"""The tokenizer reads content, never transport or list artefacts."""

from __future__ import annotations

from mailflow.spam.tokenizer import tokenize
from tests.mailflow.spam.builders import view

ARTEFACTS = (
    ("Received", "from relay.lists.example (relay.lists.example [192.0.2.1]) by mx.example"),
    ("List-Id", "Spamassassin talk <spamassassin-talk.lists.sourceforge.net>"),
    ("List-Unsubscribe", "<mailto:leave@lists.example>"),
    ("Delivered-To", "zzzz@spamassassin.taint.org"),
    ("Return-Path", "<bounce-42@lists.example>"),
    ("X-Mailer", "Mutt 1.4"),
    ("X-Spam-Status", "No, hits=-5"),
    ("Precedence", "bulk"),
)


def test_transport_and_list_headers_change_no_token() -> None:
    plain = tokenize(view())
    dressed = tokenize(view(extra_headers=ARTEFACTS, date=False, message_id=False))
    assert plain == dressed


def test_recipient_address_is_not_a_token() -> None:
    tokens = tokenize(view(extra_headers=(("Cc", "zzzz@spamassassin.taint.org"),)))
    assert not any("taint" in t or "zzzz" in t for t in tokens)


def test_content_words_urls_and_structure_are_tokens() -> None:
    tokens = tokenize(
        view(
            subject="Invoice overdue",
            html='<p>Pay now</p><a href="https://pay.example.top/inv/12">open</a>',
        )
    )
    assert {"s:invoice", "s:overdue", "pay", "url:d:example.top", "url:tld:top"} <= tokens
    assert "html:alt" in tokens and "tag:a" in tokens


def test_body_only_ignores_the_sender() -> None:
    full = tokenize(view(from_="PayPal Service <x@evil.example>"))
    body = tokenize(view(from_="PayPal Service <x@evil.example>"), body_only=True)
    assert "fn:paypal" in full
    assert not any(t.startswith(("fn:", "from:")) for t in body)


def test_hidden_html_text_is_not_read_as_content() -> None:
    html = '<p>Hello</p><div style="display:none">viagra casino lottery</div>'
    tokens = tokenize(view(text=None, html=html))
    assert "hello" in tokens and "viagra" not in tokens
    assert "html:hidden" in tokens
