"""Delivery status notifications (RFC 3464) for mail that could not be delivered.

See docs/mailflow.md. A DSN goes to the envelope sender, never to the null
sender (no bounce loops), from the null sender, with the failed recipients'
status and the remote server's reply, and the original message's headers.
"""

from __future__ import annotations

import email.policy
import email.utils
import time
from email.message import EmailMessage

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
    """The bytes of a multipart/report DSN for ``failures``."""
    msg = EmailMessage()
    msg["From"] = f"Mail Delivery System <MAILER-DAEMON@{reporting_mta}>"
    msg["To"] = original_from
    msg["Subject"] = "Undelivered Mail Returned to Sender"
    msg["Date"] = email.utils.formatdate(time.time())
    msg["Message-ID"] = email.utils.make_msgid(domain=reporting_mta)
    msg["Auto-Submitted"] = "auto-replied"
    lines = [f"This is the mail system at {reporting_mta}.", "",
             "Your message could not be delivered to one or more recipients:", ""]
    lines += [f"<{r.address}>: {r.reply}" for r in failures]
    msg.set_content("\n".join(lines) + "\n")
    msg.make_mixed()
    msg.replace_header("Content-Type", 'multipart/report; report-type="delivery-status"')

    status = EmailMessage()
    per_message = (f"Reporting-MTA: dns; {reporting_mta}\r\nX-SPE-Queue-ID: {spool_id}\r\n"
                   f"Arrival-Date: {email.utils.formatdate(arrival)}\r\n")
    per_recipient = "".join(
        f"\r\nFinal-Recipient: rfc822; {r.address}\r\nAction: failed\r\nStatus: {_status_code(r)}\r\n"
        f"Diagnostic-Code: smtp; {r.reply}\r\n"
        for r in failures
    )
    status.set_payload(per_message + per_recipient)
    status["Content-Type"] = "message/delivery-status"
    msg.attach(status)

    headers = EmailMessage()
    headers.set_payload(original_headers(original).decode("utf-8", "replace"))
    headers["Content-Type"] = "text/rfc822-headers"
    msg.attach(headers)
    return msg.as_bytes(policy=email.policy.SMTP)


