"""The receiver's SMTP server: aiosmtpd with connection limits and timeouts.

See docs/mailflow.md. ``GatewaySMTP`` adds per-IP and total connection
limits (421 4.7.0), an idle timeout (aiosmtpd's own) and a total session
timeout (421 4.4.2), and reads DATA in blocks rather than line by line
(``mailflow.smtpd.data``, which keeps aiosmtpd 1.4.6's rule that only
CRLF.CRLF ends DATA). aiosmtpd discards plaintext pipelined after STARTTLS,
answers over-long command lines with 500 and commands out of order with 503.
"""

from __future__ import annotations

import asyncio
import datetime
import re
import ssl
from pathlib import Path

from aiosmtpd.smtp import MISSING, SMTP

from mailflow.smtpd.data import read_data
from mailflow.smtpd.handler import GatewayHandler
from mailflow.smtpd.limits import ConnectionLimiter

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# The common path: a dot-atom local part at a host name, then nothing or plain parameters.
_PLAIN_PATH = re.compile(rf"<({_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})*)>(?=$| [^(]*$)")


# aiosmtpd sizes the stream's buffer by this; its DATA loop (replaced below) is the only other user.
# A connection buffers at most twice this before its transport is paused: 32 KB, 64 MB for 2000 clients.
STREAM_LIMIT = 16 * 1024
DATA_LINE_LIMIT = 1001  # aiosmtpd's: 1000 octets and CRLF, and one to spare


class GatewaySMTP(SMTP):
    """One SMTP session, refused at once when its client has too many."""

    line_length_limit = STREAM_LIMIT

    def __init__(self, handler: GatewayHandler, *, limiter: ConnectionLimiter, session_timeout: float,
                 **kwargs) -> None:
        super().__init__(handler, **kwargs)
        self.limiter = limiter
        self.session_timeout = session_timeout
        self._spe_ip: str | None = None
        self._spe_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        first = self.transport is None
        super().connection_made(transport)
        if not first:
            return  # STARTTLS upgrade of a connection already counted
        peer = transport.get_extra_info("peername")
        ip = peer[0] if peer else ""
        if not self.limiter.acquire(ip):
            transport.write(b"421 4.7.0 Too many connections from your address, try again later\r\n")
            transport.close()
            return
        self._spe_ip = ip
        self.event_handler.stats.connections += 1
        self._spe_deadline = self.loop.call_later(self.session_timeout, self._session_expired)

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """aiosmtpd's MAIL/RCPT address parser, with a fast path for ``<local@host>``.

        aiosmtpd runs every address through the email package's RFC 5322
        parser and builds a class on each call, which was a tenth of the
        receiver's CPU. For a dot-atom at a host name, followed by nothing
        or by parameters without comments, that parser's answer is the text
        between the brackets; every other form still goes to aiosmtpd.
        """
        match = _PLAIN_PATH.match(arg)
        if match is None:
            return super()._getaddr(arg)
        address = match.group(1)
        if self.local_part_limit and len(address.rpartition("@")[0]) > self.local_part_limit:
            return None, None
        return address, arg[match.end() :].lstrip()

    async def smtp_DATA(self, arg: str) -> None:
        """aiosmtpd's DATA command with the message read in blocks (``mailflow.smtpd.data``).

        The checks before the 354 and the handling after the end of data are
        aiosmtpd's own; this server never decodes DATA (``decode_data=False``).
        """
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        try:
            result = await read_data(self._reader, line_limit=DATA_LINE_LIMIT, size_limit=self.data_size_limit)
        except asyncio.CancelledError:  # the connection went away during DATA
            self._writer.close()
            raise
        if result.refusal:
            await self.push(result.refusal)
            self._set_post_data_state()
            return
        self.envelope.content = self.envelope.original_content = result.content
        status = await self._call_handler_hook("DATA") if "DATA" in self._handle_hooks else MISSING
        self._set_post_data_state()
        await self.push("250 OK" if status is MISSING else status)

    def _timeout_cb(self) -> None:
        """Idle too long: say so before closing (aiosmtpd closes silently)."""
        if self.transport is not None:
            self.transport.write(b"421 4.4.2 Idle timeout, closing connection\r\n")
        super()._timeout_cb()

    def _session_expired(self) -> None:
        if self.transport is not None:
            self.transport.write(b"421 4.4.2 Session time limit exceeded, closing connection\r\n")
            self.transport.close()

    def connection_lost(self, error: Exception | None) -> None:
        if self._spe_ip is not None:
            self.limiter.release(self._spe_ip)
            self._spe_ip = None
        if self._spe_deadline is not None:
            self._spe_deadline.cancel()
        super().connection_lost(error)


def tls_context(cert: str, key: str, var_dir: Path, hostname: str) -> ssl.SSLContext:
    """Server TLS context from the configured files, or a self-signed pair made once."""
    if not cert or not key:
        cert, key = _self_signed(var_dir / "tls", hostname)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def _self_signed(directory: Path, hostname: str) -> tuple[str, str]:
    cert_path, key_path = directory / "smtpd.crt", directory / "smtpd.key"
    if cert_path.exists() and key_path.exists():
        return str(cert_path), str(key_path)
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(cert_path), str(key_path)


async def serve(handler: GatewayHandler, *, host: str, port: int, hostname: str, tls: ssl.SSLContext | None,
                max_connections_per_ip: int, max_connections: int, idle_timeout: float,
                session_timeout: float, data_size_limit: int) -> asyncio.base_events.Server:
    """Start listening; returns the asyncio server."""
    limiter = ConnectionLimiter(per_ip=max_connections_per_ip, total=max_connections)
    handler.limiter = limiter
    loop = asyncio.get_running_loop()

    def factory() -> GatewaySMTP:
        return GatewaySMTP(
            handler, limiter=limiter, session_timeout=session_timeout, data_size_limit=data_size_limit,
            enable_SMTPUTF8=True, decode_data=False, hostname=hostname, ident="SPE",
            tls_context=tls, require_starttls=False, timeout=idle_timeout, loop=loop,
        )

    return await loop.create_server(factory, host=host, port=port, reuse_address=True)
