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
import re
from dataclasses import dataclass, field
from html import escape, unescape

import nh3

from mailflow.mime.decode import decode_text
from mailflow.mime.policies import COMPAT32

BLOCKED = '<span class="blocked-image">[remote image blocked]</span>'
# A tag is read up to the next "<" at most, so text full of "<img" without a ">" costs linear time,
# not quadratic (an image whose attributes hold a "<" keeps no source anyway: see _filter).
_REMOTE_IMG = re.compile(r"<img\b[^<>]*?\bsrc\s*=\s*[\"']?\s*(?:https?:|//)[^<>]*>", re.IGNORECASE)
# The HTML5 tree builder behind nh3 checks the open elements on many start tags, so its time grows
# with the nesting depth times the number of tags: 100,000 unclosed <div>s, <pre>s, or <b>s between
# <hr>s cost it 20 s or more. HTML deeper than MAX_NESTING is shown as text instead (no mail program
# writes it). Elements whose end tag may be left out, and void ones, do not nest.
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*>?")
_NOT_NESTING = frozenset([
    "p", "tr", "td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "colgroup", "caption",
    "rb", "rt", "rtc", "rp", "html", "head", "body",
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
])
# An item closes the item open before it in the same list; a <dd> inside an <li> does not, and nests.
_ITEM_CLOSES = {"li": ("li",), "dt": ("dt", "dd"), "dd": ("dt", "dd")}
MAX_NESTING = 400
_TOO_DEEP = "This message's HTML nests deeper than mail programs write; it is shown as text."
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


def nesting_depth(html: str, stop: int = MAX_NESTING) -> int:
    """How deep the elements of ``html`` nest (unclosed ones count), counted up to just past ``stop``."""
    open_names: list[str] = []
    deepest = 0
    for match in _TAG.finditer(html):
        name = match.group(2).lower()
        if name in _NOT_NESTING or match.group().endswith("/>"):
            continue
        if match.group(1):  # an end tag closes everything opened since its element (at most ``stop`` to search)
            if name in open_names:
                del open_names[len(open_names) - 1 - open_names[::-1].index(name):]
        elif open_names and open_names[-1] in _ITEM_CLOSES.get(name, ()):
            open_names[-1] = name
        else:
            open_names.append(name)
            deepest = max(deepest, len(open_names))
            if deepest > stop:
                break
    return deepest


def sanitise_html(html: str) -> str:
    html = html[:MAX_RENDER_CHARS]
    if nesting_depth(html) > MAX_NESTING:
        text = unescape(_TAG.sub(" ", html))
        return f'<p class="render-note">{_TOO_DEEP}</p><pre>{escape(text)}</pre>'
    html = _REMOTE_IMG.sub(BLOCKED, html)
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
        msg = email.message_from_bytes(raw, policy=COMPAT32)
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
            text = decode_text(payload, part.get_content_charset() or "utf-8")[0]
            if ctype == "text/html" and not out.html:
                out.html = sanitise_html(text)
            elif ctype == "text/plain" and not out.text:
                out.text = text[:MAX_RENDER_CHARS]
    except Exception as exc:  # hostile or broken structure: show the bytes as text
        out.parse_error = f"{type(exc).__name__}: {exc}"[:300]
        out.text = raw[:MAX_RENDER_CHARS].decode("utf-8", "replace")
    return out
