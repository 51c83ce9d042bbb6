"""DMARC: policy discovery, alignment and disposition against the test zone."""

from __future__ import annotations

import pytest

from mailflow.auth import sign
from mailflow.auth.dmarc import org_domain, parse_record
from tests.mailflow.auth.messages import message, publish_key

GOOD_IP = "192.0.2.25"
BAD_IP = "203.0.113.66"


@pytest.fixture
def zone(dns_server, keypair):
    dns_server.add_record("example.com", "TXT", f"v=spf1 ip4:{GOOD_IP} -all")
    dns_server.add_record("_dmarc.example.com", "TXT", "v=DMARC1; p=reject; sp=quarantine; rua=mailto:d@example.com")
    dns_server.add_record("bounces.example.com", "TXT", f"v=spf1 ip4:{GOOD_IP} -all")
    dns_server.add_record("relaxed.example.org", "TXT", f"v=spf1 ip4:{GOOD_IP} -all")
    publish_key(dns_server, "k1", "example.com", keypair[1])
    publish_key(dns_server, "k1", "news.example.com", keypair[1])
    return dns_server


def test_reject_when_nothing_aligned_passes(zone, check):
    dmarc = check(message(), client_ip=BAD_IP, mail_from="alice@example.com").dmarc
    assert (dmarc.result, dmarc.policy, dmarc.disposition) == ("fail", "reject", "reject")
    assert dmarc.from_domain == "example.com"
    assert not dmarc.spf_aligned and not dmarc.dkim_aligned


def test_spf_pass_for_an_unrelated_domain_does_not_align(zone, check):
    results = check(message(), client_ip=GOOD_IP, mail_from="x@relaxed.example.org")
    assert results.spf.result == "pass"
    assert results.dmarc.result == "fail"


def test_aligned_spf_pass_passes(zone, check):
    dmarc = check(message(), client_ip=GOOD_IP, mail_from="alice@bounces.example.com").dmarc
    assert (dmarc.result, dmarc.disposition, dmarc.spf_aligned) == ("pass", "none", True)


def test_aligned_dkim_passes_even_when_spf_fails(zone, keypair, check):
    raw = sign(message(), domain="news.example.com", selector="k1", private_pem=keypair[0])
    results = check(raw, client_ip=BAD_IP, mail_from="alice@example.com")
    assert results.spf.result == "fail"
    assert (results.dmarc.result, results.dmarc.dkim_aligned, results.dmarc.disposition) == ("pass", True, "none")


def test_strict_dkim_alignment_needs_the_exact_domain(zone, keypair, check):
    zone.remove("_dmarc.example.com")
    zone.add_record("_dmarc.example.com", "TXT", "v=DMARC1; p=reject; adkim=s")
    raw = sign(message(), domain="news.example.com", selector="k1", private_pem=keypair[0])
    assert check(raw, client_ip=BAD_IP, mail_from="alice@example.com").dmarc.result == "fail"
    raw = sign(message(), domain="example.com", selector="k1", private_pem=keypair[0])
    assert check(raw, client_ip=BAD_IP, mail_from="alice@example.com").dmarc.result == "pass"


def test_subdomain_uses_org_record_and_its_sp(zone, check):
    raw = message("Billing <billing@a.b.example.com>")
    dmarc = check(raw, client_ip=BAD_IP, mail_from="billing@a.b.example.com").dmarc
    assert dmarc.record_domain == "example.com"
    assert (dmarc.from_domain, dmarc.result, dmarc.policy, dmarc.disposition) == (
        "a.b.example.com",
        "fail",
        "quarantine",
        "quarantine",
    )


def test_own_record_of_a_subdomain_wins_over_the_org_record(zone, check):
    zone.add_record("_dmarc.shop.example.com", "TXT", "v=DMARC1; p=none")
    dmarc = check(message("shop@shop.example.com"), client_ip=BAD_IP, mail_from="shop@shop.example.com").dmarc
    assert (dmarc.record_domain, dmarc.policy, dmarc.disposition) == ("shop.example.com", "none", "none")
    assert dmarc.result == "fail"


def test_no_record_means_none(dns_server, check):
    dmarc = check(message("x@example.net"), client_ip=BAD_IP, mail_from="x@example.net").dmarc
    assert (dmarc.result, dmarc.disposition) == ("none", "none")


def test_pct_zero_downgrades_reject_to_quarantine(zone, check):
    zone.remove("_dmarc.example.com")
    zone.add_record("_dmarc.example.com", "TXT", "v=DMARC1; p=reject; pct=0")
    dmarc = check(message(), client_ip=BAD_IP, mail_from="alice@example.com").dmarc
    assert (dmarc.result, dmarc.policy, dmarc.disposition, dmarc.pct_applied) == (
        "fail",
        "reject",
        "quarantine",
        False,
    )


def test_policy_lookup_timeout_is_temperror(zone, check):
    zone.fail("_dmarc.example.com", "timeout")
    dmarc = check(message(), client_ip=GOOD_IP, mail_from="alice@example.com", timeout=0.5).dmarc
    assert dmarc.result == "temperror"


def test_two_from_headers_are_a_permerror(zone, check):
    raw = b"From: mallory@evil.example\r\n" + message()
    assert check(raw, client_ip=GOOD_IP, mail_from="alice@example.com").dmarc.result == "permerror"


def test_two_dmarc_records_mean_no_policy(zone, check):
    zone.add_record("_dmarc.example.com", "TXT", "v=DMARC1; p=none")
    assert check(message(), client_ip=BAD_IP, mail_from="alice@example.com").dmarc.result == "none"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v=DMARC1; p=reject", ("reject", "reject", "r", "r", 100)),
        ("v=DMARC1;p=quarantine;sp=none;adkim=s;aspf=s;pct=20", ("quarantine", "none", "s", "s", 20)),
        ("v=DMARC1; p=bogus; rua=mailto:x@example.com", ("none", "none", "r", "r", 100)),
        ("v=DMARC1; p=reject; pct=400; adkim=x", ("reject", "reject", "r", "r", 100)),
    ],
)
def test_parse_record(text, expected):
    record = parse_record(text)
    assert (record.p, record.sp, record.adkim, record.aspf, record.pct) == expected


@pytest.mark.parametrize("text", ["p=reject; v=DMARC1", "v=DMARC1; p=bogus", "v=spf1 -all"])
def test_unusable_records_are_ignored(text):
    assert parse_record(text) is None


def test_org_domain_uses_the_bundled_public_suffix_list():
    assert org_domain("a.b.example.com") == "example.com"
    assert org_domain("mail.shop.example.co.uk") == "example.co.uk"
    assert org_domain("Example.COM.") == "example.com"
