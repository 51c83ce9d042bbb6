"""The loopback DNS test server answers like a real authoritative server."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.resolver
import pytest

from spe_testing.dnsserver import DNSTestServer, make_resolver
from spe_testing.dnszone import parse_records

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def server():
    with DNSTestServer(
        [
            ("example.com", "SOA", "ns1.example.com. hostmaster.example.com. 1 3600 600 86400 30"),
            ("example.com", "NS", "ns1.example.com"),
            ("example.com", "A", "192.0.2.10"),
            ("example.com", "AAAA", "2001:db8::10"),
            ("example.com", "MX", "10 mx1.example.com"),
            ("example.com", "MX", (20, "mx2.example.com")),
            ("example.com", "TXT", "v=spf1 -all", 300),
            ("www.example.com", "CNAME", "example.com"),
            ("10.2.0.192.in-addr.arpa", "PTR", "mail.example.com"),
            ("host.deep.example.com", "A", "192.0.2.20"),
        ]
    ) as srv:
        yield srv


def test_answers_each_record_type(server):
    resolver = make_resolver(server.port)
    assert [r.address for r in resolver.resolve("example.com", "A")] == ["192.0.2.10"]
    assert [r.address for r in resolver.resolve("example.com", "AAAA")] == ["2001:db8::10"]
    mx = sorted((r.preference, r.exchange.to_text()) for r in resolver.resolve("example.com", "MX"))
    assert mx == [(10, "mx1.example.com."), (20, "mx2.example.com.")]
    assert resolver.resolve("example.com", "NS")[0].target.to_text() == "ns1.example.com."
    assert resolver.resolve("example.com", "SOA")[0].minimum == 30
    assert resolver.resolve("10.2.0.192.in-addr.arpa", "PTR")[0].target.to_text() == "mail.example.com."
    txt = resolver.resolve("example.com", "TXT")
    assert txt[0].strings == (b"v=spf1 -all",)
    assert txt.rrset.ttl == 300


def test_cname_is_followed_to_the_target(server):
    answer = make_resolver(server.port).resolve("www.example.com", "A")
    assert answer.canonical_name.to_text() == "example.com."
    assert [r.address for r in answer] == ["192.0.2.10"]


def test_long_txt_is_split_into_255_byte_strings(server):
    value = "v=DKIM1; k=rsa; p=" + "A" * 700
    server.add_record("sel._domainkey.example.com", "TXT", value)
    strings = make_resolver(server.port).resolve("sel._domainkey.example.com", "TXT")[0].strings
    assert [len(s) for s in strings] == [255, 255, 208]
    assert b"".join(strings).decode() == value


def test_missing_name_is_nxdomain_with_soa(server):
    query = dns.message.make_query("nothere.example.com", "A")
    response = dns.query.udp(query, "127.0.0.1", port=server.port, timeout=2)
    assert response.rcode() == dns.rcode.NXDOMAIN
    assert response.flags & dns.flags.AA
    assert response.authority[0].rdtype == dns.rdatatype.SOA


def test_existing_name_without_type_is_nodata(server):
    resolver = make_resolver(server.port)
    with pytest.raises(dns.resolver.NoAnswer):
        resolver.resolve("host.deep.example.com", "MX")
    with pytest.raises(dns.resolver.NoAnswer):
        resolver.resolve("deep.example.com", "A")  # empty non-terminal exists
    with pytest.raises(dns.resolver.NXDOMAIN):
        resolver.resolve("other.deep.example.com", "A")


def test_timeout_switch_gives_no_answer_until_healed(server):
    server.fail("example.com", "timeout")
    resolver = make_resolver(server.port, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(dns.resolver.LifetimeTimeout):
        resolver.resolve("example.com", "A")
    assert time.monotonic() - started >= 0.25
    server.heal("example.com")
    assert resolver.resolve("example.com", "A")[0].address == "192.0.2.10"


def test_servfail_switch(server):
    server.fail("example.com", "servfail")
    query = dns.message.make_query("example.com", "A")
    response = dns.query.udp(query, "127.0.0.1", port=server.port, timeout=2)
    assert response.rcode() == dns.rcode.SERVFAIL
    with pytest.raises(dns.resolver.NoNameservers):
        make_resolver(server.port).resolve("example.com", "A")


def test_big_answer_is_truncated_over_udp_and_complete_over_tcp(server):
    for i in range(8):
        server.add_record("big.example.com", "TXT", f"{i}" * 200)
    query = dns.message.make_query("big.example.com", "TXT", use_edns=False)
    udp = dns.query.udp(query, "127.0.0.1", port=server.port, timeout=2)
    assert udp.flags & dns.flags.TC
    tcp = dns.query.tcp(query, "127.0.0.1", port=server.port, timeout=2)
    assert len(tcp.answer[0]) == 8
    assert len(make_resolver(server.port).resolve("big.example.com", "TXT")) == 8


def test_remove_and_clear(server):
    resolver = make_resolver(server.port)
    server.remove("example.com", "A")
    with pytest.raises(dns.resolver.NoAnswer):
        resolver.resolve("example.com", "A")
    assert resolver.resolve("example.com", "AAAA")
    server.clear()
    with pytest.raises(dns.resolver.NXDOMAIN):
        resolver.resolve("example.com", "AAAA")


def test_concurrent_changes_and_queries(server):
    resolver = make_resolver(server.port)
    errors: list[Exception] = []

    def writer() -> None:
        for i in range(100):
            server.add_record(f"h{i}.example.com", "A", f"192.0.2.{i}")

    def reader() -> None:
        try:
            for _ in range(30):
                assert resolver.resolve("example.com", "A")[0].address == "192.0.2.10"
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert resolver.resolve("h99.example.com", "A")[0].address == "192.0.2.99"
    assert server.query_count("example.com", "A") == 120


def test_records_file_format():
    records = parse_records(
        [
            "# comment",
            "example.com A 192.0.2.1",
            "example.com 3600 MX 10 mx.example.com",
            'example.com TXT "v=spf1 " "ip4:192.0.2.0/24 -all"',
            "_dmarc.example.com TXT v=DMARC1; p=reject",
        ]
    )
    assert records == [
        ("example.com", "A", "192.0.2.1", 60),
        ("example.com", "MX", "10 mx.example.com", 3600),
        ("example.com", "TXT", "v=spf1 ip4:192.0.2.0/24 -all", 60),
        ("_dmarc.example.com", "TXT", "v=DMARC1; p=reject", 60),
    ]
    with pytest.raises(ValueError, match="line 1"):
        parse_records(["example.com BOGUS x"])


def _free_port() -> int:
    """A port free for both TCP and UDP (the server listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                try:
                    udp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    raise RuntimeError("no port free for both TCP and UDP")


def test_command_line_serves_a_zone_file(tmp_path):
    zone = tmp_path / "test.zone"
    zone.write_text("example.org A 192.0.2.77\nexample.org TXT v=spf1 a -all\n")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "spe_testing.dnsserver", "--port", str(port), "--zone", str(zone)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first = proc.stdout.readline()
        assert "serving 2 records" in first, first + (proc.stdout.read() if proc.poll() is not None else "")
        resolver = make_resolver(port)
        assert resolver.resolve("example.org", "A")[0].address == "192.0.2.77"
        assert resolver.resolve("example.org", "TXT")[0].strings == (b"v=spf1 a -all",)
    finally:
        proc.terminate()
        assert proc.wait(timeout=5) == 0
