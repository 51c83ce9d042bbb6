"""Authentication-Results header (RFC 8601) and the symbols raised for scoring."""

from __future__ import annotations

import pytest

from mailflow.auth import (
    SYMBOLS,
    AuthResults,
    DKIMSignatureResult,
    DMARCResult,
    SPFResult,
    authentication_results_header,
    sign,
    symbols,
)
from tests.mailflow.auth.messages import message, publish_key


def test_header_for_a_fully_authenticated_message(dns_server, keypair, check):
    dns_server.add_record("example.com", "TXT", "v=spf1 ip4:192.0.2.1 -all")
    dns_server.add_record("_dmarc.example.com", "TXT", "v=DMARC1; p=reject")
    publish_key(dns_server, "s1", "example.com", keypair[1])
    raw = sign(message(), domain="example.com", selector="s1", private_pem=keypair[0])
    results = check(raw, client_ip="192.0.2.1", mail_from="alice@example.com")
    b_prefix = results.dkim[0].b_prefix
    assert len(b_prefix) == 8
    assert authentication_results_header(results, "gw.provider.example") == (
        "gw.provider.example; spf=pass smtp.mailfrom=alice@example.com; "
        f"dkim=pass header.d=example.com header.s=s1 header.b={b_prefix}; "
        "dmarc=pass (p=reject dis=none) header.from=example.com; arc=none"
    )
    assert set(symbols(results)) == {("SPF_PASS", -0.5), ("DKIM_VALID", -0.5), ("DMARC_PASS", -1.0), ("ARC_NONE", 0.0)}


def test_header_for_failures_carries_reasons_and_folds():
    results = AuthResults(
        spf=SPFResult("fail", "example.com", "helo", "", "not authorised"),
        dkim=(DKIMSignatureResult("fail", "example.com", "s1", "body hash mismatch (got x)", "abcdefgh"),),
        dmarc=DMARCResult("fail", "example.com", "reject", "reject"),
    )
    value = authentication_results_header(results, "gw", fold=True)
    assert value.split(";\r\n\t") == [
        "gw",
        "spf=fail smtp.helo=example.com",
        "dkim=fail (body hash mismatch got x) header.d=example.com header.s=s1 header.b=abcdefgh",
        "dmarc=fail (p=reject dis=reject) header.from=example.com",
        "arc=none",
    ]


def test_unsigned_message_is_reported_as_dkim_none():
    value = authentication_results_header(AuthResults(), "gw")
    assert value == "gw; spf=none; dkim=none; dmarc=none; arc=none"


@pytest.mark.parametrize(
    ("dmarc", "expected"),
    [
        (DMARCResult("fail", "example.com", "reject", "reject"), ("DMARC_POLICY_REJECT", 5.0)),
        (DMARCResult("fail", "example.com", "reject", "quarantine"), ("DMARC_POLICY_QUARANTINE", 3.0)),
        (DMARCResult("fail", "example.com", "none", "none"), ("DMARC_POLICY_NONE", 0.5)),
        (DMARCResult("temperror"), ("DMARC_TEMPERROR", 0.0)),
    ],
)
def test_dmarc_symbol_follows_the_disposition(dmarc, expected):
    assert expected in symbols(AuthResults(dmarc=dmarc))


def test_failures_score_positive_and_passes_negative():
    failing = AuthResults(spf=SPFResult("fail"), dkim=(DKIMSignatureResult("fail"),))
    assert dict(symbols(failing))["SPF_FAIL"] > 0
    assert dict(symbols(failing))["DKIM_INVALID"] > 0
    assert dict(symbols(AuthResults(spf=SPFResult("softfail"))))["SPF_SOFTFAIL"] > 0
    assert all(SYMBOLS[name].score < 0 for name in ("SPF_PASS", "DKIM_VALID", "DMARC_PASS", "ARC_PASS"))
    assert all(symbol.description for symbol in SYMBOLS.values())
