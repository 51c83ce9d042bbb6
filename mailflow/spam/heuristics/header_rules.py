"""Rules on the author headers: missing Date/Message-ID, From and Reply-To tricks.

Only headers written by the author's software are read here, never the
transport trace.  See docs/spam.md.
"""

from __future__ import annotations

import re
from datetime import UTC
from email.utils import parsedate_to_datetime

from mailflow.spam.heuristics.base import rule
from mailflow.spam.urls import registrable_domain
from mailflow.spam.view import MessageView

FREEMAIL = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "yahoo.co.uk",
        "ymail.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mail.com",
        "gmx.com",
        "gmx.net",
        "gmx.de",
        "web.de",
        "yandex.ru",
        "yandex.com",
        "mail.ru",
        "protonmail.com",
        "proton.me",
        "zoho.com",
        "tutanota.com",
        "qq.com",
        "163.com",
        "126.com",
    ]
)
# Matches start only where a local part can (see view._ADDRESS): linear on a long display name.
_ADDRESS = re.compile(r"(?<![\w.+-])[\w.+-]+@((?:[\w-]+\.)+[a-z]{2,24})", re.I)


@rule("MISSING_DATE", "No Date header", 0.5, reads_headers=True)
def missing_date(view: MessageView) -> bool:
    return bool(view.headers) and view.header("Date") is None


@rule("MISSING_MESSAGE_ID", "No Message-ID header", 0.5, reads_headers=True)
def missing_message_id(view: MessageView) -> bool:
    return bool(view.headers) and view.header("Message-ID") is None


FUTURE_SKEW = 3 * 3600  # seconds a Date may run ahead of the receiving server's clock (time zones mistyped by 1-2 h)


def _timestamp(value: str) -> float | None:
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": the time is UTC, the sender's own zone unknown (RFC 5322 3.3)
        when = when.replace(tzinfo=UTC)
    return when.timestamp()


@rule("DATE_IN_FUTURE", "Date more than 3 hours after the message reached the receiving server", 1.5,
      reads_headers=True)
def date_in_future(view: MessageView) -> bool:
    """A forged or broken sender clock (SpamAssassin's DATE_IN_FUTURE_*).

    The arrival time is the topmost Received field's stamp: the receiving
    server's own clock (in the engine, the gateway's line). That stamp is the
    only part of the transport trace read, never the route.
    """
    date, received = view.header("Date"), view.header("Received")
    if not date or not received or ";" not in received:
        return False
    sent, arrived = _timestamp(date[:200]), _timestamp(received.rpartition(";")[2][:200])
    return sent is not None and arrived is not None and sent - arrived > FUTURE_SKEW


@rule("FROM_NAME_HAS_OTHER_ADDRESS", "From display name shows an address at another domain", 1.5, reads_headers=True)
def from_name_has_other_address(view: MessageView) -> bool:
    match = _ADDRESS.search(view.from_name)
    if not match or not view.from_domain:
        return False
    return registrable_domain(match.group(1)) != registrable_domain(view.from_domain)


def reply_to_address(view: MessageView) -> str:
    """The first address in Reply-To, lower-cased, or ``""``."""
    match = _ADDRESS.search(view.header("Reply-To") or "")
    return match.group(0).lower() if match else ""


@rule("REPLY_TO_FREEMAIL", "Replies go to a free-mail address unlike the sender's", 1.0, reads_headers=True)
def reply_to_freemail(view: MessageView) -> bool:
    domain = reply_to_address(view).rpartition("@")[2]
    return domain in FREEMAIL and registrable_domain(domain) != registrable_domain(view.from_domain)


@rule("FROM_NO_ADDRESS", "From header has no usable address", 1.0, reads_headers=True)
def from_no_address(view: MessageView) -> bool:
    return bool(view.headers) and "@" not in view.from_address


_EXEC_TITLE = re.compile(r"\b(?:ceo|cfo|coo|president|chairman|managing director|director|chief)\b", re.I)


@rule(
    "FREEMAIL_EXEC_NAME",
    "Display name claims an executive title but the address is free mail",
    1.5,
    reads_headers=True,
)
def freemail_exec_name(view: MessageView) -> bool:
    return view.from_domain in FREEMAIL and bool(_EXEC_TITLE.search(view.from_name))
