"""Real messages for policy tests, built with the standard library."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage

PE_STUB = (b"MZ" + b"\x90" * 58 + b"\x80\x00\x00\x00" + b"\x00" * 64 + b"PE\x00\x00\x4c\x01\x03\x00"
           + b"\x00" * 16 + b"\xe0\x00\x02\x01\x0b\x01" + b"\x00" * 400)


def plain(subject: str = "Hello", body: str = "Just a normal message about the meeting.\n",
          sender: str = "someone@example.net", to: str = "bob@acme.test", headers: dict | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = "Fri, 27 Nov 2026 10:00:00 +0000"
    msg["Message-ID"] = "<policy-test@example.net>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg.as_bytes().replace(b"\n", b"\r\n")


def with_attachment(data: bytes, filename: str, maintype: str = "application", subtype: str = "octet-stream",
                    subject: str = "With attachment", body: str = "Please see the attachment.\n") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "someone@example.net", "bob@acme.test", subject
    msg["Date"] = "Fri, 27 Nov 2026 10:00:00 +0000"  # as every mail program writes them
    msg["Message-ID"] = "<attachment-test@example.net>"
    msg.set_content(body)
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def html_message(html: str, text: str = "plain version\n", subject: str = "Newsletter") -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "someone@example.net", "bob@acme.test", subject
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def zipped(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()
