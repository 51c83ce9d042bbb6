"""Processing one spooled message from receipt to a final state (docs/mailflow.md).

``process_entry`` is what the Celery task runs. Under the entry's lock it
reads the spool, runs the engine (once: a message deferred for retry keeps
the processed bytes), delivers, bounces what failed, logs the outcome, and
removes the entry only when nothing is left to do. Every step can be
repeated after a crash without losing the message; a message that already
left the spool is not processed again.
"""

from __future__ import annotations

import logging
import os
import time
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings

from mailflow import msglog
from mailflow import spool as spool_mod
from mailflow.addresses import split
from mailflow.archive import capture as archive_capture
from mailflow.delivery import mx
from mailflow.delivery.client import DEFERRED, DELIVERED, FAILED, RecipientResult, SMTPPool
from mailflow.delivery.dkim import sign_outbound
from mailflow.delivery.dsn import build_dsn
from mailflow.engine import pipeline
from mailflow.engine.context import Disposition, MessageContext
from mailflow.mime.types import ParsedMessage
from mailflow.quarantine import hold as quarantine_hold
from mailflow.queueing import enqueue
from mailflow.routing import RoutingCache, RoutingTable

log = logging.getLogger(__name__)


class Gateway:
    """Per-process state of an engine worker: spool, routing, connections."""

    @cached_property
    def spool(self) -> spool_mod.Spool:
        return spool_mod.Spool(settings.SPE_SPOOL_DIR)

    @cached_property
    def routing(self) -> RoutingCache:
        return RoutingCache(settings.VAR_DIR / "cache" / "routing.json", check_every=settings.SPE_CONFIG_CHECK_EVERY)

    @cached_property
    def smtp(self) -> SMTPPool:
        return SMTPPool(helo=settings.SPE_HOSTNAME)

    @cached_property
    def resolver(self):
        return mx.make_resolver(settings.SPE_DNS_NAMESERVERS, settings.SPE_DNS_PORT, settings.SPE_DNS_TIMEOUT)

    @cached_property
    def redis(self):
        from tenants.cache import client

        return client()


_gateway: tuple[int, Gateway] | None = None


def gateway() -> Gateway:
    """This process's Gateway (a forked child builds its own)."""
    global _gateway
    if _gateway is None or _gateway[0] != os.getpid():
        _gateway = (os.getpid(), Gateway())
    return _gateway[1]


@dataclass
class Outcome:
    state: str
    results: list[RecipientResult]


def process_entry(spool_id: str) -> str:
    """Process one spool entry; returns what happened (for logs and tests)."""
    gw = gateway()
    try:
        with gw.spool.locked(spool_id) as claim:
            if claim.path is None:
                return "gone"
            envelope, data = gw.spool.read(claim.path)
            if claim.path.parent.name == spool_mod.DEFERRED and envelope.next_attempt > time.time():
                return "not-due"
            if claim.starts > settings.SPE_MAX_PROCESSING_ATTEMPTS:
                return _hold(gw, spool_id, envelope, data, "processing failed repeatedly")
            try:
                outcome = _process(gw, spool_id, envelope, data)
            except Exception as exc:
                log.exception("%s: processing failed; the message stays spooled for a retry", spool_id)
                envelope.attempts += 1
                envelope.next_attempt = time.time() + _backoff(envelope.attempts)
                gw.spool.update(spool_id, envelope, data, spool_mod.DEFERRED)
                return f"error: {type(exc).__name__}"
            claim.reset_starts()
            return outcome
    except spool_mod.EntryBusy:
        return "busy"


def _hold(gw: Gateway, spool_id: str, envelope: spool_mod.Envelope, data: bytes, reason: str) -> str:
    """Park a message the engine cannot process; never deliver it unchecked."""
    log.error("%s: %s; held in the spool's hold queue", spool_id, reason)
    gw.spool.update(spool_id, envelope, data, spool_mod.HOLD)
    _log(gw, spool_id, envelope, "quarantined", [], reason=reason)
    return "held"


