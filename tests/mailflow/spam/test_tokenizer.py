"""The tokenizer reads content and the author's software, never transport or list artefacts."""

from __future__ import annotations

import re

import pytest

from mailflow.spam.tokenizer import _caps_words, tokenize
from mailflow.spam.view import view_from_bytes
from tests.mailflow.spam.builders import view

ARTEFACTS = (
    ("Received", "from relay.lists.example (relay.lists.example [192.0.2.1]) by mx.example"),
    ("List-Id", "Spamassassin talk <spamassassin-talk.lists.sourceforge.net>"),
    ("List-Unsubscribe", "<mailto:leave@lists.example>"),
    ("Delivered-To", "zzzz@spamassassin.taint.org"),
    ("Return-Path", "<bounce-42@lists.example>"),
    ("X-Spam-Status", "No, hits=-5"),
    ("Precedence", "bulk"),
)


def test_transport_and_list_headers_change_no_token() -> None:
    plain = tokenize(view())
    dressed = tokenize(view(extra_headers=ARTEFACTS))
    assert plain == dressed


def test_mail_software_family_is_a_token_without_its_version() -> None:
    tokens = tokenize(view(extra_headers=(("X-Mailer", "Microsoft Outlook Express 6.00.2600.0000"),)))
    newer = tokenize(view(extra_headers=(("X-Mailer", "Microsoft Outlook Express 5.50.4133.2400"),)))
    assert "h:ua:microsoft outlook express" in tokens
    assert tokens == newer
    ua = "Mozilla/5.0 (X11; Linux x86_64; rv:102.0) Gecko/20100101 Thunderbird/102.3.0"
    assert {"h:ua:mozilla", "h:ua:thunderbird"} <= tokenize(view(extra_headers=(("User-Agent", ua),)))


def test_message_id_host_is_never_a_token() -> None:
    tokens = tokenize(view())  # Message-ID <abc123@example.com>, From alice@example.com
    assert "h:mid:sender-host" in tokens
    assert not any("example" in t for t in tokens if t.startswith("h:"))


def test_missing_date_and_message_id_are_tokens() -> None:
    tokens = tokenize(view(date=False, message_id=False))
    assert {"h:date:none", "h:mid:none"} <= tokens


def _dated(value: bytes) -> set[str]:
    raw = b"From: a@example.com\nSubject: hi\nDate: " + value + b"\nMessage-ID: <1@example.com>\n\nhello\n"
    return tokenize(view_from_bytes(raw))


def test_date_with_the_wrong_weekday_is_a_token() -> None:
    assert "h:date:weekday-wrong" in _dated(b"Tue, 03 Mar 2025 10:00:00 +0000")
    assert "h:date:weekday-wrong" not in _dated(b"Mon, 03 Mar 2025 10:00:00 +0000")
    assert "h:date:zone-impossible" in _dated(b"Mon, 03 Mar 2025 10:00:00 +2500")


def test_body_only_reads_no_header_token() -> None:
    assert not any(t.startswith("h:") for t in tokenize(view(), body_only=True))


def test_invisible_characters_and_spaced_letters_are_read_as_the_word() -> None:
    tokens = tokenize(view(text="Reset your pa\u200bss\u200bword now. Cheap V-I-A-G-R-A today."))
    assert {"password", "viagra", "obf:spaced"} <= tokens


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


@pytest.mark.parametrize(
    "text",
    ["FREE MONEY NOW", "ABCd ABC1 _ABC ABC_ xABC", "ÉTATS-UNIS CAFÉ ÉÉÉ ABCé", "NO, YES! OK? AB ABC", "", "A" * 50],
)
def test_shouting_count_matches_the_word_boundary_regex(text):
    assert _caps_words(text) == len(re.findall(r"\b[A-Z]{3,}\b", text))


def test_tokens_do_not_depend_on_what_the_process_met_before(monkeypatch):
    """Words and feature ids are memoised per process; a full, an empty or a reset memo gives the same tokens."""
    from mailflow.spam import model, tokenizer

    raw = (b"Subject: WIN $1,000 now!!\r\nFrom: Prize Desk <win9@prizes.example>\r\n\r\n"
           b"Claim your prize at https://prizes.example/claim?id=77 before Friday. Regards, the team.\r\n")
    first = tokenizer.tokenize(view_from_bytes(raw))
    ids = model.feature_ids(first)
    assert tokenizer.tokenize(view_from_bytes(raw)) == first  # from the memo
    monkeypatch.setattr(tokenizer, "_MEMO_MAX", 0)  # every call now starts the memo afresh
    monkeypatch.setattr(model, "_FEATURE_IDS_MAX", 0)
    tokenizer._CHUNK_TOKENS.clear()
    again = tokenizer.tokenize(view_from_bytes(raw))
    assert again == first and model.feature_ids(again) == ids
    assert {"claim", "prize", "s:win"} <= first
