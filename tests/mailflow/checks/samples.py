"""Messages for the check tests: EICAR in several wrappings, a harmless zip."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP

from tests.mailflow.mime.samples import EICAR, gz, make_tar, make_zip


def mail(subject: str = "Report", body: str = "Hello Bob,\nthe report is attached.\n",
         sender: str = "Alice <alice@sender.test>", html: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "bob@acme.test", subject
    msg["Date"] = "Fri, 27 Nov 2026 10:00:00 +0000"
    msg["Message-ID"] = f"<{abs(hash(subject))}@sender.test>"
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


def with_file(data: bytes, filename: str, subject: str = "Report", mime: str = "application/octet-stream") -> bytes:
    msg = mail(subject)
    maintype, subtype = mime.split("/", 1)
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes(policy=SMTP)  # CRLF line ends, as on the wire


EICAR_WRAPPINGS = {
    "plain attachment": ("eicar.com", lambda: EICAR, "2"),
    "zip in zip": ("invoice.zip", lambda: make_zip({"inner.zip": make_zip({"eicar.com": EICAR})}),
                   "2/inner.zip/eicar.com"),
    "tar.gz in zip": ("bundle.zip", lambda: make_zip({"files.tar.gz": gz(make_tar({"bin/eicar.com": EICAR}))}),
                      "2/files.tar.gz/files.tar/bin/eicar.com"),
    "renamed to .txt": ("notes.txt", lambda: EICAR, "2"),
}


def eicar_message(wrapping: str, subject: str = "Report") -> tuple[bytes, str]:
    """The message and the part path where the EICAR file sits in it."""
    filename, build, inner = EICAR_WRAPPINGS[wrapping]
    return with_file(build(), filename, subject), inner


def harmless_zip_message(subject: str = "Figures") -> bytes:
    archive = make_zip({"figures.csv": b"month,total\njan,10\nfeb,12\n", "readme.txt": b"Quarterly figures.\n"})
    return with_file(archive, "figures.zip", subject, "application/zip")
