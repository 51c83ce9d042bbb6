"""A real authoritative DNS server on loopback for tests, benchmarks and dev runs.

It answers over UDP and TCP on the same port from an in-memory record
store (see ``spe_testing.dnszone``) that tests change while it runs. A
name can be switched to time out (no reply at all), SERVFAIL or REFUSED
to exercise failure handling. Usage, the records file format and the
command line are described in docs/sender-auth.md.
"""

from __future__ import annotations

import argparse
import signal
import socketserver
import struct
import sys
import threading
from collections import Counter
from collections.abc import Iterable
from types import TracebackType

import dns.resolver
from dnslib import OPCODE, QTYPE, RCODE, DNSError, DNSHeader, DNSRecord

from spe_testing.dnszone import RecordValue, ZoneStore, normalise, parse_records

UDP_DEFAULT_PAYLOAD = 512


class _Handler(socketserver.BaseRequestHandler):
    server: _UDPServer | _TCPServer

    def handle(self) -> None:
        tcp = isinstance(self.server, _TCPServer)
        data = self._read_tcp() if tcp else self.request[0]
        if not data:
            return
        reply = self.server.owner.answer(data, tcp=tcp)
        if reply is None:
            return
        if tcp:
            self.request.sendall(struct.pack("!H", len(reply)) + reply)
        else:
            self.request[1].sendto(reply, self.client_address)

    def _read_tcp(self) -> bytes:
        self.request.settimeout(5.0)
        try:
            header = self.request.recv(2)
            if len(header) < 2:
                return b""
            (length,) = struct.unpack("!H", header)
            data = b""
            while len(data) < length:
                chunk = self.request.recv(length - len(data))
                if not chunk:
                    return b""
                data += chunk
            return data
        except OSError:
            return b""


class _UDPServer(socketserver.ThreadingUDPServer):
    daemon_threads = True
    allow_reuse_address = False
    owner: DNSTestServer


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: DNSTestServer


class DNSTestServer:
    """Authoritative DNS server on loopback serving records that tests control.

    ``records`` is an iterable of ``(name, rtype, value)`` or
    ``(name, rtype, value, ttl)`` tuples. With ``port=0`` a free port is
    picked (the same one for UDP and TCP) and exposed as ``.port``.
    """

    def __init__(
        self,
        records: Iterable[tuple] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.host = host
        self.store = ZoneStore()
        self._counts: Counter[tuple[str, str]] = Counter()
        self._count_lock = threading.Lock()
        self._servers: list[socketserver.BaseServer] = []
        self._threads: list[threading.Thread] = []
        self.port = port
        for record in records or ():
            self.add_record(*record)

    # -- record management -------------------------------------------------
    def add_record(self, name: str, rtype: str, value: RecordValue, ttl: int = 60) -> None:
        """Add one record; several values for one name and type form an RRset."""
        self.store.add(name, rtype, value, ttl)

    def remove(self, name: str, rtype: str | None = None) -> None:
        """Remove the records of ``name`` (only of ``rtype`` when given)."""
        self.store.remove(name, rtype)

    def clear(self) -> None:
        """Remove every record and every failure switch."""
        self.store.clear()

    def fail(self, name: str, mode: str = "timeout") -> None:
        """Make every query for ``name`` time out, SERVFAIL or be REFUSED."""
        self.store.set_failure(name, mode)

    def heal(self, name: str) -> None:
        """Undo ``fail`` for ``name``."""
        self.store.set_failure(name, None)

    def query_count(self, name: str, rtype: str | None = None) -> int:
        """How many queries for ``name`` (and ``rtype``) reached the server."""
        key = normalise(name)
        with self._count_lock:
            return sum(n for (qn, qt), n in self._counts.items() if qn == key and rtype in (None, qt))

    # -- lifecycle ----------------------------------------------------------
    def start(self) -> DNSTestServer:
        """Bind UDP and TCP on the same port and serve in daemon threads."""
        udp, tcp = self._bind_pair()
        for server in (udp, tcp):
            server.owner = self
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            thread.start()
            self._servers.append(server)
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop serving (both sockets at once) and release the sockets."""
        stoppers = [threading.Thread(target=server.shutdown) for server in self._servers]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()
        for server in self._servers:
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._servers.clear()
        self._threads.clear()

    def __enter__(self) -> DNSTestServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _bind_pair(self) -> tuple[_UDPServer, _TCPServer]:
        last_error: OSError | None = None
        for _ in range(20):
            udp = _UDPServer((self.host, self.port), _Handler)
            port = udp.server_address[1]
            try:
                tcp = _TCPServer((self.host, port), _Handler)
            except OSError as error:
                udp.server_close()
                if self.port:
                    raise
                last_error = error
                continue
            self.port = port
            return udp, tcp
        raise OSError(f"no free port for both UDP and TCP: {last_error}")

    # -- answering ----------------------------------------------------------
    def answer(self, data: bytes, *, tcp: bool) -> bytes | None:
        """Build the wire reply for one query, or None to stay silent."""
        try:
            request = DNSRecord.parse(data)
        except DNSError:
            return None
        reply = request.reply(ra=0, aa=1)
        if request.header.opcode != OPCODE.QUERY or len(request.questions) != 1:
            reply.header.rcode = RCODE.NOTIMP
            return reply.pack()
        question = request.questions[0]
        qtype = QTYPE.get(question.qtype, str(question.qtype))
        with self._count_lock:
            self._counts[(normalise(str(question.qname)), qtype)] += 1
        found = self.store.lookup(str(question.qname), qtype)
        if found.rcode == "TIMEOUT":
            return None
        reply.header.rcode = getattr(RCODE, found.rcode)
        for rr in found.answer:
            reply.add_answer(rr)
        for rr in found.authority:
            reply.add_auth(rr)
        return self._fit(request, reply, tcp)

    @staticmethod
    def _fit(request: DNSRecord, reply: DNSRecord, tcp: bool) -> bytes:
        wire = reply.pack()
        if tcp:
            return wire
        limit = max(UDP_DEFAULT_PAYLOAD, *(opt.rclass for opt in request.ar if opt.rtype == QTYPE.OPT), 0)
        if len(wire) <= limit:
            return wire
        header = DNSHeader(id=reply.header.id, bitmap=reply.header.bitmap)
        header.tc = 1
        return DNSRecord(header, questions=list(reply.questions)).pack()


def make_resolver(port: int, host: str = "127.0.0.1", timeout: float = 2.0) -> dns.resolver.Resolver:
    """A dnspython resolver that asks only the server at ``host``:``port``."""
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [host]
    resolver.port = port
    resolver.timeout = timeout
    resolver.lifetime = timeout
    resolver.retry_servfail = False
    resolver.cache = None
    return resolver


def load_zone_file(server: DNSTestServer, path: str) -> int:
    """Add the records of a records file to ``server``; returns how many."""
    with open(path, encoding="utf-8") as handle:
        records = parse_records(handle)
    for record in records:
        server.add_record(*record)
    return len(records)


def main(argv: list[str] | None = None) -> int:
    """Command line: serve records files until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m spe_testing.dnsserver", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5353)
    parser.add_argument("--zone", action="append", default=[], help="records file (repeatable)")
    args = parser.parse_args(argv)
    server = DNSTestServer(host=args.host, port=args.port)
    count = sum(load_zone_file(server, path) for path in args.zone)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with server:
        sys.stdout.write(f"serving {count} records on {args.host}:{server.port} (udp+tcp)\n")
        sys.stdout.flush()
        try:
            while not stopped.wait(0.5):
                pass
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
