"""Answers are cached per process within their TTL, failures never are."""

from __future__ import annotations

import pytest

from mailflow.auth import DNSAnswer, DNSCache, DNSClient, sign, verify
from spe_testing.dnsserver import make_resolver
from tests.mailflow.auth.messages import message, publish_key


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def signed(dns_server, keypair):
    dns_server.add_record("example.com", "TXT", "v=spf1 ip4:192.0.2.1 -all", 300)
    dns_server.add_record("_dmarc.example.com", "TXT", "v=DMARC1; p=reject", 300)
    publish_key(dns_server, "s1", "example.com", keypair[1])
    return sign(message(), domain="example.com", selector="s1", private_pem=keypair[0])


def test_repeated_verification_asks_dns_once(dns_server, signed):
    resolver = make_resolver(dns_server.port)
    cache = DNSCache()
    for _ in range(5):
        results = verify(
            signed, client_ip="192.0.2.1", helo="h", mail_from="a@example.com", resolver=resolver, cache=cache
        )
        assert results.dmarc.result == "pass"
    assert dns_server.query_count("s1._domainkey.example.com", "TXT") == 1
    assert dns_server.query_count("example.com", "TXT") == 1
    assert dns_server.query_count("_dmarc.example.com", "TXT") == 1


def test_expired_answers_are_fetched_again(dns_server):
    dns_server.add_record("short.example.com", "A", "192.0.2.5", ttl=30)
    clock = FakeClock()
    client = DNSClient(make_resolver(dns_server.port), cache=DNSCache(clock=clock))
    assert client.query("short.example.com", "A").records[0].address == "192.0.2.5"
    clock.now += 29
    client.query("short.example.com", "A")
    assert dns_server.query_count("short.example.com") == 1
    clock.now += 2
    client.query("short.example.com", "A")
    assert dns_server.query_count("short.example.com") == 2


def test_zero_ttl_and_failures_are_not_cached(dns_server):
    dns_server.add_record("volatile.example.com", "A", "192.0.2.5", ttl=0)
    dns_server.fail("down.example.com", "servfail")
    client = DNSClient(make_resolver(dns_server.port), cache=DNSCache())
    for _ in range(2):
        assert client.query("volatile.example.com", "A").status == "ok"
        assert client.query("down.example.com", "A").failed
    assert dns_server.query_count("volatile.example.com") == 2
    assert dns_server.query_count("down.example.com") == 2


def test_negative_answers_use_the_soa_ttl(dns_server):
    dns_server.add_record("example.com", "SOA", "ns.example.com. h.example.com. 1 3600 600 86400 60")
    client = DNSClient(make_resolver(dns_server.port), cache=DNSCache())
    assert client.query("_dmarc.example.com", "TXT").status == "nxdomain"
    dns_server.add_record("_dmarc.example.com", "TXT", "v=DMARC1; p=none")
    assert client.query("_dmarc.example.com", "TXT").status == "nxdomain"  # still within the negative TTL
    assert dns_server.query_count("_dmarc.example.com") == 1


def test_cache_is_bounded():
    cache = DNSCache(max_entries=3)
    for i in range(10):
        cache.put(("k", i), DNSAnswer("ok"), 60)
    assert len(cache) == 3
    assert cache.get(("k", 9)) is not None
    assert cache.get(("k", 0)) is None