def _process(gw: Gateway, spool_id: str, envelope: spool_mod.Envelope, data: bytes) -> str:
    table = gw.routing.get()
    ctx = MessageContext(spool_id, envelope, data, table.customer(envelope.customer), table)
    if envelope.processed:
        disposition, out = Disposition("deliver"), data
    else:
        if len(envelope.recipients) > 1 and envelope.direction == "inbound" and _per_recipient(ctx):
            _split(gw, table, spool_id, envelope, data)
        try:
            decide, prepare = _policy_steps()
            disposition = pipeline.process(ctx, decide=decide, prepare=prepare)
        except pipeline.RetryLater as exc:
            return _defer_unprocessed(gw, spool_id, envelope, data, str(exc))
        out = ctx.output_bytes()
        if envelope.direction == "outbound" and disposition.kind in ("deliver", "delay"):
            out = sign_outbound(out, envelope.customer, table)
        summary = _summary(ctx)  # keep what whoever spooled it noted (a release says who released it)
        summary["facts"] = {**envelope.summary.get("facts", {}), **summary["facts"]}
        envelope.summary = summary
        _apply_routing(gw, table, envelope, ctx, out, delivering=disposition.kind in ("deliver", "delay"))
    if disposition.kind == "delay":
        envelope.processed = True
        envelope.next_attempt = disposition.until
        gw.spool.update(spool_id, envelope, out, spool_mod.DEFERRED)
        _log(gw, spool_id, envelope, "deferred", [], reason=disposition.reason)
        return "delayed"
    if disposition.kind == "quarantine":
        return _quarantine(gw, table, spool_id, envelope, data, disposition)
    if disposition.kind == "delete":
        _finish(gw, spool_id, envelope, "deleted", [], reason=disposition.reason)
        return "deleted"
    if disposition.kind == "bounce":
        failures = [RecipientResult(r, FAILED, 550, f"5.7.1 {disposition.reason}") for r in envelope.pending()]
        _send_dsn(gw, table, spool_id, envelope, failures, out)
        _finish(gw, spool_id, envelope, "bounced", failures)
        return "bounced"
    results = deliver(gw, table, envelope, out)
    return _settle(gw, table, spool_id, envelope, out, results, parsed=None if ctx.body_rewritten else ctx.parsed)


def _apply_routing(gw: Gateway, table: RoutingTable, envelope: spool_mod.Envelope, ctx: MessageContext,
                   out: bytes, delivering: bool) -> None:
    """Carry out what actions decided about recipients: redirect, group-only delivery, copies, notices.

    Notifications always go; copies and recipient changes only for a message that will be delivered.
    """
    for extra in ctx.extra_messages:
        if extra.data is None and not delivering:
            continue
        sender = extra.mail_from if extra.data is not None else envelope.mail_from
        spool_extra(gw, table, envelope.customer, extra.recipients, extra.data or out, sender,
                    {"subject": ctx.subject, "extra_for": ctx.spool_id, "reason": extra.reason})
    if not delivering:
        return
    if ctx.redirect_to is not None:
        envelope.summary.setdefault("facts", {})["redirected_from"] = list(envelope.recipients)
        envelope.recipients = list(ctx.redirect_to)
    if ctx.only_recipients is not None:
        dropped = [r for r in envelope.recipients if r not in ctx.only_recipients]
        envelope.recipients = [r for r in envelope.recipients if r in ctx.only_recipients]
        envelope.summary.setdefault("facts", {})["not_delivered_to"] = dropped


def spool_extra(gw: Gateway, table: RoutingTable, customer_slug: str, recipients: list[str], data: bytes,
                mail_from: str, summary: dict) -> str:
    """Spool and enqueue a message made by the platform (copy, notice, DSN); it skips the checks."""
    hosted = all(table.domain(split(r)[1]) is not None for r in recipients)
    new_id = spool_mod.new_id()
    env = spool_mod.Envelope(mail_from=mail_from, recipients=list(recipients), customer=customer_slug,
                             direction="inbound" if hosted else "outbound", processed=True, summary=summary)
    gw.spool.write(new_id, env, data)
    customer = table.customer(customer_slug)
    enqueue(new_id, customer.queue if customer else f"array.{settings.SPE_DEFAULT_ARRAY}")
    return new_id


def _per_recipient(ctx: MessageContext) -> bool:
    """Whether this customer's policy can treat recipients differently (rules for users or groups)."""
    from policy.engine import per_recipient

    return per_recipient(ctx)


def _split(gw: Gateway, table: RoutingTable, spool_id: str, envelope: spool_mod.Envelope, data: bytes) -> None:
    """One entry per recipient, so each gets the policy that applies to them; this entry keeps the first.

    The new entries are written before this one is narrowed: a crash in between
    can duplicate a recipient's copy, never lose it.
    """
    for rcpt in envelope.recipients[1:]:
        new_id = spool_mod.new_id()
        env = spool_mod.Envelope(**{**envelope.__dict__, "recipients": [rcpt], "delivered": [], "last_reply": {}})
        gw.spool.write(new_id, env, data)
        customer = table.customer(envelope.customer)
        enqueue(new_id, customer.queue if customer else f"array.{settings.SPE_DEFAULT_ARRAY}")
    envelope.recipients = envelope.recipients[:1]
    gw.spool.update(spool_id, envelope, data, spool_mod.INCOMING)


