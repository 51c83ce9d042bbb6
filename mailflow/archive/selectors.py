"""Archive search (docs/archive.md): every criterion maps to an indexed predicate.

Sender (address, or ``@domain``), recipient, date range, subject words,
size range, attachment name, full text of subject and body (PostgreSQL
full-text search on a GIN index). Results come newest first, a page at a
time; a page knows whether another follows without counting them all.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta

from django.contrib.postgres.search import SearchQuery
from django.db.models import DateTimeField, ExpressionWrapper, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from mailflow.models import ArchiveMessage
from mailflow.models.archive import FTS_CONFIG

PAGE_SIZE = 50


@dataclass
class ArchiveQuery:
    sender: str = ""
    recipient: str = ""
    date_from: date | None = None
    date_to: date | None = None
    subject: str = ""
    size_min: int | None = None
    size_max: int | None = None
    attachment: str = ""
    text: str = ""
    for_address: str = ""  # end users: only mail they sent or received

    def is_empty(self) -> bool:
        return not any(getattr(self, f.name) not in ("", None) for f in fields(self) if f.name != "for_address")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def search(query: ArchiveQuery) -> QuerySet[ArchiveMessage]:
    qs = ArchiveMessage.objects.all()
    if query.for_address:
        a = query.for_address.strip().lower()
        qs = qs.filter(Q(mail_from=a) | Q(recipients__contains=[a]))
    if query.sender:
        s = query.sender.strip().lower()
        qs = qs.filter(mail_from=s) if "@" in s[1:] else qs.filter(sender_domain=s.lstrip("@"))
    if query.recipient:
        qs = qs.filter(recipients__contains=[query.recipient.strip().lower()])
    if query.date_from:
        qs = qs.filter(received__gte=_day_start(query.date_from))
    if query.date_to:
        qs = qs.filter(received__lt=_day_start(query.date_to + timedelta(days=1)))
    if query.size_min is not None:
        qs = qs.filter(size__gte=query.size_min)
    if query.size_max is not None:
        qs = qs.filter(size__lte=query.size_max)
    if query.attachment:
        qs = qs.filter(attachment_names__contains=[query.attachment.strip().lower()])
    if query.subject:
        qs = qs.filter(subject_vector=SearchQuery(query.subject, config=FTS_CONFIG, search_type="websearch"))
    if query.text:
        qs = qs.filter(search_vector=SearchQuery(query.text, config=FTS_CONFIG, search_type="websearch"))
    if query.text or query.subject:
        # Full-text matches come from the GIN index and are then sorted (about 250 ms at worst for a
        # million matches). Ordering by the bare column would let PostgreSQL walk the date index
        # instead, hoping for early matches: fast for common words, a second or more for rare ones.
        by_date = ExpressionWrapper(F("received") + timedelta(0), output_field=DateTimeField())
        return qs.order_by(by_date.desc(), "-id").defer("search_vector", "subject_vector")
    return qs.order_by("-received", "-id").defer("search_vector", "subject_vector")


@dataclass
class Page:
    rows: list[ArchiveMessage]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page(query: ArchiveQuery, number: int = 1, size: int = PAGE_SIZE) -> Page:
    number = max(1, number)
    start = (number - 1) * size
    rows = list(search(query)[start:start + size + 1])
    return Page(rows=rows[:size], number=number, has_next=len(rows) > size)


def get_message(message_id: int, *, for_address: str = "") -> ArchiveMessage:
    qs = ArchiveMessage.objects.all()
    if for_address:
        a = for_address.lower()
        qs = qs.filter(Q(mail_from=a) | Q(recipients__contains=[a]))
    row = qs.filter(pk=message_id).first()
    if row is None:
        raise Http404("No such archived message")
    return row
