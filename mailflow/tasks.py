"""Celery tasks of the mail path: thin wrappers around ``mailflow.worker`` (docs/mailflow.md).

``process_message`` is idempotent (a message already processed is gone from
the spool; one being processed elsewhere is locked). With acks_late and
reject-on-worker-lost, a worker killed mid-message returns the task to the
queue; the recovery sweep re-queues what a lost broker forgot.
"""

from __future__ import annotations

import logging
import os
import time

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings

from mailflow import msglog, worker
from mailflow import spool as spool_mod
from mailflow.queueing import enqueue

log = logging.getLogger(__name__)


@shared_task(name="mailflow.process_message", acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def process_message(spool_id: str) -> str:
    outcome = worker.process_entry(spool_id)
    log.debug("%s: %s", spool_id, outcome)
    return outcome


def _queue_of(envelope: spool_mod.Envelope) -> str:
    customer = worker.gateway().routing.get().customer(envelope.customer)
    return customer.queue if customer else f"array.{settings.SPE_DEFAULT_ARRAY}"


@shared_task(name="mailflow.retry_deferred", ignore_result=True)
def retry_deferred() -> int:
    """Enqueue deferred messages whose next attempt is due."""
    gw = worker.gateway()
    due = 0
    for spool_id, _mtime in list(gw.spool.entries(spool_mod.DEFERRED)):
        path = gw.spool.path(spool_id, spool_mod.DEFERRED)
        try:
            envelope, _data = gw.spool.read(path)
        except (FileNotFoundError, spool_mod.SpoolError):
            continue
        if envelope.next_attempt <= time.time():
            enqueue(spool_id, _queue_of(envelope))
            due += 1
    return due


@shared_task(name="mailflow.recover_spool", ignore_result=True)
def recover_spool(older_than: float | None = None) -> int:
    """Re-queue incoming entries that have waited too long (their task may be lost)."""
    gw = worker.gateway()
    age = settings.SPE_RECOVERY_AGE if older_than is None else older_than
    count = 0
    for spool_id, _mtime in list(gw.spool.entries(spool_mod.INCOMING, older_than=age)):
        try:
            envelope, _data = gw.spool.read(gw.spool.path(spool_id))
        except (FileNotFoundError, spool_mod.SpoolError):
            continue
        enqueue(spool_id, _queue_of(envelope))
        count += 1
    if count:
        log.warning("recovery sweep re-queued %d spool entries", count)
    gw.spool.sweep_done()
    return count


@shared_task(name="mailflow.flush_message_log", ignore_result=True)
def flush_message_log() -> int:
    total = 0
    while True:
        written = msglog.flush(worker.gateway().redis)
        total += written
        if written < 1000:
            return total


@worker_ready.connect
def _on_worker_ready(sender=None, **kwargs) -> None:
    """A (re)started worker warms up, sweeps the spool and starts its heartbeat.

    Of the engine's processes, only the first start of one sweeps, and any
    process started again after dying (``mailflow/engine/supervisor.py``).
    The warm-up (``mailflow/engine/warm.py``) runs before the worker takes
    its first message, so no message waits for models and scanners to load.
    """
    from mailflow import heartbeat
    from mailflow.engine.warm import warm_up

    if os.environ.get("SPE_ENGINE_WARM_UP", "1") != "0":
        done = warm_up()
        log.info("engine warmed up in %s ms (%s)%s", done["ms"], ", ".join(done["checks"]),
                 f"; errors: {done['errors']}" if done["errors"] else "")

    if os.environ.get("SPE_ENGINE_SWEEP_ON_START", "1") != "0":
        try:
            recover_spool.delay(older_than=0)
        except Exception as exc:
            log.warning("recovery sweep not queued at start: %s", exc)
    heartbeat.start_worker_heartbeat(sender)


def _each_customer(work, name: str) -> int:
    """Run ``work(customer)`` in each live customer's schema; one failing customer does not stop the others."""
    from django_tenants.utils import tenant_context

    from tenants.models import Customer

    total = 0
    for customer in Customer.objects.exclude(schema_name="public").exclude(status="pending_deletion"):
        try:
            with tenant_context(customer):
                total += work(customer)
        except Exception:
            log.exception("%s failed for customer %s", name, customer.slug)
    return total


@shared_task(name="mailflow.send_quarantine_digests", ignore_result=True)
def send_quarantine_digests() -> int:
    """Send end-user digests of customers whose digest schedule is due (docs/quarantine.md)."""
    from mailflow.quarantine import digest

    return _each_customer(digest.send_due, "quarantine digest")


@shared_task(name="mailflow.purge_quarantine", ignore_result=True)
def purge_quarantine() -> int:
    """Remove held mail past each customer's quarantine retention (docs/quarantine.md)."""
    from mailflow.quarantine import services
    from policy.models import CustomerPolicy

    return _each_customer(
        lambda c: services.purge_expired(c, retention_days=CustomerPolicy.get().quarantine_retention_days),
        "quarantine purge")


@shared_task(name="mailflow.purge_archive", ignore_result=True)
def purge_archive() -> int:
    """Remove archived mail past retention, respecting legal holds (docs/archive.md)."""
    from mailflow.archive import services

    return _each_customer(services.purge_expired, "archive purge")


@shared_task(name="mailflow.prune_seen_domains", ignore_result=True)
def prune_seen_domains() -> int:
    """Forget link and sender domains not seen for months (the newly-seen-domains memory stays bounded)."""
    from mailflow.checks.newdomains import prune

    return prune()


@shared_task(name="mailflow.learn_spam_feedback", ignore_result=True)
def learn_spam_feedback() -> int:
    """Teach each customer's spam feedback layer its pending "spam" / "not spam" reports (docs/spam.md)."""
    from mailflow import spam_feedback

    return _each_customer(spam_feedback.learn_pending, "spam feedback learning")
