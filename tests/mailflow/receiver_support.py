"""An in-process receiver on loopback for receiver-rule tests.

The real ``GatewayHandler`` and ``GatewaySMTP`` on a real socket, with a
routing table the test sets, a spool in a temporary directory and an enqueue
function that records (or fails, to play a broker outage).
"""

from __future__ import annotations

import asyncio
import socket
import threading
from pathlib import Path

from mailflow.routing import CustomerRoute, DomainRoute, RoutingTable
from mailflow.smtpd.handler import GatewayHandler, ReceiverConfig
from mailflow.smtpd.server import serve, tls_context
from mailflow.spool import Spool


def table(**overrides) -> RoutingTable:
    acme = CustomerRoute(slug="acme", schema="c_acme", name="Acme", status="active", queue="array.default",
                         outbound_relays=("10.9.0.0/16",), max_message_bytes=100_000, max_recipients=5)
    globex = CustomerRoute(slug="globex", schema="c_globex", name="Globex", status="active", queue="array.eu")
    customers = {"acme": acme, "globex": globex}
    customers.update(overrides.get("customers", {}))
    return RoutingTable(
        version=1,
        customers=customers,
        domains={
            "acme.test": DomainRoute("acme.test", "acme", "127.0.0.1", 2526),
            "globex.test": DomainRoute("globex.test", "globex", "127.0.0.1", 2526, validate_recipients=True),
        },
        recipients={"globex.test": frozenset({"alice@globex.test"})},
    )


class Receiver:
    def __init__(self, tmp: Path, *, routing: RoutingTable | None = None, **limits) -> None:
        self.table = routing or table()
        self.spool = Spool(tmp / "spool")
        self.enqueued: list[tuple[str, str]] = []
        self.broker_down = False
        config = ReceiverConfig(hostname="mx.gateway.test", max_recipients=limits.pop("max_recipients", 1000),
                                messages_per_minute=limits.pop("messages_per_minute", 0),
                                bare_newline=limits.pop("bare_newline", "normalize"))
        self.handler = GatewayHandler(config, lambda: self.table, self.spool, self._enqueue)
        self.limits = {"max_connections_per_ip": 20, "max_connections": 100, "idle_timeout": 30.0,
                       "session_timeout": 60.0, "data_size_limit": 1_000_000} | limits
        self.tls = tls_context("", "", tmp, "mx.gateway.test")
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def _enqueue(self, spool_id: str, queue: str) -> None:
        if self.broker_down:
            raise ConnectionError("broker unreachable")
        self.enqueued.append((spool_id, queue))

    def __enter__(self) -> Receiver:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(
            serve(self.handler, host="127.0.0.1", port=0, hostname="mx.gateway.test", tls=self.tls, **self.limits),
            self._loop)
        self.server = future.result(10)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc) -> None:
        self._loop.call_soon_threadsafe(self.server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def spooled(self) -> list[tuple]:
        return [self.spool.read(self.spool.path(spool_id)) for spool_id, _queue in self.enqueued]


class RawClient:
    """A line-level SMTP client for protocol tests (no smtplib politeness)."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def reply(self) -> bytes:
        """One complete (possibly multi-line) reply."""
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return b"".join(lines) + self.buf
                self.buf += chunk
            line, self.buf = self.buf.split(b"\r\n", 1)
            lines.append(line + b"\r\n")
            if len(line) < 4 or line[3:4] != b"-":
                return b"".join(lines)

    def command(self, line: bytes) -> bytes:
        self.send(line + b"\r\n")
        return self.reply()

    def close(self) -> None:
        self.sock.close()
