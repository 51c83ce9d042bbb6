"""Archive writes: legal holds, retention purge, forward a copy, download and export (docs/archive.md).

Every forward, download and export is audited in the customer's schema
(who, from which IP, which messages, what was done).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import IO

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit import events
from audit.services import Actor, record
from mailflow.archive import export as export_mod
from mailflow.archive.selectors import ArchiveQuery, search
from mailflow.models import ArchiveMessage, ArchiveSettings, LegalHold
from mailflow.quarantine import reinject
from mailflow.quarantine.services import QuarantineError, release_blob
from mailflow.store import get_store

PURGE_BATCH = 5000


def place_legal_hold(*, address: str = "", reason: str, actor: Actor) -> LegalHold:
    with transaction.atomic():
        hold = LegalHold(address=address.strip().lower(), reason=reason, created_by=actor.name)
        hold.full_clean()
        hold.save()
        record(events.ARCHIVE_LEGAL_HOLD_PLACED, actor=actor, target=hold,
               after={"address": hold.address, "reason": reason})
    return hold


def lift_legal_hold(hold: LegalHold, *, actor: Actor) -> LegalHold:
    with transaction.atomic():
        hold.active, hold.lifted_at = False, timezone.now()
        hold.save(update_fields=["active", "lifted_at"])
        record(events.ARCHIVE_LEGAL_HOLD_LIFTED, actor=actor, target=hold, before={"active": True},
               after={"active": False, "address": hold.address})
    return hold


def retention_days(customer) -> int:
    """The customer's override, else its plan's retention; 0 keeps archived mail forever."""
    override = ArchiveSettings.get().retention_days
    if override is not None:
        return override
    subscription = getattr(customer, "subscription", None)
    return subscription.plan.archive_retention_days if subscription is not None else 0


def purge_expired(customer, *, now=None, actor: Actor | None = None) -> int:
    """Delete archived mail past retention, except what a legal hold covers; one audit row per run."""
    days = retention_days(customer)
    holds = list(LegalHold.objects.filter(active=True).values_list("address", flat=True))
    if days <= 0 or "" in holds:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    expired = ArchiveMessage.objects.filter(received__lt=cutoff)
    if holds:
        expired = expired.exclude(Q(mail_from__in=holds) | Q(recipients__overlap=holds))
    total, keys = 0, set()
    while True:
        with transaction.atomic():
            batch = list(expired.values_list("id", "store_key")[:PURGE_BATCH])
            if not batch:
                break
            ArchiveMessage.objects.filter(id__in=[b[0] for b in batch]).delete()
        total += len(batch)
        keys.update(b[1] for b in batch)
    if total:
        record(events.ARCHIVE_PURGED, actor=actor or Actor.system("archive retention"), after={"count": total},
               detail=f"{total} message(s) received before {cutoff:%Y-%m-%d} purged (retention {days} days; "
                      f"{len(holds)} mailbox legal hold(s) respected)")
    for key in keys:
        release_blob(customer.schema_name, key)
    return total


def download(customer, row: ArchiveMessage, *, actor: Actor) -> bytes:
    data = get_store().get(customer.schema_name, row.store_key)
    record(events.ARCHIVE_DOWNLOADED, actor=actor, target=row, after={"spool_id": row.spool_id})
    return data


def forward(customer, row: ArchiveMessage, *, to: str, actor: Actor) -> str:
    """Send a copy of an archived message to a mailbox of this customer."""

    def audit(address: str) -> None:
        record(events.ARCHIVE_FORWARDED, actor=actor, target=row, after={"spool_id": row.spool_id, "to": address})

    return reinject.forward_stored(customer, store_key=row.store_key, to=to, subject=row.subject,
                                   note=f"archived message {row.spool_id} by {actor.name}",
                                   source_spool_id=row.spool_id, audit=audit, refuse=QuarantineError)


def _messages(customer, rows: list[ArchiveMessage]) -> Iterator[tuple[ArchiveMessage, bytes]]:
    store = get_store()
    for row in rows:
        try:
            yield row, store.get(customer.schema_name, row.store_key)
        except KeyError:
            continue


def export(customer, query: ArchiveQuery, *, fmt: str, actor: Actor) -> tuple[IO[bytes], int]:
    """The search results as an mbox or a zip of .eml files (at most ``SPE_ARCHIVE_EXPORT_MAX``)."""
    if fmt not in ("mbox", "zip"):
        raise QuarantineError("Unknown export format.")
    rows = list(search(query)[: settings.SPE_ARCHIVE_EXPORT_MAX])
    writer = export_mod.write_mbox if fmt == "mbox" else export_mod.write_zip
    out = writer(_messages(customer, rows))
    record(events.ARCHIVE_EXPORTED, actor=actor, after={"format": fmt, "count": len(rows),
           "query": {k: str(v) for k, v in vars(query).items() if v not in ("", None)},
           "spool_ids": [r.spool_id for r in rows[:1000]]}, detail=f"{len(rows)} message(s) as {fmt}")
    return out, len(rows)
