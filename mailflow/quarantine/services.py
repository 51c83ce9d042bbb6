"""Actions on held mail: release, allow sender, report, delete, forward, download (docs/quarantine.md).

Each function checks the actor's permission for the item's folder
(``permissions.allowed``), owns its transaction, locks the item, and writes
the audit row (who, from which IP, which message, what) in the customer's
schema. Release and forward put a copy back on the sender path through
``reinject`` (a new, already-processed spool entry) and never run the
checks or the rule that held the message again.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit import events
from audit.services import Actor, record
from mailflow.addresses import split
from mailflow.models import (
    Alias,
    Mailbox,
    MessageLog,
    QuarantineFeedback,
    QuarantineItem,
    QuarantinePermission,
)
from mailflow.quarantine import permissions, reinject
from mailflow.store import get_store

Action = QuarantinePermission.Action


class QuarantineError(Exception):
    """An action that cannot be done; the message says why (shown to the user)."""


class NotAllowed(QuarantineError):
    pass


class AlreadyHandled(QuarantineError):
    pass


class RecipientGone(QuarantineError):
    pass


def _check(item: QuarantineItem, role: str, action: str) -> None:
    if not permissions.allowed(item.category, role, action):
        raise NotAllowed(f"You may not {Action(action).label.lower()} messages held as {item.category}.")


def _lock_held(item: QuarantineItem) -> QuarantineItem:
    locked = QuarantineItem.objects.select_for_update().get(pk=item.pk)
    if locked.status != QuarantineItem.Status.HELD:
        when = timezone.localtime(locked.handled_at).strftime("%Y-%m-%d %H:%M") if locked.handled_at else ""
        raise AlreadyHandled(f"This message was already {locked.status} {when}".strip() + ".")
    return locked


def hosting_problem(customer, address: str) -> str:
    """Why ``address`` can no longer receive mail through this customer, or "" if it can."""
    from tenants.models import MailDomain

    _local, domain = split(address)
    mail_domain = MailDomain.objects.filter(domain=domain, customer=customer).first()
    if mail_domain is None:
        return f"The domain {domain} is no longer hosted for this customer."
    if mail_domain.validate_recipients:
        addr = address.lower()
        known = Mailbox.objects.filter(address=addr, active=True).exists() or Alias.objects.filter(
            address=addr, mailbox__active=True).exists()
        if not known:
            return f"{address} is no longer in the directory."
    return ""


def _note_in_log(spool_id: str, note: str) -> None:
    row = MessageLog.objects.filter(spool_id=spool_id).first()
    if row is not None:
        row.actions = [*row.actions, note]
        row.save(update_fields=["actions"])


def _target(item: QuarantineItem) -> dict:
    return {"spool_id": item.spool_id, "recipient": item.recipient, "category": item.category,
            "subject": item.subject[:200], "from": item.mail_from}


def _allow_sender(item: QuarantineItem, actor: Actor) -> None:
    """The recipient's own allow list (policy lists), effective at the next message after commit."""
    from policy.models import ListEntry
    from tenants import cache

    ListEntry.objects.get_or_create(kind=ListEntry.Kind.ALLOW, value=item.mail_from.lower(), owner=item.recipient,
                                    defaults={"comment": f"released from quarantine by {actor.name}"})
    transaction.on_commit(cache.publish_change)


def release(customer, item: QuarantineItem, *, actor: Actor, role: str, allow_sender: bool = False) -> str:
    """Deliver a held message to its recipient; returns the new spool id."""
    _check(item, role, Action.ALLOW_SENDER if allow_sender else Action.RELEASE)
    with transaction.atomic():
        _lock_held(item)  # answer "already released" before anything else; checked again below
    deliverable_to = item.mail_from if item.direction == "outbound" else item.recipient
    problem = hosting_problem(customer, deliverable_to)
    if problem:
        raise RecipientGone(f"Release refused: {problem}")
    data = get_store().get(customer.schema_name, item.store_key)
    spool_id = ""
    try:
        with transaction.atomic():
            item = _lock_held(item)
            now = timezone.now()
            item.status, item.handled_at, item.handled_by = QuarantineItem.Status.RELEASED, now, actor.name
            item.save(update_fields=["status", "handled_at", "handled_by"])
            if allow_sender and item.mail_from:
                _allow_sender(item, actor)
                record(events.QUARANTINE_SENDER_ALLOWED, actor=actor, target=item,
                       after={"recipient": item.recipient, "sender": item.mail_from.lower()})
            _note_in_log(item.spool_id, f"released to {item.recipient} by {actor.name}")
            record(events.QUARANTINE_RELEASED, actor=actor, target=item, before={"status": "held"},
                   after={**_target(item), "status": "released"})
            added = reinject.header_lines([("X-SPE-Released", f"{now:%Y-%m-%d %H:%M:%S} UTC by {actor.name}")])
            spool_id = reinject.send(
                customer, mail_from=item.mail_from, recipients=[item.recipient], data=added + data,
                direction=item.direction, skip={"rule": item.rule, "category": item.category},
                summary={"subject": item.subject, "facts": {"released_from": item.spool_id,
                                                            "released_by": actor.name}})
    except Exception:
        if spool_id:
            reinject.discard(spool_id)
        raise
    return spool_id