def _policy_steps():
    """The policy engine's steps: decide (rules, verdicts) and prepare (lists, before the checks)."""
    from policy.engine import decide, prepare

    return decide, prepare


_PRIVATE_FACTS = {"attachments", "groups", "customer_footer_text", "customer_footer_html"}


def _summary(ctx: MessageContext) -> dict:
    return {
        "subject": ctx.subject, "score": ctx.score,
        "symbols": [[s.name, s.score, s.detail] for s in ctx.symbols],
        "facts": {k: v for k, v in ctx.facts.items() if k not in _PRIVATE_FACTS and not k.startswith("_")} | {
            "attachments": ctx.facts.get("attachments", [])[:50], "timings_ms": ctx.timings,
            "check_errors": ctx.check_errors},
        "rules": ctx.rules_fired, "actions": ctx.actions_taken,
    }


def deliver(gw: Gateway, table: RoutingTable, envelope: spool_mod.Envelope, data: bytes) -> list[RecipientResult]:
    """Deliver to every pending recipient, grouped by destination."""
    groups: dict[tuple, list[str]] = defaultdict(list)
    results: list[RecipientResult] = []
    for rcpt in envelope.pending():
        domain = split(rcpt)[1]
        route = table.domain(domain) if envelope.direction == "inbound" else None
        if route is not None:
            groups[("route", route.host, route.port, route.tls_policy)].append(rcpt)
        else:  # outbound, or an inbound message redirected to an address outside
            groups[("mx", domain)].append(rcpt)
    for key, rcpts in groups.items():
        if key[0] == "route":
            results += gw.smtp.deliver(key[1], key[2], key[3], envelope.mail_from, rcpts, data)
        else:
            results += _deliver_remote(gw, key[1], envelope.mail_from, rcpts, data)
    return results


def _deliver_remote(gw: Gateway, domain: str, mail_from: str, rcpts: list[str], data: bytes) -> list[RecipientResult]:
    tls = settings.SPE_OUTBOUND_TLS
    if settings.SPE_SMARTHOST:
        host, _, port = settings.SPE_SMARTHOST.rpartition(":")
        return gw.smtp.deliver(host, int(port), tls, mail_from, rcpts, data)
    try:
        targets = mx.destinations(domain, gw.resolver, settings.SPE_OUTBOUND_PORT)
    except mx.PermanentDNSFailure as exc:
        return [RecipientResult(r, FAILED, 550, f"5.1.2 {exc}") for r in rcpts]
    except mx.TemporaryDNSFailure as exc:
        return [RecipientResult(r, DEFERRED, 451, f"4.4.3 {exc}") for r in rcpts]
    results: list[RecipientResult] = []
    for target in targets:
        try:
            address = mx.resolve_host(target.host, gw.resolver)
        except mx.TemporaryDNSFailure as exc:
            results = [RecipientResult(r, DEFERRED, 451, f"4.4.3 {exc}") for r in rcpts]
            continue
        results = gw.smtp.deliver(address, target.port, tls, mail_from, rcpts, data)
        if not all(r.status == DEFERRED and r.code == 421 for r in results):
            break  # a server answered; only connection failures move on to the next MX
    return results


def _backoff(attempts: int) -> float:
    return min(settings.SPE_RETRY_MAX, settings.SPE_RETRY_BASE * (2 ** max(0, attempts - 1)))


def _settle(gw: Gateway, table: RoutingTable, spool_id: str, envelope: spool_mod.Envelope, data: bytes,
            results: list[RecipientResult], parsed: ParsedMessage | None = None) -> str:
    envelope.attempts += 1
    envelope.delivered += [r.address for r in results if r.status == DELIVERED]
    envelope.last_reply.update({r.address: f"{r.code} {r.reply}" for r in results})
    deferred = [r for r in results if r.status == DEFERRED]
    expired = time.time() - envelope.received_at > settings.SPE_MAX_QUEUE_LIFETIME
    if deferred and expired:
        for r in deferred:
            r.status, r.reply = FAILED, f"5.4.7 delivery time expired; last reply: {r.reply}"
        deferred = []
    failures = [r for r in results if r.status == FAILED]
    if failures:
        _send_dsn(gw, table, spool_id, envelope, failures, data)
    if deferred:
        envelope.processed = True
        envelope.next_attempt = time.time() + _backoff(envelope.attempts)
        gw.spool.update(spool_id, envelope, data, spool_mod.DEFERRED)
        _log(gw, spool_id, envelope, "deferred", results)
        return "deferred"
    delivered = [r for r in results if r.status == DELIVERED]
    state = "delivered" if not failures else ("partial" if delivered or envelope.delivered else "bounced")
    extra = None
    customer = table.customer(envelope.customer)
    if state in ("delivered", "partial") and archive_capture.wanted(customer, envelope):
        extra = archive_capture.capture(customer, envelope, data, parsed)  # store errors: retried, never lost
    _finish(gw, spool_id, envelope, state, results, extra=extra)
    return state


