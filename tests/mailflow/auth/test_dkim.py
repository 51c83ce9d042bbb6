"""DKIM verification of messages signed with keys published in the test zone."""

from __future__ import annotations

import pytest

from mailflow.auth import sign
from tests.mailflow.auth.messages import message, publish_key


@pytest.fixture
def published(dns_server, keypair):
    private_pem, public_b64 = keypair
    publish_key(dns_server, "s2026", "example.com", public_b64)
    return private_pem


def _signed(
    private_pem: bytes, raw: bytes | None = None, domain: str = "example.com", selector: str = "s2026"
) -> bytes:
    return sign(raw or message(), domain=domain, selector=selector, private_pem=private_pem)


def test_valid_signature_passes(published, check):
    sigs = check(_signed(published)).dkim
    assert len(sigs) == 1
    assert (sigs[0].result, sigs[0].domain, sigs[0].selector) == ("pass", "example.com", "s2026")


def test_body_tampering_fails(published, check):
    raw = _signed(published).replace(b"Hello Bob.", b"Hello Eve.")
    sig = check(raw).dkim[0]
    assert sig.result == "fail"
    assert "body hash" in sig.reason


def test_header_tampering_fails(published, check):
    raw = _signed(published).replace(b"Subject: quarterly figures", b"Subject: urgent wire transfer")
    assert check(raw).dkim[0].result == "fail"


def test_signature_with_another_key_fails(dns_server, published, other_keypair, check):
    raw = _signed(other_keypair[0])  # signed with a key that is not the published one
    assert check(raw).dkim[0].result == "fail"


def test_unsigned_message_has_no_signatures(dns_server, check):
    results = check(message())
    assert results.dkim == ()


def test_missing_key_record_is_permerror(dns_server, keypair, check):
    sig = check(_signed(keypair[0], selector="gone")).dkim[0]
    assert (sig.result, sig.selector) == ("permerror", "gone")


def test_garbage_key_record_is_permerror(dns_server, keypair, check):
    dns_server.add_record("s2026._domainkey.example.com", "TXT", "v=DKIM1; k=rsa; p=bm90IGEga2V5")
    assert check(_signed(keypair[0])).dkim[0].result == "permerror"


def test_key_lookup_timeout_is_temperror(dns_server, published, check):
    dns_server.fail("s2026._domainkey.example.com", "timeout")
    assert check(_signed(published), timeout=0.5).dkim[0].result == "temperror"


def test_garbage_signature_header_is_permerror(dns_server, check):
    raw = b"DKIM-Signature: v=1; a=rsa-sha256; this is not a signature\r\n" + message()
    sig = check(raw).dkim[0]
    assert sig.result == "permerror"


def test_each_signature_gets_its_own_result(dns_server, published, other_keypair, check):
    publish_key(dns_server, "esp", "mailer.example.net", other_keypair[1])
    twice = sign(_signed(published), domain="mailer.example.net", selector="esp", private_pem=other_keypair[0])
    tampered = twice.replace(b"s=s2026", b"s=s2027")  # breaks the inner signature's key lookup
    results = {sig.domain: sig.result for sig in check(tampered).dkim}
    assert results == {"mailer.example.net": "pass", "example.com": "permerror"}
    assert {sig.result for sig in check(twice).dkim} == {"pass"}


def test_expired_signature_is_permerror_and_names_its_domain(dns_server, published, check):
    raw = _signed(published).replace(b"DKIM-Signature: v=1;", b"DKIM-Signature: v=1; x=1000000000;", 1)
    sig = check(raw).dkim[0]
    assert (sig.result, sig.domain, sig.selector) == ("permerror", "example.com", "s2026")
