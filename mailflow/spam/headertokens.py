"""Tokens from the headers the author's software writes: what made the message.

Mail programs and bulk-mail tools each leave a recognisable signature: the
software family in ``X-Mailer``/``User-Agent``, the shape of the
Message-ID they invent, how they write the Date, the MIME boundary they
draw, and which optional headers they set at all.  Spamware forges these
carelessly, so their *shape* is evidence about the message, as in
SpamAssassin's header rules.

Only shapes and families are read, never names of hosts or people:
the Message-ID host is compared with the From domain but not kept, and the
Date's numbers are reduced to format oddities.  Transport and list headers
(Received, List-*, Delivered-To, Return-Path) and recipient addresses are
never read.  See docs/spam.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache

from mailflow.spam.view import MessageView

_FAMILY_END = re.compile(r"[\d/;(\[,:]|\bv(?:ersion)?\b|\bbuild\b", re.I)
_PRODUCT = re.compile(r"([A-Za-z][\w.+-]{1,30})/\d")
_SHAPE = re.compile(r"\d+|[a-z]+|[A-Z]+")
_BOUNDARY = re.compile(r"boundary\s*=\s*\"?([^\";]{1,200})", re.I)
_DATE = re.compile(
    r"^\s*(?:(?P<dow>[A-Za-z]+),?\s*)?(?P<day>\d{1,2})[\s-]+(?P<mon>[A-Za-z]{3})[a-z]*[\s-]+(?P<year>\d{2,4})"
    r"\s+(?P<time>\d{1,2}:\d{1,2}(?::\d{1,2})?)\s*(?P<tz>[+-]\d{4}|[A-Za-z]{1,5})?\s*(?P<rest>.*)$"
)
_MONTHS = {
    m: n for n, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PRESENCE = ("to", "reply-to", "in-reply-to", "references", "organization", "mime-version")
_PRIORITY = ("x-priority", "x-msmail-priority", "importance")


def _shape_char(match: re.Match[str]) -> str:
    first = match.group()[0]
    return "9" if first.isdigit() else ("a" if first.islower() else "A")


@lru_cache(maxsize=4096)
def shape(text: str, limit: int = 24) -> str:
    """``4F2A.1234@`` -> ``9A9A.9@``: runs of digits and letters folded to one symbol."""
    return _SHAPE.sub(_shape_char, text[:200])[:limit]


@lru_cache(maxsize=4096)
def software_families(value: str) -> tuple[str, ...]:
    """``Mozilla/5.0 (X11) Gecko/2002 Thunderbird/102`` -> ``("mozilla", "thunderbird")``.

    The family without its version: versions are what ratware copies from
    real clients, and what changes from year to year.
    """
    head = _FAMILY_END.split(value.strip(), maxsplit=1)[0]
    family = " ".join(head.lower().split())[:30] or "?"
    products = _PRODUCT.findall(value)
    last = products[-1].lower() if len(products) > 1 else ""
    return (family, last) if last and last != family else (family,)


def mailer_tokens(view: MessageView) -> Iterator[str]:
    found = False
    for name in ("x-mailer", "user-agent"):
        value = view.header(name)
        if value is not None:
            found = True
            yield from ("h:ua:" + f for f in software_families(value))
    if not found:
        yield "h:ua:none"


def _weekday_wrong(match: re.Match[str]) -> bool:
    dow = (match.group("dow") or "").lower()[:3]
    month = _MONTHS.get(match.group("mon").lower())
    year = int(match.group("year"))
    if not dow or month is None:
        return False
    year += 2000 if year < 50 else 1900 if year < 100 else 0
    try:
        return _DAYS[date(year, month, int(match.group("day"))).weekday()] != dow
    except ValueError:
        return True  # 31 February


def date_tokens(value: str | None) -> Iterator[str]:
    """Format oddities of the Date header, never the date itself."""
    if value is None:
        yield "h:date:none"
        return
    match = _DATE.match(value)
    if not match:
        yield "h:date:unparsable"
        return
    if not match.group("dow"):
        yield "h:date:no-weekday"
    elif _weekday_wrong(match):
        yield "h:date:weekday-wrong"
    if len(match.group("year")) == 2:
        yield "h:date:2-digit-year"
    if match.group("time").count(":") == 1:
        yield "h:date:no-seconds"
    yield from _zone_tokens(match.group("tz"), match.group("rest"))


def _zone_tokens(zone: str | None, rest: str) -> Iterator[str]:
    if zone is None:
        yield "h:date:no-zone"
    elif zone[0] in "+-":
        hours, minutes = int(zone[1:3]), int(zone[3:5])
        if hours > 14 or minutes % 15:
            yield "h:date:zone-impossible"
        if zone in ("+0000", "-0000"):
            yield "h:date:zone-utc"
    else:
        yield "h:date:zone-name"
    if rest:
        yield "h:date:comment" if rest.startswith("(") else "h:date:trailing"


def message_id_tokens(value: str | None, from_domain: str) -> Iterator[str]:
    """The shape of the Message-ID's left part, and whether its host is the sender's."""
    if value is None:
        yield "h:mid:none"
        return
    value = value.strip()
    if not (value.startswith("<") and value.endswith(">") and "@" in value):
        yield "h:mid:malformed"
    local, _, host = value.strip("<>").rpartition("@")
    yield "h:mid:shape:" + shape(local, 16)
    yield "h:mid:len:" + str(min(len(local) // 8, 8))
    host = host.lower()
    if from_domain and (host == from_domain or host.endswith("." + from_domain)):
        yield "h:mid:sender-host"
    if "." not in host:
        yield "h:mid:host-no-dot"


def structure_header_tokens(view: MessageView) -> Iterator[str]:
    """Optional headers set or not, priority flags, MIME boundary shape, encodings."""
    for name in _PRESENCE:
        yield f"h:{name}:" + ("no" if view.header(name) is None else "yes")
    for name in _PRIORITY:
        value = view.header(name)
        if value is not None:
            yield f"h:{name}:" + shape(value.strip().lower(), 8)
    ctype = view.header("content-type") or ""
    boundary = _BOUNDARY.search(ctype)
    if boundary:
        yield "h:boundary:" + shape(boundary.group(1), 20)
    cte = view.header("content-transfer-encoding")
    yield "h:cte:" + ("none" if cte is None else cte.strip().lower()[:16])


def header_tokens(view: MessageView) -> Iterator[str]:
    """All author-software tokens of ``view``; nothing if it has no headers."""
    if not view.headers:
        return
    yield from mailer_tokens(view)
    yield from date_tokens(view.header("date"))
    yield from message_id_tokens(view.header("message-id"), view.from_domain)
    yield from structure_header_tokens(view)
