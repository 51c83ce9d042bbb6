"""Actions that change the message that leaves: subject tag, footer, attachment stripping (docs/policy.md)."""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any

from mailflow.actions.base import Action, ActionError
from mailflow.engine.context import MessageContext
from mailflow.mime.decode import decode_text
from mailflow.mime.types import FAMILIES


def _line(params: dict[str, Any], key: str, default: str = "", limit: int = 200) -> str:
    value = str(params.get(key, default))
    if any(ch in value for ch in "\r\n\x00"):
        raise ActionError(f"'{key}' must be a single line")
    return value[:limit]


class TagSubject(Action):
    name = "tag_subject"
    description = "Put a tag such as [EXTERNAL] in front of the subject (once)"

    def validate(self, params):
        tag = _line(params, "tag").strip()
        if not tag:
            raise ActionError("give the 'tag' text")
        return {"tag": tag}

    def apply(self, ctx: MessageContext, params: dict[str, Any]) -> None:
        tag = self.validate(params)["tag"]
        msg = ctx.edit()
        # encoded words can hide line breaks, of any kind str.splitlines knows (the email package refuses them);
        # the first 998 characters, as ctx.subject reads it: folding a 64 KB subject took the email package 1.4 s
        subject = " ".join(str(msg.get("Subject", "")).replace("\x00", " ").splitlines())[:998]
        if not subject.startswith(tag):
            del msg["Subject"]
            msg["Subject"] = f"{tag} {subject}".strip()


class Footer(Action):
    name = "footer"
    description = "Add a footer or disclaimer to the plain and HTML bodies (once, even if a message passes twice)"

    def validate(self, params):
        text = str(params.get("text", "")).strip()
        html_text = str(params.get("html", "")).strip()
        if not text and not html_text and not params.get("customer_text"):
            raise ActionError("give 'text' and/or 'html', or set 'customer_text' to use the customer's disclaimer")
        return {"text": text[:4000], "html": html_text[:8000], "customer_text": bool(params.get("customer_text"))}

    def apply(self, ctx: MessageContext, params: dict[str, Any]) -> None:
        params = self.validate(params)
        text, markup = params["text"], params["html"]
        if params["customer_text"]:
            text = text or ctx.facts.get("customer_footer_text", "")
            markup = markup or ctx.facts.get("customer_footer_html", "")
        if not text and not markup:
            return
        marker = hashlib.sha256(f"{text}\0{markup}".encode()).hexdigest()[:16]
        msg = ctx.edit()
        if marker in (msg.get_all("X-SPE-Footer") or []):
            return  # already carries this footer
        markup = markup or "<p>" + html.escape(text).replace("\n", "<br>") + "</p>"
        text = text or re.sub(r"<[^>]+>", "", markup)
        for part in msg.walk():
            if part.is_multipart() or part.get_content_disposition() == "attachment":
                continue
            ctype = part.get_content_type()
            if ctype == "text/plain":
                body = _text(part).rstrip("\n") + "\n\n-- \n" + text + "\n"
                part.set_content(body, cte=_cte(part, body))
            elif ctype == "text/html":
                body = _text(part)
                idx = body.lower().rfind("</body>")
                body = body[:idx] + markup + body[idx:] if idx >= 0 else body + markup
                part.set_content(body, subtype="html", cte=_cte(part, body))
        msg["X-SPE-Footer"] = marker


def _text(part) -> str:
    """The part's text in its declared charset, else UTF-8, else Latin-1: any charset a sender names."""
    return decode_text(part.get_payload(decode=True) or b"", part.get_content_charset() or "us-ascii")[0]


def _cte(part, body: str) -> str:
    """The part's transfer encoding when it can carry ``body`` (rewritten as UTF-8), else quoted-printable."""
    current = (part.get("Content-Transfer-Encoding") or "").lower()
    if current == "7bit" and not body.isascii():
        return "quoted-printable"
    return current if current in ("7bit", "8bit", "base64", "quoted-printable") else "quoted-printable"


class StripAttachments(Action):
    name = "strip_attachments"
    description = "Remove matching attachments (by true-type family or file name) and add a notice"

    def validate(self, params):
        families = params.get("families", [])
        patterns = params.get("names", [])
        if not isinstance(families, list) or not isinstance(patterns, list):
            raise ActionError("'families' and 'names' are lists")
        unknown = sorted(set(families) - FAMILIES)
        if unknown:
            raise ActionError(f"unknown families {unknown}")
        if not families and not patterns:
            raise ActionError("give 'families' and/or 'names' to strip")
        notice = str(params.get("notice", "An attachment ({name}) was removed by the mail security policy."))
        return {"families": families, "names": [str(p).lower() for p in patterns], "notice": notice[:500]}

    def apply(self, ctx: MessageContext, params: dict[str, Any]) -> None:
        import fnmatch

        params = self.validate(params)
        doomed_paths = set()
        for part in ctx.parsed.attachments:
            name = (part.filename or "").lower()
            if part.family in params["families"] or any(fnmatch.fnmatch(name, p) for p in params["names"]):
                doomed_paths.add(part.path.split("/")[0])  # a member condemns the whole MIME part
        if not doomed_paths:
            return
        msg = ctx.edit()
        removed = _remove_parts(msg, doomed_paths)
        if removed:
            notice = "\n".join(params["notice"].format(name=n or "unnamed") for n in removed)
            msg.add_attachment(notice, filename="attachment-removed.txt") if msg.is_multipart() else \
                msg.set_content(notice)
            ctx.facts["stripped_attachments"] = removed


def _remove_parts(msg, paths: set[str]) -> list[str]:
    """Remove MIME leaf parts whose IMAP-style path is in ``paths``; returns their file names."""
    removed: list[str] = []

    def walk(node, prefix: str) -> None:
        if not node.is_multipart():
            return
        keep = []
        for i, sub in enumerate(node.get_payload(), start=1):
            path = f"{prefix}.{i}" if prefix else str(i)
            if not sub.is_multipart() and path in paths:
                removed.append(sub.get_filename() or "")
                continue
            walk(sub, path)
            keep.append(sub)
        node.set_payload(keep)

    walk(msg, "")
    return removed
