"""Put a message back on the sender path: a new spool entry, then enqueued (docs/quarantine.md).

Used by release, forward, digests and archive forwards. Forwards and
digests are marked ``processed`` (checks and policy do not run again). A
release passes ``skip``: the message goes through checks and policy again,
skipping only the rule or verdict that held it, so a message held by a
content rule that also carries a virus is still stopped. The entry is
enqueued when the caller's transaction commits; callers ``discard`` it if
that transaction fails.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from mailflow import spool as spool_mod
from mailflow.queueing import enqueue


def queue_of(customer) -> str:
    return customer.array.queue if customer.array_id else f"array.{settings.SPE_DEFAULT_ARRAY}"


def header_lines(headers: list[tuple[str, str]]) -> bytes:
    safe = [(n, " ".join(str(v).split())) for n, v in headers]  # no CR/LF smuggled into a header
    return b"".join(f"{n}: {v}\r\n".encode("utf-8", "replace") for n, v in safe)


def send(customer, *, mail_from: str, recipients: list[str], data: bytes, direction: str = "inbound",
         summary: dict | None = None, skip: dict | None = None) -> str:
    """Spool ``data`` for ``recipients``; enqueued on commit. Returns the new spool id."""
    spool = spool_mod.Spool(settings.SPE_SPOOL_DIR)
    spool_id = spool_mod.new_id()
    envelope = spool_mod.Envelope(mail_from=mail_from, recipients=list(recipients), customer=customer.slug,
                                  direction=direction, client_ip="", helo=settings.SPE_HOSTNAME,
                                  processed=skip is None, summary=summary or {}, skip=skip or {})
    spool.write(spool_id, envelope, data)
    queue = queue_of(customer)
    transaction.on_commit(lambda: enqueue(spool_id, queue))  # runs at once outside a transaction
    return spool_id


def discard(spool_id: str) -> None:
    """Remove an entry spooled by a transaction that then failed (Django has no on-rollback hook)."""
    spool_mod.Spool(settings.SPE_SPOOL_DIR).remove(spool_id)


def forward_stored(customer, *, store_key: str, to: str, note: str, subject: str, source_spool_id: str,
                   audit, refuse: type[Exception]) -> str:
    """Send a copy of a stored message to one of the customer's own mailboxes; returns the new spool id.

    ``audit()`` writes the audit row inside the same transaction; an address
    that is not the customer's is refused with ``refuse``.
    """
    from mailflow.addresses import AddressError, validate_address
    from mailflow.quarantine.services import hosting_problem
    from mailflow.store import get_store

    try:
        to = validate_address(to.strip()).lower()
    except AddressError as exc:
        raise refuse(f"Not a valid address: {exc}") from exc
    problem = hosting_problem(customer, to)
    if problem:
        raise refuse(f"Forward refused: {problem}")
    data = get_store().get(customer.schema_name, store_key)
    spool_id = ""
    try:
        with transaction.atomic():
            audit(to)
            added = header_lines([("X-SPE-Forwarded", note)])
            spool_id = send(customer, mail_from="", recipients=[to], data=added + data,
                            summary={"subject": subject, "notice_for": source_spool_id})
    except Exception:
        if spool_id:
            discard(spool_id)
        raise
    return spool_id
