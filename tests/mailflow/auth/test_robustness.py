"""Broken input and broken DNS give error results, never exceptions."""

from __future__ import annotations

import pytest

from mailflow.auth import authentication_results_header, symbols
from tests.mailflow.auth.messages import message


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x00\xff\xfe garbage without headers",
        b"DKIM-Signature: \r\n\r\n",
        b"DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=x; h=from; bh=!!!; b=???\r\nFrom: a@example.com\r\n\r\nx",
        b"ARC-Seal: i=1; cv=none; a=rsa-sha256; d=example.com; s=x; b=AAAA\r\nFrom: a@example.com\r\n\r\nx",
        b"From: =?utf-8?b?broken\r\nFrom: \r\n\r\n",
    ],
)
def test_malformed_messages_give_results(dns_server, check, raw):
    results = check(raw, mail_from="a@example.com")
    assert results.dmarc.result in ("none", "permerror", "fail")
    assert all(sig.result in ("permerror", "fail") for sig in results.dkim)
    assert results.arc.result in ("none", "fail")
    assert authentication_results_header(results, "gw").startswith("gw; spf=")
    assert symbols(results)


def test_invalid_client_ip_is_an_spf_error(dns_server, check):
    assert check(message(), client_ip="not-an-ip", mail_from="a@example.com").spf.result == "permerror"


def test_unreachable_dns_server_gives_temperrors(dns_server, check):
    dns_server.fail("example.com", "timeout")
    dns_server.fail("_dmarc.example.com", "timeout")
    results = check(message(), mail_from="alice@example.com", timeout=0.3)
    assert results.spf.result == "temperror"
    assert results.dmarc.result == "temperror"
