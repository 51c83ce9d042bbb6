"""Fixtures for sender authentication tests: a real loopback DNS server and keys."""

from __future__ import annotations

import pytest

from mailflow.auth import DNSCache, generate_keypair, verify
from spe_testing.dnsserver import DNSTestServer, make_resolver


@pytest.fixture(scope="session")
def keypair() -> tuple[bytes, str]:
    return generate_keypair(2048)


@pytest.fixture(scope="session")
def other_keypair() -> tuple[bytes, str]:
    return generate_keypair(2048)


@pytest.fixture
def dns_server():
    with DNSTestServer() as server:
        yield server


@pytest.fixture
def check(dns_server):
    """Run ``verify`` against the test server with a fresh cache and short timeouts."""
    resolver = make_resolver(dns_server.port, timeout=1.0)

    def run(raw: bytes, *, client_ip: str = "192.0.2.1", helo: str = "mx.example.com", mail_from: str = "", **kw):
        kw.setdefault("cache", DNSCache())
        kw.setdefault("timeout", 1.0)
        return verify(raw, client_ip=client_ip, helo=helo, mail_from=mail_from, resolver=resolver, **kw)

    return run
