"""Fixtures for the check tests: the real clamd, the loopback DNS server, contexts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from mailflow import spool as spool_mod
from mailflow import urlexpand
from mailflow.checks import dnsbl, resources
from mailflow.engine.context import MessageContext

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def clamd_socket() -> str:
    """Start (or reuse) the private clamd of scripts/clamav.sh; its socket path."""
    script = REPO_ROOT / "scripts" / "clamav.sh"
    subprocess.run(["bash", str(script), "start"], check=True, timeout=600)
    subprocess.run(["bash", str(script), "wait"], check=True, timeout=120)
    return str(REPO_ROOT / "var" / "clamav" / "clamd.sock")


@pytest.fixture
def node(settings, dns_server, clamd_socket):
    """Settings of a node using the loopback DNS server and the private clamd; fresh resources."""
    settings.SPE_DNS_NAMESERVERS = ["127.0.0.1"]
    settings.SPE_DNS_PORT = dns_server.port
    settings.SPE_DNS_TIMEOUT = 0.5
    settings.SPE_CLAMD_SOCKET = clamd_socket
    settings.SPE_HOSTNAME = "gateway.spe.test"
    settings.SPE_DNSBL_ZONES = []
    settings.SPE_URIBL_ZONES = []
    resources.reset_all()
    dnsbl.CACHE.clear()
    urlexpand.reset()
    from mailflow.auth import DEFAULT_CACHE

    DEFAULT_CACHE.clear()
    yield settings
    resources.reset_all()
    dnsbl.CACHE.clear()
    urlexpand.reset()


def context(raw: bytes, *, direction: str = "inbound", client_ip: str = "81.2.69.160", helo: str = "mx.sender.test",
            mail_from: str = "alice@sender.test", attempts: int = 0) -> MessageContext:
    """A message as the engine sees it after the receiver accepted it."""
    envelope = spool_mod.Envelope(mail_from=mail_from, recipients=["bob@acme.test"], customer="acme",
                                  direction=direction, client_ip=client_ip, helo=helo, attempts=attempts)
    return MessageContext("test-entry", envelope, raw, None, None)  # type: ignore[arg-type]


def symbol_names(ctx: MessageContext) -> list[str]:
    return [s.name for s in ctx.symbols]
