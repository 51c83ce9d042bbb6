"""SPF verdicts against records served by a real loopback DNS server."""

from __future__ import annotations

import threading

import pytest

from mailflow.auth import DNSCache, verify
from spe_testing.dnsserver import DNSTestServer, make_resolver
from tests.mailflow.auth.messages import message


@pytest.fixture
def spf_zone(dns_server):
    dns_server.add_record("example.com", "TXT", "v=spf1 ip4:192.0.2.0/24 include:_spf.partner.example.net ~all")
    dns_server.add_record("_spf.partner.example.net", "TXT", "v=spf1 ip4:198.51.100.7 -all")
    dns_server.add_record("strict.example.com", "TXT", "v=spf1 ip4:203.0.113.5 -all")
    dns_server.add_record("neutral.example.com", "TXT", "v=spf1 ?all")
    dns_server.add_record("child.example.com", "TXT", "v=spf1 redirect=strict.example.com")
    dns_server.add_record("mx.example.org", "TXT", "v=spf1 a -all")
    dns_server.add_record("mx.example.org", "A", "203.0.113.9")
    return dns_server


@pytest.mark.parametrize(
    ("client_ip", "mail_from", "expected"),
    [
        ("192.0.2.44", "alice@example.com", "pass"),  # ip4 with CIDR
        ("192.0.3.44", "alice@example.com", "softfail"),  # outside the /24, ~all
        ("198.51.100.7", "alice@example.com", "pass"),  # through include:
        ("198.51.100.8", "alice@example.com", "softfail"),  # include did not match
        ("203.0.113.5", "bob@strict.example.com", "pass"),
        ("203.0.113.6", "bob@strict.example.com", "fail"),
        ("203.0.113.5", "bob@child.example.com", "pass"),  # redirect=
        ("203.0.113.6", "bob@child.example.com", "fail"),
        ("203.0.113.6", "bob@neutral.example.com", "neutral"),
        ("203.0.113.6", "bob@nospf.example.com", "none"),
    ],
)
def test_spf_result(spf_zone, check, client_ip, mail_from, expected):
    result = check(message(), client_ip=client_ip, mail_from=mail_from).spf
    assert result.result == expected
    assert result.domain == mail_from.partition("@")[2]
    assert result.identity == "mailfrom"


def test_null_sender_is_checked_against_helo(spf_zone, check):
    result = check(message(), client_ip="203.0.113.9", helo="mx.example.org", mail_from="").spf
    assert (result.result, result.domain, result.identity) == ("pass", "mx.example.org", "helo")


def test_dns_timeout_is_temperror_not_an_exception(spf_zone, check):
    spf_zone.fail("strict.example.com", "timeout")
    result = check(message(), client_ip="203.0.113.5", mail_from="bob@strict.example.com", timeout=0.5).spf
    assert result.result == "temperror"


def test_servfail_is_temperror(spf_zone, check):
    spf_zone.fail("_spf.partner.example.net", "servfail")
    assert check(message(), client_ip="198.51.100.7", mail_from="alice@example.com").spf.result == "temperror"


def test_broken_record_is_permerror(dns_server, check):
    dns_server.add_record("broken.example.com", "TXT", "v=spf1 ip4:not-an-ip -all")
    assert check(message(), client_ip="192.0.2.1", mail_from="x@broken.example.com").spf.result == "permerror"


def test_threads_with_different_resolvers_do_not_mix():
    """Each concurrent check resolves through its own server only."""
    chain = [("example.com", "TXT", "v=spf1 include:i1.example.com include:i2.example.com include:i3.example.com -all")]
    chain += [(f"i{n}.example.com", "TXT", "v=spf1 -all") for n in (1, 2)]
    passing = DNSTestServer([*chain, ("i3.example.com", "TXT", "v=spf1 ip4:192.0.2.1 -all")])
    failing = DNSTestServer([*chain, ("i3.example.com", "TXT", "v=spf1 -all")])
    results: dict[str, list[str]] = {"pass": [], "fail": []}
    with passing, failing:

        def run(server: DNSTestServer, bucket: str) -> None:
            resolver = make_resolver(server.port)
            for _ in range(25):
                res = verify(
                    message(),
                    client_ip="192.0.2.1",
                    helo="h",
                    mail_from="a@example.com",
                    resolver=resolver,
                    cache=DNSCache(),
                )
                results[bucket].append(res.spf.result)

        threads = [threading.Thread(target=run, args=(s, b)) for s, b in ((passing, "pass"), (failing, "fail"))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert set(results["pass"]) == {"pass"}
    assert set(results["fail"]) == {"fail"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_verdict_is_kept_for_a_minute_per_client_sender_and_helo(spf_zone, check, monkeypatch):
    from mailflow.auth import spfcheck

    evaluated = []
    original = spfcheck._evaluate
    monkeypatch.setattr(spfcheck, "_evaluate", lambda client, **kw: evaluated.append(kw) or original(client, **kw))
    clock = Clock()
    cache = DNSCache(clock=clock)
    first = check(message(), client_ip="203.0.113.6", mail_from="bob@strict.example.com", cache=cache).spf
    again = check(message(), client_ip="203.0.113.6", mail_from="bob@strict.example.com", cache=cache).spf
    assert first == again and first.result == "fail" and len(evaluated) == 1
    other = check(message(), client_ip="203.0.113.5", mail_from="bob@strict.example.com", cache=cache).spf
    assert other.result == "pass" and len(evaluated) == 2  # another client address is its own question
    check(message(), client_ip="203.0.113.6", mail_from="carol@strict.example.com", cache=cache)
    assert len(evaluated) == 3
    clock.now += spfcheck.RESULT_TTL + 1
    check(message(), client_ip="203.0.113.6", mail_from="bob@strict.example.com", cache=cache)
    assert len(evaluated) == 4


def test_a_temporary_error_is_not_kept(spf_zone, check):
    cache = DNSCache()
    spf_zone.fail("strict.example.com", "servfail")
    failed = check(message(), client_ip="203.0.113.5", mail_from="bob@strict.example.com", cache=cache).spf
    assert failed.result == "temperror"
    spf_zone.heal("strict.example.com")
    healed = check(message(), client_ip="203.0.113.5", mail_from="bob@strict.example.com", cache=cache).spf
    assert healed.result == "pass"
