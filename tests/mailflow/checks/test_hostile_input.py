"""Hostile mail through the whole threat stage: a verdict for every message, and the checks still work on it.

What each hostile shape costs is measured by bench/hostile_bench.py; these
tests hold the behaviour: every check runs to the end and says what it saw.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.checks import CHECKS
from mailflow.checks.sender_auth import SenderAuth
from mailflow.engine.pipeline import run_checks
from mailflow.mime import parse_message
from mailflow.mime.policies import MAX_HEADER_CHARS, MAX_MIME_HEADER_CHARS
from mailflow.spam import score, view_from_bytes
from mailflow.spam.urls import parse_url
from spe_testing.hostile import EICAR, Mutator, fold, shaped, with_attachment, zip_of
from tests.mailflow.checks.conftest import context, symbol_names

LOCAL_CHECKS = [c for c in CHECKS if c is not SenderAuth]  # sender authentication is tested over DNS elsewhere
REPO = Path(__file__).resolve().parents[3]


def threat_stage(raw: bytes):
    ctx = context(raw)
    run_checks(ctx, LOCAL_CHECKS)
    assert ctx.check_errors == {}
    assert ctx.facts["spam_probability"] is not None  # the classifier scored it
    return ctx


@pytest.mark.parametrize(
    ("field", "unit"),
    [
        ("from-name", "\u00d3\u00cb".encode("latin-1")),  # undecodable display name: once 50 s at 150 KB
        ("from-name", b"a"),
        ("from-address", b"."),  # a sender domain of 60,000 labels
        ("subject", b"5"),  # trailing-number pattern on a 150 KB subject
        ("content-type", b"&#x41;"),  # a boundary full of semicolons (the stdlib's _parseparam)
        ("filename", b"&#x41;"),
        ("link-host", b"a."),  # a link to a host of 75,000 labels
        ("to", b"a@b.c, "),
        ("html", b"<div>"),
        ("html", b"<a "),  # tags left open to the end: html.parser without the CVE-2025-6069 fix took minutes
        ("html", b"<!--x>"),
    ],
)
def test_long_runs_in_any_field_get_a_verdict(node, field, unit):
    ctx = threat_stage(shaped(field, unit, 150_000))
    assert "spam" in ctx.timings


def test_an_address_in_the_display_name_is_still_seen_after_a_long_name(node):
    raw = fold(b"From", b'"' + b"x" * 5000 + b' support@paypal.com" <billing@payments-check.test>') + (
        b"To: bob@acme.test\r\nSubject: invoice\r\n\r\nsee the invoice\r\n"
    )
    assert "FROM_NAME_HAS_OTHER_ADDRESS" in symbol_names(threat_stage(raw))


def test_a_host_longer_than_dns_allows_is_no_link():
    assert parse_url("http://" + "a." * 200 + "example.com/") is None
    assert parse_url("http://paypal.com.secure-login.example.com/x").host == "paypal.com.secure-login.example.com"
    view = view_from_bytes(shaped("link-host", b"paypal.", 4000))
    assert not view.linked_urls
    lookalike = b'<a href="http://paypal.account-verify.example.net/login">Log in</a>'
    view = view_from_bytes(b"From: a@sender.test\r\nContent-Type: text/html\r\n\r\n" + lookalike)
    assert "BRAND_LOOKALIKE_DOMAIN" in score(view).names


def test_overlong_header_fields_are_clipped_for_the_checks_but_delivered_whole(node):
    boundary = b"x;" * (MAX_MIME_HEADER_CHARS)
    subject = b"word " * (MAX_HEADER_CHARS // 4)
    raw = (
        fold(b"Subject", subject) + b"From: alice@sender.test\r\nTo: bob@acme.test\r\n"
        + fold(b"X-Note", b"n" * 100) + b"Content-Type: text/plain\r\n"
        + fold(b"Content-Disposition", b'inline; filename="' + boundary + b'"') + b"\r\nhello\r\n"
    )
    parsed = parse_message(raw)
    fields = {name.lower(): value for name, value in parsed.headers}
    assert len(fields["subject"]) <= MAX_HEADER_CHARS
    assert fields["subject"].startswith("word word")
    assert len(fields["content-disposition"]) <= MAX_MIME_HEADER_CHARS
    ctx = threat_stage(raw)
    assert ctx.output_bytes().endswith(raw)  # what leaves is what came in, with the verdict headers on top


def test_a_clipped_filename_still_leaves_the_part_scanned(node):
    """A virus behind an attachment name of 100 KB is still found."""
    raw = with_attachment(b"a" * 300 + b".zip", b"application/zip", zip_of([("e.com", EICAR)]))
    head, body = raw.split(b"\r\n\r\n", 1)
    name = b'"' + b"&#x41;" * 20_000 + b'.zip"'
    raw = head + b"\r\n\r\n" + body.replace(b'name="' + b"a" * 300 + b'.zip"', b"name=" + name, 1).replace(
        b'filename="' + b"a" * 300 + b'.zip"', b"filename=" + name, 1
    )
    ctx = context(raw)
    run_checks(ctx, LOCAL_CHECKS)
    assert ctx.check_errors == {}
    assert ctx.facts["virus_found"]


def _seed_messages() -> list[bytes]:
    paths = sorted((REPO / "bench").glob("modern*/**/*.eml"))
    return [p.read_bytes() for p in paths[::4]]


def test_mutated_and_hostile_mail_always_gets_a_verdict(node):
    """A fixed batch of the fuzzer's messages: every check runs to the end on each (the bench runs more)."""
    mutator, seeds = Mutator(20261204), _seed_messages()
    assert seeds
    for n in range(60):
        raw = mutator.message(seeds)
        ctx = context(raw)
        run_checks(ctx, LOCAL_CHECKS)
        assert ctx.check_errors == {}, (n, ctx.check_errors)
        ctx.add_headers.append(("X-Spam-Score", str(ctx.score)))
        assert ctx.output_bytes().startswith(b"X-Spam-Score: ")
