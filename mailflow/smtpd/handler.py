"""The receiver's SMTP rules: who may send what to whom, answered in the dialogue.

See docs/mailflow.md. Every decision here uses the in-memory routing table;
nothing queries the database. The message is spooled durably (fsync) and a
task is enqueued before the 250 reply; if either fails the client gets a
temporary 4xx and keeps the message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import formatdate

from aiosmtpd.smtp import SMTP, Envelope, Session

from mailflow import spool as spool_mod
from mailflow.addresses import AddressError, split, validate_address
from mailflow.crlf import has_bare_newline, normalise_newlines
from mailflow.routing import CustomerRoute, RoutingTable
from mailflow.smtpd.limits import RateLimiter

log = logging.getLogger(__name__)

SUSPENDED = "450 4.7.1 Service for this domain is suspended, try again later"
EXPIRED = "450 4.7.1 Service for this domain has expired, try again later"


@dataclass
class ReceiverConfig:
    hostname: str
    max_recipients: int = 1000
    max_message_bytes: int = 100 * 1024 * 1024
    messages_per_minute: int = 0  # per client IP; 0 = unlimited
    bare_newline: str = "normalize"  # or "reject"


class Stats:
    """Counters published in the node heartbeat."""

    def __init__(self) -> None:
        self.connections = 0
        self.received = 0
        self.refused = 0
        self.tempfailed = 0


class GatewayHandler:
    """aiosmtpd handler implementing relay control, recipients, limits and spooling."""

    def __init__(self, config: ReceiverConfig, routing: Callable[[], RoutingTable], spool: spool_mod.Spool,
                 enqueue: Callable[[str, str], None], executor: ThreadPoolExecutor | None = None) -> None:
        self.config = config
        self.routing = routing
        self.spool = spool
        self.enqueue = enqueue
        self.executor = executor or ThreadPoolExecutor(max_workers=32, thread_name_prefix="spool")
        self.rate = RateLimiter(config.messages_per_minute)
        self.stats = Stats()

    async def handle_EHLO(self, server: SMTP, session: Session, envelope: Envelope, hostname: str,
                          responses: list[str]) -> list[str]:
        session.host_name = hostname
        extra = ["250-PIPELINING", "250-ENHANCEDSTATUSCODES"]
        return [responses[0], *extra, *responses[1:]]

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          mail_options: list[str]) -> str:
        try:
            validate_address("" if address == "<>" else address, allow_null=True)
        except AddressError as exc:
            return f"553 5.1.7 Bad sender address syntax ({exc})"
        if not self.rate.allow(session.peer[0]):
            self.stats.tempfailed += 1
            return "450 4.7.1 Too many messages from your address, slow down and try again later"
        table = self.routing()
        session.spe_outbound = table.customer_for_client(session.peer[0])
        session.spe_rcpt_customers = {}
        envelope.mail_from = address  # "<>" stays as given: aiosmtpd treats "" as "no MAIL yet"
        envelope.mail_options.extend(mail_options)
        return "250 2.1.0 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        try:
            validate_address(address)
        except AddressError as exc:
            return f"553 5.1.3 Bad recipient address syntax ({exc})"
        table = self.routing()
        outbound: CustomerRoute | None = getattr(session, "spe_outbound", None)
        customer = outbound
        if outbound is None:
            route = table.domain(split(address)[1])
            if route is None:
                self.stats.refused += 1
                return "554 5.7.1 Relay access denied"
            customer = table.customer(route.customer)
            if customer is None:
                return "451 4.3.0 Routing is being updated, try again later"
        refusal = self._status_refusal(customer)
        if refusal:
            return refusal
        if outbound is None and not table.recipient_known(address):
            self.stats.refused += 1
            return "550 5.1.1 Recipient address rejected: user unknown"
        limit = min(self.config.max_recipients, customer.max_recipients)
        if len(envelope.rcpt_tos) >= limit:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        session.spe_rcpt_customers[address] = customer
        return "250 2.1.5 OK"

    @staticmethod
    def _status_refusal(customer: CustomerRoute) -> str | None:
        if customer.status == "active":
            return None
        if customer.status == "expired":
            return EXPIRED if customer.expired_mail == "tempfail" else None
        return SUSPENDED

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data: bytes = envelope.original_content
        if has_bare_newline(data):
            if self.config.bare_newline == "reject":
                self.stats.refused += 1
                return "550 5.5.2 Message refused: bare CR or LF line endings are not allowed"
            data = normalise_newlines(data)
        groups: dict[str, list[str]] = defaultdict(list)
        for rcpt in envelope.rcpt_tos:
            groups[session.spe_rcpt_customers[rcpt].slug].append(rcpt)
        customers = {c.slug: c for c in session.spe_rcpt_customers.values()}
        for slug in groups:
            if len(data) > customers[slug].max_message_bytes:
                self.stats.refused += 1
                return "552 5.3.4 Message size exceeds the limit for this recipient"
        direction = "outbound" if getattr(session, "spe_outbound", None) else "inbound"
        loop = asyncio.get_running_loop()
        try:
            ids = await loop.run_in_executor(
                self.executor, self._spool_and_enqueue, session, envelope, data, groups, customers, direction
            )
        except Exception as exc:
            log.error("message not accepted (temporary failure): %s", exc)
            self.stats.tempfailed += 1
            return "451 4.3.0 Temporary failure, message not accepted, try again later"
        self.stats.received += 1
        return f"250 2.0.0 OK queued as {' '.join(ids)}"

    def _spool_and_enqueue(self, session: Session, envelope: Envelope, data: bytes, groups: dict[str, list[str]],
                           customers: dict[str, CustomerRoute], direction: str) -> list[str]:
        """Write one spool entry per customer, then enqueue; undo all on any failure."""
        written: list[tuple[str, str]] = []
        try:
            for slug, rcpts in groups.items():
                spool_id = spool_mod.new_id()
                headers = self._trace_headers(session, spool_id, rcpts)
                env = spool_mod.Envelope(
                    mail_from="" if envelope.mail_from == "<>" else envelope.mail_from,
                    recipients=rcpts, customer=slug, direction=direction,
                    client_ip=session.peer[0], helo=session.host_name or "", tls=session.ssl is not None,
                )
                self.spool.write(spool_id, env, headers + data)
                written.append((spool_id, customers[slug].queue))
            for spool_id, queue in written:
                self.enqueue(spool_id, queue)
        except Exception:
            for spool_id, _queue in written:
                self.spool.remove(spool_id)
            raise
        return [spool_id for spool_id, _ in written]

    def _trace_headers(self, session: Session, spool_id: str, rcpts: list[str]) -> bytes:
        proto = "ESMTPS" if session.ssl is not None else "ESMTP"
        helo = (session.host_name or "unknown").replace("\r", "").replace("\n", "")[:200]
        for_clause = f"\r\n\tfor <{rcpts[0]}>" if len(rcpts) == 1 else ""
        received = (f"Received: from {helo} ([{session.peer[0]}])\r\n\tby {self.config.hostname} (SPE) "
                    f"with {proto} id {spool_id}{for_clause};\r\n\t{formatdate(time.time(), localtime=False)}\r\n")
        return (f"{received}X-SPE-Id: {spool_id}\r\n").encode("utf-8", "replace")
