"""SMTP delivery with connection reuse and per-destination TLS policy.

See docs/mailflow.md. Each worker thread keeps open connections per
destination (host, port, TLS policy) and reuses them with RSET, reconnecting
once when the peer dropped an idle connection. Every recipient gets its own
outcome: delivered (2xx), deferred (4xx, connection failures, TLS required
but unavailable) or failed (5xx).
"""

from __future__ import annotations

import re
import smtplib
import ssl
import threading
import time
from dataclasses import dataclass

from mailflow.addresses import AddressError, validate_address
from mailflow.crlf import has_bare_newline, normalise_newlines

DELIVERED, DEFERRED, FAILED = "delivered", "deferred", "failed"


@dataclass(slots=True)
class RecipientResult:
    address: str
    status: str
    code: int
    reply: str


def _status(code: int) -> str:
    if 200 <= code < 300:
        return DELIVERED
    return FAILED if 500 <= code < 600 else DEFERRED


def _text(msg: bytes | str) -> str:
    return (msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)).replace("\r\n", " ")[:500]


_LEADING_DOT = re.compile(rb"(?m)^\.")
Reply = tuple[int, bytes]


def _dialogue(conn: smtplib.SMTP, mail: str, rcpt_lines: list[str], encoding: str) -> tuple[Reply, list[Reply], Reply]:
    """Send MAIL, the RCPTs and DATA; return their replies (MAIL's, one per RCPT, DATA's).

    With PIPELINING (RFC 2920) the commands go out in one write and the
    replies are read in order: one round trip instead of two plus one per
    recipient. Without it each command waits for its reply, and what can
    no longer succeed is not sent: no RCPT after a refused MAIL (each
    recipient gets MAIL's reply), no DATA when every RCPT was refused.
    """
    if conn.has_extn("pipelining"):
        conn.send((mail + "".join(rcpt_lines) + "DATA\r\n").encode(encoding))
        return conn.getreply(), [conn.getreply() for _ in rcpt_lines], conn.getreply()

    def command(line: str) -> Reply:
        conn.send(line.encode(encoding))
        return conn.getreply()

    mail_reply = command(mail)
    if mail_reply[0] != 250:
        return mail_reply, [mail_reply] * len(rcpt_lines), (503, b"5.5.1 not sent: no valid sender")
    replies = [command(line) for line in rcpt_lines]
    if not any(code in (250, 251) for code, _ in replies):
        return mail_reply, replies, (503, b"5.5.1 not sent: no valid recipients")
    return mail_reply, replies, command("DATA\r\n")


class TLSUnavailable(Exception):
    pass


