"""Warm an engine process before it takes mail (docs/mailflow.md, "Engine").

Much of what the checks use is loaded on first use: the virus scanners and
their connections, the spam model and its heuristics, the country database,
the public suffix list, the MIME and archive readers. Loaded by the first
message, that costs the first message of every engine process a second or
more of CPU. ``warm_up`` pays it at start instead: it runs every check that
needs no network and writes no shared state on a small built-in message
(text, HTML with a link, a zip attachment), and loads the public suffix
list.
"""

from __future__ import annotations

import io
import logging
import time
import zipfile
from email.message import EmailMessage
from email.policy import SMTP

from mailflow import checks, spool
from mailflow.auth.dmarc import org_domain
from mailflow.engine.context import MessageContext
from mailflow.engine.pipeline import RetryLater, run_checks

log = logging.getLogger(__name__)


def sample_message() -> bytes:
    msg = EmailMessage()
    msg["From"] = "Warm-up <warm-up@example.com>"
    msg["To"] = "postmaster@example.net"
    msg["Subject"] = "Engine warm-up"
    msg["Date"] = "Fri, 04 Dec 2026 08:00:00 +0000"
    msg["Message-ID"] = "<warm-up@example.com>"
    text = "The engine reads this message once when it starts.\nSee https://www.example.com/start for more.\n"
    msg.set_content(text)
    msg.add_alternative(f"<html><body><p>{text}</p><a href=\"https://www.example.com/start\">start</a>"
                        "</body></html>", subtype="html")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("notes.txt", text * 4)
    msg.add_attachment(archive.getvalue(), maintype="application", subtype="zip", filename="notes.zip")
    return msg.as_bytes(policy=SMTP)


def warm_up() -> dict[str, object]:
    """Run the offline checks once; returns what ran, for the log. Never raises."""
    started = time.perf_counter()
    org_domain("www.example.com")
    # a public address, so the country database loads too (looked up offline; nothing is sent to it)
    envelope = spool.Envelope(mail_from="warm-up@example.com", recipients=["postmaster@example.net"],
                              customer="", direction="inbound", client_ip="81.2.69.160", helo="localhost")
    ctx = MessageContext("warm-up", envelope, sample_message(), None, None)  # type: ignore[arg-type]
    offline = [check for check in checks.registry if not check.network]
    try:
        run_checks(ctx, offline)
    except RetryLater as exc:  # a scanner that is down: mail will be retried, the warm-up simply ends
        ctx.check_errors["warm-up"] = str(exc)
    except Exception as exc:  # a warm-up must never keep an engine process from starting
        log.exception("engine warm-up failed")
        ctx.check_errors["warm-up"] = f"{type(exc).__name__}: {exc}"
    return {
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "checks": [check.name for check in offline],
        "errors": dict(ctx.check_errors),
    }
