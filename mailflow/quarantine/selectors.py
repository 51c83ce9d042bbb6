"""Reads of held mail, for consoles, end-user links and the API (docs/quarantine.md).

Every function runs in the schema the connection is on (the customer of the
request or of ``tenant_context``); an item of another customer is simply not
there.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from mailflow.models import QuarantineItem
from mailflow.store import get_store


def held_items(*, category: str = "", recipient: str = "") -> QuerySet[QuarantineItem]:
    qs = QuarantineItem.objects.filter(status=QuarantineItem.Status.HELD)
    if category:
        qs = qs.filter(category=category)
    if recipient:
        qs = qs.filter(recipient=recipient.strip().lower())
    return qs


def folders() -> list[tuple[str, int]]:
    """(category, number of held items), for the folder list."""
    from django.db.models import Count

    rows = held_items().values("category").annotate(n=Count("id")).order_by("category")
    return [(r["category"], r["n"]) for r in rows]


def get_item(item_id: int, *, recipient: str | None = None) -> QuarantineItem:
    """One item of this customer (any status); with ``recipient``, only that recipient's. 404 otherwise."""
    qs = QuarantineItem.objects.all()
    if recipient is not None:
        qs = qs.filter(recipient=recipient.lower())
    item = qs.filter(pk=item_id).first()
    if item is None:
        raise Http404("No such held message")
    return item


def raw_message(schema: str, item: QuarantineItem) -> bytes:
    """The stored bytes, integrity-checked."""
    return get_store().get(schema, item.store_key)