class SMTPPool:
    """Per-thread open connections, keyed by destination and TLS policy."""

    def __init__(self, helo: str, timeout: float = 30.0, idle: float = 20.0, max_messages: int = 200) -> None:
        self.helo = helo
        self.timeout = timeout
        self.idle = idle
        self.max_messages = max_messages
        self._local = threading.local()

    def _conns(self) -> dict:
        if not hasattr(self._local, "conns"):
            self._local.conns = {}
        return self._local.conns

    def _connect(self, host: str, port: int, tls_policy: str) -> smtplib.SMTP:
        conn = smtplib.SMTP(host, port, local_hostname=self.helo, timeout=self.timeout)
        conn.ehlo()
        if tls_policy == "none":
            return conn
        if not conn.has_extn("starttls"):
            if tls_policy == "required":
                conn.close()
                raise TLSUnavailable(f"TLS required by policy but {host} does not offer STARTTLS")
            return conn
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # encryption; certificate checks come with DANE/MTA-STS
        try:
            conn.starttls(context=context)
            conn.ehlo()
        except (ssl.SSLError, smtplib.SMTPException, OSError):
            conn.close()
            if tls_policy == "required":
                raise
            return self._connect(host, port, "none")
        return conn

    def _checkout(self, key: tuple) -> tuple[smtplib.SMTP, bool]:
        entry = self._conns().pop(key, None)
        if entry is not None:
            conn, last = entry
            if time.monotonic() - last < self.idle and conn._spe_count < self.max_messages:
                return conn, True
            _quit(conn)
        conn = self._connect(*key)
        conn._spe_count = 0
        return conn, False

    def _checkin(self, key: tuple, conn: smtplib.SMTP) -> None:
        conn._spe_count += 1
        self._conns()[key] = (conn, time.monotonic())

    def close_all(self) -> None:
        for conn, _last in self._conns().values():
            _quit(conn)
        self._conns().clear()

    def deliver(self, host: str, port: int, tls_policy: str, mail_from: str, recipients: list[str],
                data: bytes) -> list[RecipientResult]:
        """One SMTP transaction to one destination; an outcome per recipient."""
        try:
            validate_address(mail_from, allow_null=True)
        except AddressError as exc:
            return [RecipientResult(r, FAILED, 553, f"5.1.7 invalid sender: {exc}") for r in recipients]
        if has_bare_newline(data):  # messages made inside the platform; SMTP wants CRLF only
            data = normalise_newlines(data)
        good, results = [], []
        for rcpt in recipients:
            try:
                good.append(validate_address(rcpt))
            except AddressError as exc:
                results.append(RecipientResult(rcpt, FAILED, 553, f"5.1.3 invalid recipient: {exc}"))
        if good:
            results.extend(self._transaction((host, port, tls_policy), mail_from, good, data))
        return results

    def _transaction(self, key: tuple, mail_from: str, rcpts: list[str], data: bytes) -> list[RecipientResult]:
        for attempt in (1, 2):
            try:
                conn, reused = self._checkout(key)
            except TLSUnavailable as exc:
                return [RecipientResult(r, DEFERRED, 454, f"4.7.5 {exc}") for r in rcpts]
            except (OSError, smtplib.SMTPException) as exc:
                return [RecipientResult(r, DEFERRED, 421, f"4.4.1 connection to {key[0]}:{key[1]} failed: {exc}")
                        for r in rcpts]
            try:
                return self._send(key, conn, mail_from, rcpts, data)
            except (TimeoutError, smtplib.SMTPServerDisconnected, ConnectionError) as exc:
                _quit(conn)
                if reused and attempt == 1:
                    continue  # the peer dropped an idle connection: once more on a fresh one
                return [RecipientResult(r, DEFERRED, 421, f"4.4.2 connection lost: {exc}") for r in rcpts]
        raise AssertionError("unreachable")

    def _send(self, key: tuple, conn: smtplib.SMTP, mail_from: str, rcpts: list[str],
              data: bytes) -> list[RecipientResult]:
        """One transaction: MAIL, every RCPT, DATA, the message; an outcome per recipient.

        A reused connection needs no RSET: a completed transaction leaves the
        session ready for MAIL, and a refused one was reset when it was
        checked in (``_reset``). Addresses were validated by the caller, so
        no CR or LF can reach a command line.
        """
        options = []
        if conn.has_extn("8bitmime") and not data.isascii():
            options.append("BODY=8BITMIME")
        if conn.has_extn("smtputf8") and not (mail_from + "".join(rcpts)).isascii():
            options.append("SMTPUTF8")
        encoding = "utf-8" if "SMTPUTF8" in options else "ascii"
        # validated mailboxes (or the null sender): ``<address>`` is what smtplib.quoteaddr would make of them,
        # without parsing each one again
        mail = f"MAIL FROM:<{mail_from}>" + "".join(f" {o}" for o in options) + "\r\n"
        rcpt_lines = [f"RCPT TO:<{r}>\r\n" for r in rcpts]
        (mail_code, mail_msg), replies, (data_code, data_msg) = _dialogue(conn, mail, rcpt_lines, encoding)
        results, accepted = [], []
        for rcpt, (code, msg) in zip(rcpts, replies, strict=True):
            if mail_code != 250:
                results.append(RecipientResult(rcpt, _status(mail_code), mail_code, _text(mail_msg)))
            elif code in (250, 251):
                accepted.append(rcpt)
            else:
                results.append(RecipientResult(rcpt, _status(code), code, _text(msg)))
        if data_code == 354 and not accepted:
            conn.send(b".\r\n")  # a server that took DATA without recipients gets an empty message, then RSET
            conn.getreply()
        if data_code != 354 or not accepted:
            self._reset(key, conn)
            if accepted:  # recipients were fine but DATA was refused
                results.extend(RecipientResult(r, _status(data_code), data_code, _text(data_msg)) for r in accepted)
            return results
        body = _LEADING_DOT.sub(b"..", data)
        conn.send(body + (b".\r\n" if body.endswith(b"\r\n") else b"\r\n.\r\n"))
        code, msg = conn.getreply()
        if code == 250:
            self._checkin(key, conn)
        else:
            self._reset(key, conn)
        results.extend(RecipientResult(r, _status(code), code, _text(msg)) for r in accepted)
        return results

    def _reset(self, key: tuple, conn: smtplib.SMTP) -> None:
        """After a refused transaction: RSET and keep the connection, or drop it."""
        try:
            conn.rset()
            self._checkin(key, conn)
        except (smtplib.SMTPException, OSError):
            _quit(conn)


def _quit(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except (smtplib.SMTPException, OSError):
        conn.close()