def report(item: QuarantineItem, *, label: str, actor: Actor, role: str) -> QuarantineFeedback:
    """Record spam / not-spam feedback the classifier can learn from."""
    _check(item, role, Action.REPORT)
    if label not in QuarantineFeedback.Label.values:
        raise QuarantineError("Unknown report.")
    with transaction.atomic():
        feedback, _ = QuarantineFeedback.objects.update_or_create(
            spool_id=item.spool_id, recipient=item.recipient,
            defaults={"store_key": item.store_key, "label": label, "reported_by": actor.name, "learned": False})
        record(events.QUARANTINE_REPORTED, actor=actor, target=item, after={**_target(item), "label": label})
    return feedback


def delete(customer, item: QuarantineItem, *, actor: Actor, role: str) -> None:
    _check(item, role, Action.DELETE)
    with transaction.atomic():
        item = _lock_held(item)
        item.status, item.handled_at, item.handled_by = QuarantineItem.Status.DELETED, timezone.now(), actor.name
        item.save(update_fields=["status", "handled_at", "handled_by"])
        record(events.QUARANTINE_DELETED, actor=actor, target=item, after={**_target(item), "status": "deleted"})
        key = item.store_key
        transaction.on_commit(lambda: release_blob(customer.schema_name, key))


def forward(customer, item: QuarantineItem, *, to: str, actor: Actor, role: str) -> str:
    """Send a copy to another mailbox of this customer; returns the new spool id."""
    _check(item, role, Action.FORWARD)

    def audit(address: str) -> None:
        record(events.QUARANTINE_FORWARDED, actor=actor, target=item, after={**_target(item), "to": address})

    return reinject.forward_stored(customer, store_key=item.store_key, to=to, subject=item.subject,
                                   note=f"copy of held message {item.spool_id} by {actor.name}",
                                   source_spool_id=item.spool_id, audit=audit, refuse=RecipientGone)


def download(customer, item: QuarantineItem, *, actor: Actor, role: str) -> bytes:
    """The message as received, byte for byte (audited)."""
    _check(item, role, Action.DOWNLOAD)
    data = get_store().get(customer.schema_name, item.store_key)
    record(events.QUARANTINE_DOWNLOADED, actor=actor, target=item, after=_target(item))
    return data


def set_permission(*, category: str, role: str, action: str, allowed: bool, actor: Actor) -> QuarantinePermission:
    """Set one permission; the never-allowed combinations are refused."""
    from django.core.exceptions import ValidationError

    if allowed and (category, role, action) in permissions.NEVER:
        raise ValidationError(f"{role} may never {action} messages held as {category}.")
    with transaction.atomic():
        perm = QuarantinePermission.objects.filter(category=category, role=role, action=action).first()
        before = {"allowed": perm.allowed} if perm else None
        perm = perm or QuarantinePermission(category=category, role=role, action=action)
        perm.allowed = allowed
        perm.full_clean()
        perm.save()
        record(events.QUARANTINE_PERMISSION_CHANGED, actor=actor, target=perm, before=before,
               after={"category": category, "role": role, "action": action, "allowed": allowed})
    return perm


def release_blob(schema: str, key: str) -> bool:
    """Remove a stored message no index row of this customer needs any more."""
    from django.conf import settings
    from django_tenants.utils import schema_context

    from mailflow.models import ArchiveMessage

    with schema_context(schema):
        needed = QuarantineItem.objects.filter(store_key=key).exclude(status=QuarantineItem.Status.DELETED).exists()
        archived = ArchiveMessage.objects.filter(store_key=key).exists()
    if needed or archived:
        return False
    return get_store().delete(schema, key, grace=settings.SPE_STORE_DELETE_GRACE)


def purge_expired(customer, *, retention_days: int, actor: Actor | None = None) -> int:
    """Remove items held (or handled) longer than the retention; one audit row per run."""
    cutoff = timezone.now() - timedelta(days=retention_days)
    with transaction.atomic():
        expired = QuarantineItem.objects.filter(Q(held_at__lt=cutoff))
        keys = set(expired.values_list("store_key", flat=True))
        count = expired.count()
        if not count:
            return 0
        expired.delete()
        record(events.QUARANTINE_PURGED, actor=actor or Actor.system("quarantine retention"),
               detail=f"{count} item(s) held before {cutoff:%Y-%m-%d %H:%M} UTC purged "
                      f"(retention {retention_days} days)", after={"count": count})
    for key in keys:
        release_blob(customer.schema_name, key)
    return count
