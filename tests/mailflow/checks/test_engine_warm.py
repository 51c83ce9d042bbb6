"""An engine process warms up before its first message, and a failing warm-up never stops it."""

from __future__ import annotations

import socket

from mailflow.checks import dnsbl, newdomains, resources
from mailflow.engine import warm


def test_warm_up_loads_models_and_scanners_and_asks_no_network(node, dns_server, monkeypatch):
    redis = newdomains._client()
    redis.hdel(newdomains.FIRST_SEEN, "example.com")
    newdomains.forget_local()
    asked: list[str] = []
    original = dnsbl.lookup
    monkeypatch.setattr(dnsbl, "lookup", lambda name, timeout: asked.append(name) or original(name, timeout))
    connects: list[object] = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        connects.append(address)
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    done = warm.warm_up()
    assert done["errors"] == {}
    assert {"antivirus", "spam", "attachments"} <= set(done["checks"])
    # nothing that asks DNS, and nothing that writes shared state (the first-seen domain store)
    assert not {"sender_auth", "dnsbl", "urls", "new_domains"} & set(done["checks"])
    # loaded once, here, for every message after it
    assert all(holder._value is not None for holder in (resources._model, resources._scanner, resources._geoip))
    assert asked == []
    # the platform's first-seen domain record is not touched by the built-in message
    assert redis.hget(newdomains.FIRST_SEEN, "example.com") is None
    # the only connection made is to the local clamd's socket, never to a DNS server or a mail host
    assert connects and all(isinstance(a, str) and a == node.SPE_CLAMD_SOCKET for a in connects)


def test_warm_up_with_the_scanner_down_reports_it_and_does_not_raise(node, tmp_path):
    node.SPE_CLAMD_SOCKET = str(tmp_path / "no-clamd.sock")
    done = warm.warm_up()
    assert "antivirus" in done["errors"]["warm-up"]
