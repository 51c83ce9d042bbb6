"""Countries from geoip2fast's bundled database."""

from __future__ import annotations

from mailflow.checks.country import Country
from tests.mailflow.checks.conftest import context
from tests.mailflow.checks.samples import mail


def with_received(*hops: str) -> bytes:
    raw = mail().as_bytes()
    return b"".join(f"Received: {hop}\r\n".encode() for hop in hops) + raw


def test_client_and_received_countries(node):
    raw = with_received(
        "from client.example.net ([10.0.0.5]) by gateway.spe.test with ESMTP id 1",
        "from relay.example.org (relay.example.org [8.8.8.8]) by mx.example.org",
        "from origin.example.jp ([81.2.69.160]) by relay.example.org; Fri, 27 Nov 2026 10:00:00 +0000",
    )
    ctx = context(raw, client_ip="81.2.69.160")
    Country().run(ctx)
    assert ctx.facts["country"] == "GB"
    assert ctx.facts["received_countries"] == ["US", "GB"]


def test_private_and_unknown_addresses_give_an_empty_country(node):
    for address in ("10.1.2.3", "127.0.0.1", "192.0.2.10", "not-an-ip", ""):
        ctx = context(mail().as_bytes(), client_ip=address)
        Country().run(ctx)
        assert ctx.facts["country"] == ""
        assert ctx.facts["received_countries"] == []
