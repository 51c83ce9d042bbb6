"""Delivery status notifications (RFC 3464) for mail that could not be delivered.

See docs/mailflow.md. A DSN goes to the envelope sender, never to the null
sender (no bounce loops), from the null sender, with the failed recipients'
status and the remote server's reply, and the original message's headers.
"""

from __future__ import annotations

import email.utils
import time

from mailflow.delivery.client import RecipientResult


def _status_code(result: RecipientResult) -> str:
    reply = result.reply.strip()
    first = reply.split(" ", 1)[0]
    if first.count(".") == 2 and first[0] in "245":
        return first
    return "5.0.0" if result.code >= 500 or result.status == "failed" else "4.0.0"


def original_headers(data: bytes) -> bytes:
    end = data.find(b"\r\n\r\n")
    return data[: end + 2] if end >= 0 else data[:65536]


def build_dsn(*, reporting_mta: str, original_from: str, spool_id: str, arrival: float,
              failures: list[RecipientResult], original: bytes) -> bytes:
    """The bytes of a multipart/report DSN for ``failures`` (CRLF line endings)."""
    boundary = f"=_dsn_{spool_id}_{int(time.time())}"
    human = "\r\n".join([
        f"This is the mail system at {reporting_mta}.", "",
        "Your message could not be delivered to one or more recipients.",
        "The remote server's reply is shown for each.", "",
        *[f"<{_clean(r.address)}>: {_clean(r.reply)}" for r in failures],
    ])
    per_message = (f"Reporting-MTA: dns; {reporting_mta}\r\nX-SPE-Queue-ID: {spool_id}\r\n"
                   f"Arrival-Date: {email.utils.formatdate(arrival)}\r\n")
    per_recipient = "".join(
        f"\r\nFinal-Recipient: rfc822; {_clean(r.address)}\r\nAction: failed\r\nStatus: {_status_code(r)}\r\n"
        f"Diagnostic-Code: smtp; {_clean(r.reply)}\r\n"
        for r in failures
    )
    headers = (
        f"From: Mail Delivery System <MAILER-DAEMON@{reporting_mta}>\r\n"
        f"To: <{_clean(original_from)}>\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {email.utils.formatdate(time.time())}\r\n"
        f"Message-ID: {email.utils.make_msgid(domain=reporting_mta)}\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
    )
    parts = (
        f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{human}\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n{per_message}{per_recipient}"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
    )
    tail = f"\r\n--{boundary}--\r\n"
    return (headers + parts).encode("utf-8", "replace") + original_headers(original) + tail.encode()


def _clean(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")