def _quarantine(gw: Gateway, table: RoutingTable, spool_id: str, envelope: spool_mod.Envelope, data: bytes,
                disposition: Disposition) -> str:
    """Hold the message as received (docs/quarantine.md): store it once, index it through the log."""
    customer = table.customer(envelope.customer)
    schema = customer.schema if customer else "public"
    _held, extra = quarantine_hold.hold(schema, envelope, data, disposition)
    _finish(gw, spool_id, envelope, "quarantined", [], reason=disposition.reason, extra=extra)
    return "quarantined"


def _defer_unprocessed(gw: Gateway, spool_id: str, envelope: spool_mod.Envelope, data: bytes, reason: str) -> str:
    """A check could not run: keep the original bytes, retry later (never pass unchecked)."""
    envelope.attempts += 1
    envelope.next_attempt = time.time() + _backoff(envelope.attempts)
    envelope.summary = {"check_error": reason}
    gw.spool.update(spool_id, envelope, data, spool_mod.DEFERRED)
    _log(gw, spool_id, envelope, "deferred", [], reason=reason)
    return "deferred"


def _finish(gw: Gateway, spool_id: str, envelope: spool_mod.Envelope, state: str,
            results: list[RecipientResult], reason: str = "", extra: dict | None = None) -> None:
    _log(gw, spool_id, envelope, state, results, reason=reason, extra=extra)
    gw.spool.remove(spool_id)


def _send_dsn(gw: Gateway, table: RoutingTable, spool_id: str, envelope: spool_mod.Envelope,
              failures: list[RecipientResult], data: bytes) -> None:
    """Spool and enqueue a DSN to the envelope sender (never to the null sender)."""
    if not envelope.mail_from:
        log.info("%s: %d recipient(s) failed; null sender, no DSN", spool_id, len(failures))
        return
    dsn = build_dsn(reporting_mta=settings.SPE_HOSTNAME, original_from=envelope.mail_from, spool_id=spool_id,
                    arrival=envelope.received_at, failures=failures, original=data)
    spool_extra(gw, table, envelope.customer, [envelope.mail_from], dsn, "",
                {"subject": "Undelivered Mail Returned to Sender", "dsn_for": spool_id})


def _log(gw: Gateway, spool_id: str, envelope: spool_mod.Envelope, state: str, results: list[RecipientResult],
         reason: str = "", extra: dict | None = None) -> None:
    """Queue the message log record; ``extra`` carries quarantine or archive details for the flusher."""
    table = gw.routing.get()
    customer = table.customer(envelope.customer)
    if customer is None:
        log.warning("%s: customer %r unknown, outcome %s not logged", spool_id, envelope.customer, state)
        return
    summary = envelope.summary
    now = time.time()
    by_rcpt = {r.address: r for r in results}
    recipients = []
    for rcpt in envelope.recipients:
        r = by_rcpt.get(rcpt)
        status = r.status if r else (DELIVERED if rcpt in envelope.delivered else state)
        recipients.append({"address": rcpt, "status": status, "code": r.code if r else None,
                           "reply": (r.reply if r else envelope.last_reply.get(rcpt, reason))[:300]})
    record = {
        "schema": customer.schema, "spool_id": spool_id, "received": envelope.received_at,
        "direction": envelope.direction, "client_ip": envelope.client_ip, "helo": envelope.helo,
        "tls": envelope.tls, "mail_from": envelope.mail_from, "recipients": recipients,
        "subject": summary.get("subject", ""), "size": envelope.size, "score": summary.get("score", 0.0),
        "symbols": summary.get("symbols", []), "facts": summary.get("facts", {}), "rules": summary.get("rules", []),
        "actions": summary.get("actions", []), "state": state,
        "remote_reply": (results[0].reply if results else reason)[:500],
        "latency_ms": int((now - envelope.received_at) * 1000) if state not in ("deferred",) else None,
        "attempts": max(1, envelope.attempts), "updated": now, **(extra or {}),
    }
    try:
        msglog.push(gw.redis, record)
    except Exception as exc:
        log.error("%s: message log record lost (%s): %s", spool_id, exc, record)
