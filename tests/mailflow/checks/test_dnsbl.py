"""DNS blocklists through the loopback DNS server: listings, outages, caching."""

from __future__ import annotations

import time
import uuid

from mailflow.checks.dnsbl import Dnsbl
from mailflow.engine import pipeline
from tests.mailflow.checks.conftest import context, symbol_names
from tests.mailflow.checks.samples import mail

LISTED_IP = "81.2.69.160"


def zone(dns_server, *listed: str) -> str:
    name = f"bl{uuid.uuid4().hex[:8]}.test"
    for ip in listed:
        dns_server.add_record(".".join(reversed(ip.split("."))) + f".{name}", "A", "127.0.0.2")
    return name


def test_listed_client_gets_the_zone_fact_and_symbol(node, dns_server):
    listing = zone(dns_server, LISTED_IP)
    clean = zone(dns_server)
    node.SPE_DNSBL_ZONES = [f"{listing}:4.5", clean]
    ctx = context(mail().as_bytes(), client_ip=LISTED_IP)
    Dnsbl().run(ctx)
    assert ctx.facts["dnsbl"] == [listing]
    [symbol] = ctx.symbols
    assert symbol.name == "RBL_" + listing.upper().replace(".", "_")
    assert symbol.score == 4.5
    assert "127.0.0.2" in symbol.detail


def test_unlisted_client_has_an_empty_list(node, dns_server):
    node.SPE_DNSBL_ZONES = [zone(dns_server, LISTED_IP)]
    ctx = context(mail().as_bytes(), client_ip="8.8.4.4")
    Dnsbl().run(ctx)
    assert ctx.facts["dnsbl"] == []
    assert ctx.symbols == []


def test_no_zones_configured_means_no_lookups(node):
    ctx = context(mail().as_bytes(), client_ip=LISTED_IP)
    Dnsbl().run(ctx)
    assert ctx.facts["dnsbl"] == []


def test_rfc5782_test_address_is_listed_private_addresses_are_not_looked_up(node, dns_server):
    listing = zone(dns_server, "127.0.0.2", "10.1.2.3")
    node.SPE_DNSBL_ZONES = [listing]
    test_point = context(mail().as_bytes(), client_ip="127.0.0.2")
    Dnsbl().run(test_point)
    assert test_point.facts["dnsbl"] == [listing]
    private = context(mail().as_bytes(), client_ip="10.1.2.3")
    Dnsbl().run(private)
    assert private.facts["dnsbl"] == []


def test_blocklist_outage_is_bounded_and_does_not_hold_mail(node, dns_server):
    slow = zone(dns_server)
    dns_server.fail(f"160.69.2.81.{slow}", "timeout")
    node.SPE_DNSBL_ZONES = [slow]
    ctx = context(mail().as_bytes(), client_ip=LISTED_IP)
    started = time.monotonic()
    pipeline.run_checks(ctx, [Dnsbl])
    assert time.monotonic() - started < 1.5  # SPE_DNS_TIMEOUT is 0.5 s in these tests
    assert ctx.facts["dnsbl"] == []
    assert ctx.facts["dnsbl_errors"] == [slow]
    assert ctx.check_errors == {}


def test_answers_are_cached_per_process(node, dns_server):
    listing = zone(dns_server, LISTED_IP)
    node.SPE_DNSBL_ZONES = [listing]
    Dnsbl().run(context(mail().as_bytes(), client_ip=LISTED_IP))
    dns_server.remove(f"160.69.2.81.{listing}", "A")  # delisted upstream, within the record's TTL
    ctx = context(mail().as_bytes(), client_ip=LISTED_IP)
    Dnsbl().run(ctx)
    assert ctx.facts["dnsbl"] == [listing]
    assert symbol_names(ctx) == ["RBL_" + listing.upper().replace(".", "_")]
