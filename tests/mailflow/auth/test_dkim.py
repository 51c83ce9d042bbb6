"""DKIM verification of messages signed with keys published in the test zone."""

from __future__ import annotations

import pytest

from mailflow.auth import DNSCache, DNSClient, authentication_results_header, sign
from mailflow.auth.dkimcheck import MAX_HEADER_FIELDS, MAX_SIGNATURES, MAX_SIGNED_FIELDS, LookupBudget, verify_dkim
from spe_testing.dnsserver import make_resolver
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


def _junk_signatures(private_pem: bytes, raw: bytes, count: int, domain: str = "bulk.example.org") -> bytes:
    """``count`` signatures of another domain above ``raw``, the way a hostile relay could stack them."""
    for i in range(count):
        raw = sign(raw, domain=domain, selector=f"j{i}", private_pem=private_pem)
    return raw


def test_from_domain_signature_under_many_others_still_passes_dmarc(dns_server, published, other_keypair, check):
    for i in range(12):
        publish_key(dns_server, f"j{i}", "bulk.example.org", other_keypair[1])
    dns_server.add_record("_dmarc.example.com", "TXT", "v=DMARC1; p=reject")
    raw = _junk_signatures(other_keypair[0], _signed(published), 12)
    results = check(raw, mail_from="alice@example.com")
    verified = [sig for sig in results.dkim if sig.result != "neutral"]
    assert len(verified) == MAX_SIGNATURES
    assert ("example.com", "pass") in {(sig.domain, sig.result) for sig in verified}
    assert results.dkim[-1].result == "neutral" and "8 more signatures not verified" in results.dkim[-1].reason
    assert results.dmarc.result == "pass"
    looked_up = sum(dns_server.query_count(f"j{i}._domainkey.bulk.example.org") for i in range(12))
    assert looked_up == MAX_SIGNATURES - 1
    assert "dkim=neutral" in authentication_results_header(results, "mx.example.net")


def test_silent_key_servers_cost_the_budget_not_a_timeout_each(dns_server, published, other_keypair, check):
    raw = _junk_signatures(other_keypair[0], message(), 5)
    for i in range(5):
        dns_server.fail(f"j{i}._domainkey.bulk.example.org", "timeout")
    results = check(raw, timeout=0.5)
    assert [sig.result for sig in results.dkim] == ["temperror"] * 5
    # two lookups wait their 0.5 s and spend the budget (2 x 0.5 s); the rest are not sent
    unsent = [sig for sig in results.dkim if "no time left" in sig.reason]
    assert len(unsent) >= 2


def test_spent_budget_still_uses_cached_keys(dns_server, published, check):
    cache = DNSCache()
    raw = _signed(published)
    assert check(raw, cache=cache).dkim[0].result == "pass"  # the key is now cached
    client = DNSClient(make_resolver(dns_server.port, timeout=1.0), cache=cache, timeout=1.0)
    spent = LookupBudget(0.0)
    assert verify_dkim(raw, client, budget=spent)[0].result == "pass"
    uncached = DNSClient(make_resolver(dns_server.port, timeout=1.0), cache=DNSCache(), timeout=1.0)
    sig = verify_dkim(raw, uncached, budget=spent)[0]
    assert sig.result == "temperror" and "no time left" in sig.reason


def test_signature_over_too_many_fields_is_permerror(dns_server, published, check):
    names = [f"x-h{i}" for i in range(MAX_SIGNED_FIELDS + 1)]
    raw = b"".join(f"X-H{i}: v\r\n".encode() for i in range(len(names))) + message()
    signed = sign(raw, domain="example.com", selector="s2026", private_pem=published, headers=["from", *names])
    sig = check(signed).dkim[0]
    assert sig.result == "permerror" and "header fields, more than the 200 verified" in sig.reason
    assert sig.domain == "example.com"
    fewer = sign(raw, domain="example.com", selector="s2026", private_pem=published, headers=["from", *names[:150]])
    assert check(fewer).dkim[0].result == "pass"


def test_header_of_too_many_fields_is_not_verified(dns_server, published, check):
    raw = _signed(published)
    padded = raw.replace(b"\r\nFrom:", b"\r\n" + b"X-Pad: 1\r\n" * MAX_HEADER_FIELDS + b"From:", 1)
    results = check(padded)
    assert [sig.result for sig in results.dkim] == ["permerror"]
    assert "header fields, more than the 1000 verified" in results.dkim[0].reason


def test_relaxed_body_step_is_dkimpys_in_linear_time():
    import random
    import re

    import dkim.canonicalization

    from mailflow.auth.dkimcheck import strip_trailing_whitespace

    assert dkim.canonicalization.strip_trailing_whitespace is strip_trailing_whitespace  # installed on import
    rng = random.Random(7)
    for _ in range(5000):
        text = bytes(rng.choice(b" \t\r\na") for _ in range(rng.randint(0, 14)))
        assert strip_trailing_whitespace(text) == re.sub(b"[\t ]+\r\n", b"\r\n", text), text


def test_blank_run_in_a_body_line_still_verifies(dns_server, published, check):
    body = b"Totals:" + b" " * 60_000 + b"42\r\nTrailing blanks here  \t\r\n"
    assert check(_signed(published, message(body=body))).dkim[0].result == "pass"


def test_signature_field_with_a_long_blank_run_or_too_long_is_permerror(dns_server, published, check):
    signed = _signed(published)
    head, _, rest = signed.partition(b"\r\nFrom:")
    folded = head + b"\r\n " * 200 + b"\r\nFrom:" + rest  # 600 blanks in a row, legal folding
    sig = check(folded).dkim[0]
    assert sig.result == "permerror" and "more than 256 white-space characters in a row" in sig.reason
    assert sig.domain == "example.com"
    padded = head.replace(b"; h=", b"; z=" + b"x" * 20_000 + b"; h=", 1) + b"\r\nFrom:" + rest
    sig = check(padded).dkim[0]
    assert sig.result == "permerror" and "more than the 16384 verified" in sig.reason
    assert check(signed).dkim[0].result == "pass"
