"""End-user quarantine digests, sent as mail through the platform (docs/quarantine.md).

Per customer, when its schedule is due (``QuarantineSettings``), each
recipient with mail held since the last digest gets one branded message
(HTML and plain text) listing sender, subject, date, folder and score, with
signed links to view, release and allow the sender (release links only
where end users may release that folder). The digest is spooled as an
already-processed inbound entry and delivered to the customer's server.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from audit import events
from audit.services import Actor, record
from mailflow.models import QuarantineItem, QuarantinePermission, QuarantineSettings
from mailflow.quarantine import links, permissions, reinject

Role = QuarantinePermission.Role
Action = QuarantinePermission.Action
MAX_ITEMS = 200


def branding(customer) -> dict:
    """Provider branding with the customer's overrides (``Customer.branding``)."""
    base = {"name": settings.SPE_BRAND_NAME, "color": settings.SPE_BRAND_COLOR, "footer": ""}
    overrides = {k: str(v) for k, v in (customer.branding or {}).items() if k in base and v}
    return base | overrides


def _entry(customer, item: QuarantineItem) -> dict:
    schema = customer.schema_name
    may = permissions.allowed_actions(item.category, Role.END_USER)
    link = lambda action: links.url(customer.slug, schema, item.recipient, item.pk, action)  # noqa: E731
    return {
        "item": item,
        "view_url": link("view") if Action.VIEW in may else "",
        "release_url": link("release") if Action.RELEASE in may else "",
        "allow_url": link("allow_sender") if Action.ALLOW_SENDER in may else "",
    }


def build(customer, recipient: str, items: list[QuarantineItem]) -> bytes:
    brand = branding(customer)
    context = {
        "brand": brand, "customer": customer, "recipient": recipient, "entries": [_entry(customer, i) for i in items],
        "list_url": links.url(customer.slug, customer.schema_name, recipient, 0, "list"),
        "archive_url": (links.url(customer.slug, customer.schema_name, recipient, 0, "archive")
                        if end_user_archive(customer) else ""),
        "expiry_days": settings.SPE_QUARANTINE_LINK_DAYS,
    }
    subject = f"{brand['name']}: {len(items)} message(s) held for you"
    mail = EmailMultiAlternatives(subject=subject, body=render_to_string("enduser/digest.txt", context),
                                  from_email=f"{brand['name']} <{settings.SPE_DIGEST_FROM}>", to=[recipient])
    mail.attach_alternative(render_to_string("enduser/digest.html", context), "text/html")
    return mail.message().as_bytes(linesep="\r\n")


def send_for(customer, recipient: str, items: list[QuarantineItem]) -> str:
    data = build(customer, recipient, items)
    with transaction.atomic():
        spool_id = reinject.send(customer, mail_from="", recipients=[recipient], data=data,
                                 summary={"subject": "Quarantine digest", "digest_for": recipient})
        record(events.QUARANTINE_DIGEST_SENT, actor=Actor.system("quarantine digest"), target=None,
               detail=f"{len(items)} item(s) to {recipient}", after={"recipient": recipient, "count": len(items)})
    return spool_id


def send_due(customer, *, now=None, force: bool = False) -> int:
    """Send digests if the customer's schedule is due; returns how many were sent."""
    now = now or timezone.now()
    conf = QuarantineSettings.get()
    if not force and (not conf.digest_enabled or not end_user_quarantine(customer)):
        return 0
    if not force and conf.last_digest_at and now - conf.last_digest_at < timedelta(hours=conf.digest_interval_hours):
        return 0
    since = conf.last_digest_at or (now - timedelta(hours=conf.digest_interval_hours))
    held = QuarantineItem.objects.filter(status=QuarantineItem.Status.HELD, held_at__gte=since, held_at__lte=now,
                                         direction="inbound").order_by("recipient", "-received")
    by_rcpt: dict[str, list[QuarantineItem]] = defaultdict(list)
    for item in held:
        if len(by_rcpt[item.recipient]) < MAX_ITEMS:
            by_rcpt[item.recipient].append(item)
    sent = 0
    for recipient, items in by_rcpt.items():
        if reinject_allowed(customer, recipient):
            send_for(customer, recipient, items)
            sent += 1
    QuarantineSettings.objects.filter(pk=conf.pk).update(last_digest_at=now)
    return sent


def end_user_archive(customer) -> bool:
    """End users may search their own archived mail: the plan archives and the customer allows it."""
    from mailflow.models import ArchiveSettings

    plan = getattr(getattr(customer, "subscription", None), "plan", None)
    return bool(plan and plan.archiving) and ArchiveSettings.get().end_users_may_search


def end_user_quarantine(customer) -> bool:
    """Whether the customer's plan lets end users manage their own held mail."""
    subscription = getattr(customer, "subscription", None)
    return subscription.plan.end_user_quarantine if subscription is not None else True


def reinject_allowed(customer, recipient: str) -> bool:
    from mailflow.quarantine.services import hosting_problem

    return not hosting_problem(customer, recipient)
