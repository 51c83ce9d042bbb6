"""Headers and a safe rendering of a stored message, for quarantine and archive pages (docs/quarantine.md).

HTML is sanitised with nh3: no scripts, styles, forms, frames or event
handlers; links keep only http, https and mailto targets and never send a
referrer; remote images (http, https, protocol-relative) are replaced by a
visible "remote image blocked" placeholder, so opening a held message never
tells its sender. Plain text is escaped by the template. A message that
cannot be parsed shows its headers as far as they go and its raw text.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, field

import nh3

BLOCKED = '<span class="blocked-image">[remote image blocked]</span>'
_REMOTE_IMG = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']?\s*(?:https?:|//)[^>]*>", re.IGNORECASE)
_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "center", "code", "dd", "div", "dl", "dt", "em", "font",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "small", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title"}, "img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"}, "span": {"class"}, "table": {"width"}, "font": {"color"},
}
MAX_RENDER_CHARS = 500_000


def _filter(tag: str, attr: str, value: str) -> str | None:
    if tag == "a" and attr == "href" and value.strip().lower().startswith("data:"):
        return None  # data: is allowed for inline images only, never as a link target
    if tag == "img" and attr == "src" and not value.lower().startswith("data:image/"):
        return None  # cid: and anything remote: not loaded
    if tag == "span" and attr == "class":
        return "blocked-image" if value == "blocked-image" else None
    return value


def sanitise_html(html: str) -> str:
    html = _REMOTE_IMG.sub(BLOCKED, html[:MAX_RENDER_CHARS])
    return nh3.clean(html, tags=_TAGS, attributes=_ATTRIBUTES, url_schemes={"http", "https", "mailto", "data"},
                     attribute_filter=_filter, link_rel="noopener noreferrer nofollow", strip_comments=True)


@dataclass
class Rendering:
    headers: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""
    html: str = ""  # already sanitised: safe to mark safe in a template
    attachments: list[str] = field(default_factory=list)
    parse_error: str = ""


def render(raw: bytes) -> Rendering:
    """Never raises: a message that cannot be parsed is shown as raw text."""
    out = Rendering()
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
        out.headers = [(k, str(v)[:2000]) for k, v in msg.items()]
        for part in msg.walk():
            if part.is_multipart():
                continue
            filename = part.get_filename()
            ctype = part.get_content_type()
            if filename or part.get("Content-Disposition", "").lower().startswith("attachment"):
                out.attachments.append(filename or ctype)
                continue
            payload = part.get_payload(decode=True) or b""
            text = payload.decode(part.get_content_charset() or "utf-8", "replace")
            if ctype == "text/html" and not out.html:
                out.html = sanitise_html(text)
            elif ctype == "text/plain" and not out.text:
                out.text = text[:MAX_RENDER_CHARS]
    except Exception as exc:  # hostile or broken structure: show the bytes as text
        out.parse_error = f"{type(exc).__name__}: {exc}"[:300]
        out.text = raw[:MAX_RENDER_CHARS].decode("utf-8", "replace")
    return out
