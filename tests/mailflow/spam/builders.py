"""Build test messages as raw bytes."""

from __future__ import annotations

import io
import zipfile
from email.message import EmailMessage

from mailflow.spam.view import MessageView, view_from_bytes


def build(
    *,
    subject: str = "Quarterly planning notes",
    from_: str = "Alice Example <alice@example.com>",
    text: str | None = "Hi team,\n\nNotes from today's meeting are below.\n\nAlice",
    html: str | None = None,
    attachments: tuple[tuple[str, str, bytes], ...] = (),
    extra_headers: tuple[tuple[str, str], ...] = (),
    date: bool = True,
    message_id: bool = True,
    to: str = "bob@example.org",
) -> bytes:
    msg = EmailMessage()
    msg["From"] = from_
    msg["To"] = to
    msg["Subject"] = subject
    if date:
        msg["Date"] = "Mon, 03 Mar 2025 10:00:00 +0000"
    if message_id:
        msg["Message-ID"] = "<abc123@example.com>"
    for name, value in extra_headers:
        msg[name] = value
    if text is not None:
        msg.set_content(text)
    if html is not None:
        if text is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    for name, ctype, data in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def view(**kwargs: object) -> MessageView:
    return view_from_bytes(build(**kwargs))  # type: ignore[arg-type]


def zipped(names: tuple[str, ...], *, encrypted: bool = False) -> bytes:
    """A ZIP archive of small placeholder files; ``encrypted`` marks every member password-protected.

    The standard library cannot write an encrypted archive; setting bit 0 of
    each entry's flags is what a reader sees of one before it asks for the
    password.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, b"placeholder\n")
    data = bytearray(buffer.getvalue())
    if encrypted:
        for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            start = data.find(signature)
            while start != -1:
                data[start + flags_at] |= 1
                start = data.find(signature, start + 4)
    return bytes(data)
