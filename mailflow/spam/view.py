"""``MessageView``: the parts of a message the spam layers read.

``MessageView.from_parts`` builds a view from decoded parts;
``view_from_parsed`` builds it from the engine's single parse
(``mailflow.mime``), and ``view_from_bytes`` parses raw bytes with that same
parser, so training, feedback learning, the accuracy benchmark and the
engine read every message alike. Neither raises, whatever the input. See
docs/spam.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import parseaddr
from functools import cached_property
from typing import TYPE_CHECKING

from mailflow.mime.decode import decode_text
from mailflow.spam.htmltext import HtmlDoc, parse_html
from mailflow.spam.urls import Url, parse_url, redirect_target, urls_in_text

if TYPE_CHECKING:
    from mailflow.mime.types import ParsedMessage

MAX_TEXT_CHARS = 200_000
MAX_RECIPIENTS = 20
MAX_MEMBERS = 200  # archive members kept for the attachment rules
# Headers naming who a message was delivered to, when the envelope is not known.
_ADDRESSEE_HEADERS = frozenset(["to", "cc", "delivered-to", "x-original-to", "envelope-to"])
# The lookbehind starts a match only where a local part can start: without it, a
# long run of word characters with no "@" costs time quadratic in its length.
_ADDRESS = re.compile(r"(?<![\w.+'=-])[\w.+'=-]+@(?:[\w-]+\.)+[a-z]{2,24}\b", re.I)


@dataclass(frozen=True)
class MessageView:
    """Decoded subject, sender, headers, bodies, URLs and attachments."""

    subject: str = ""
    from_: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    text: str = ""
    html: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    attachments: tuple[tuple[str, str], ...] = ()
    members: tuple[tuple[str, str, bool], ...] = ()  # archive members: (file name, archive's path, encrypted)
    part_types: tuple[str, ...] = field(default=())
    link_targets: tuple[str, ...] = ()  # where shortened links lead, and links inside attached PDFs (URLCensor)
    attached_html: tuple[str, ...] = ()  # decoded HTML and SVG attachments: pages, forms and redirects in disguise
    recipients: tuple[str, ...] = ()  # envelope recipients where the engine knows them; else read from the headers

    @classmethod
    def from_parts(
        cls,
        *,
        subject: str = "",
        from_: str = "",
        headers: Sequence[tuple[str, str]] = (),
        text_bodies: Sequence[str] = (),
        html_bodies: Sequence[str] = (),
        attachments: Sequence[tuple[str, str]] = (),
        members: Sequence[tuple[str, str, bool]] = (),
        part_types: Sequence[str] = (),
        link_targets: Sequence[str] = (),
        attached_html: Sequence[str] = (),
        recipients: Sequence[str] = (),
    ) -> MessageView:
        """Build a view from decoded parts; URLs are collected from the bodies.

        ``link_targets`` are the targets of shortened links found by following
        them and the links inside attached PDFs; the link rules read them
        (``linked_urls``), the classifier does not.  ``attached_html`` is the
        decoded text of HTML or SVG attachments: its links and form targets
        join ``linked_urls``, and the attachment rules read its forms and
        scripts; the classifier does not read it either.  ``recipients`` are
        the envelope recipients when known (``recipient_addresses``).
        ``members`` are the files unpacked from archives (name, the archive's
        part path, whether it was password-protected), for the attachment
        rules.
        """
        text = "\n".join(text_bodies)[:MAX_TEXT_CHARS]
        html = tuple(h[:MAX_TEXT_CHARS] for h in html_bodies)
        view = cls(
            subject=subject or "",
            from_=from_ or "",
            headers=tuple((str(n), str(v)) for n, v in headers),
            text=text,
            html=html,
            attachments=tuple((n or "", (t or "").lower()) for n, t in attachments),
            members=tuple((n or "", parent, bool(enc)) for n, parent, enc in members)[:MAX_MEMBERS],
            part_types=tuple(t.lower() for t in part_types),
            link_targets=tuple(link_targets),
            attached_html=tuple(h[:MAX_TEXT_CHARS] for h in attached_html),
            recipients=tuple(str(r).strip().lower() for r in recipients if r)[:MAX_RECIPIENTS],
        )
        object.__setattr__(view, "urls", tuple(view._collect_urls()))
        return view

    def _collect_urls(self) -> list[str]:
        found = urls_in_text(self.text)
        for doc in self.html_docs:
            found.extend(href for href, _ in doc.links)
            found.extend(a for a in doc.form_actions if a)
            found.extend(urls_in_text(doc.text, limit=50))
        return found[:300]

    @cached_property
    def memo(self) -> dict[str, object]:
        """Results several rules share, computed once per message."""
        return {}

    @cached_property
    def html_docs(self) -> tuple[HtmlDoc, ...]:
        return tuple(parse_html(h) for h in self.html)

    @cached_property
    def parsed_urls(self) -> tuple[Url, ...]:
        parsed = (parse_url(u) for u in self.urls)
        return tuple(u for u in parsed if u is not None)

    @cached_property
    def attached_docs(self) -> tuple[HtmlDoc, ...]:
        return tuple(parse_html(h) for h in self.attached_html)

    @cached_property
    def linked_urls(self) -> tuple[Url, ...]:
        """Every link destination.

        The body's URLs, where its shortened links lead, links in attached
        PDFs and HTML pages, and the URL each redirecting link carries.
        """
        raw = list(self.link_targets)
        for doc in self.attached_docs:
            raw.extend(href for href, _ in doc.links)
            raw.extend(a for a in doc.form_actions if a)
            raw.extend(urls_in_text(doc.text, limit=50))
        found = list(self.parsed_urls) + [u for u in map(parse_url, raw[:300]) if u is not None]
        found.extend(t for t in map(redirect_target, found) if t is not None)
        return tuple(found)

    @cached_property
    def html_text(self) -> str:
        return "\n".join(d.text for d in self.html_docs)

    @cached_property
    def body_text(self) -> str:
        """Visible text a reader sees: plain parts, or the HTML if there are none."""
        if self.text.strip():
            return self.text
        return self.html_text

    @cached_property
    def _from_pair(self) -> tuple[str, str]:
        try:
            name, address = parseaddr(self.from_)
        except Exception:  # malformed From gives no address
            return self.from_.strip(), ""
        return name.strip(), address.strip().lower()

    @property
    def from_name(self) -> str:
        return self._from_pair[0]

    @property
    def from_address(self) -> str:
        return self._from_pair[1]

    @cached_property
    def from_domain(self) -> str:
        return self.from_address.rpartition("@")[2]

    @cached_property
    def _first_headers(self) -> dict[str, str]:
        first: dict[str, str] = {}
        for hname, value in self.headers:
            first.setdefault(hname.lower(), value)
        return first

    def header(self, name: str) -> str | None:
        """First value of header ``name`` (case-insensitive), or None."""
        return self._first_headers.get(name.lower())

    @cached_property
    def recipient_addresses(self) -> tuple[str, ...]:
        """Who the message was for, lower-cased: the envelope's recipients, else the addressee headers'.

        The rules that ask whether a message names or carries its own
        reader's address read these; the classifier does not.
        """
        if self.recipients:
            return self.recipients
        values = " ".join(v[:2000] for n, v in self.headers if n.lower() in _ADDRESSEE_HEADERS)
        found = dict.fromkeys(a.lower() for a in _ADDRESS.findall(values))
        return tuple(found)[:MAX_RECIPIENTS]


_CONTENT_TYPE = re.compile(rb"^Content-Type:[ \t]*([\w.+-]+/[\w.+-]+)", re.I | re.M)
_MAX_STRUCTURE = 6


def mime_structure(raw: bytes) -> list[str]:
    """Content types in document order (what ``email``'s walk gives), read from the raw bytes."""
    found = []
    for match in _CONTENT_TYPE.finditer(raw):
        found.append(match.group(1).decode("ascii").lower())
        if len(found) >= _MAX_STRUCTURE:
            break
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    if not _CONTENT_TYPE.search(head):
        found.insert(0, "text/plain")  # a message without Content-Type is text/plain
    return found[:_MAX_STRUCTURE]


MAX_ATTACHED_HTML = 512 * 1024  # bytes of one HTML attachment read; login pages are small
HTML_NAMES = (".htm", ".html", ".shtml", ".xhtml", ".svg", ".mht", ".mhtml")  # file names of pages


def attached_pages(parsed: ParsedMessage) -> list[str]:
    """Decoded HTML and SVG attachments (top level, by true type or name), at most four."""
    pages = []
    for part in parsed.attachments:
        is_page = part.family == "html" or (part.filename or "").lower().rstrip().endswith(HTML_NAMES)
        if part.depth == 0 and is_page and part.data and len(part.data) <= MAX_ATTACHED_HTML:
            pages.append(decode_text(part.data, part.charset)[0])
        if len(pages) >= 4:
            break
    return pages


def view_from_parsed(
    parsed: ParsedMessage, link_targets: Sequence[str] = (), recipients: Sequence[str] = ()
) -> MessageView:
    """The view of a message the engine has parsed (``mailflow.mime.parse_message``).

    ``recipients`` are the envelope recipients, where the caller knows them.
    """
    first_from = next((v for n, v in parsed.headers if n.lower() == "from"), parsed.from_)
    return MessageView.from_parts(
        subject=parsed.subject, from_=first_from, headers=parsed.headers,
        text_bodies=parsed.text_bodies, html_bodies=parsed.html_bodies,
        attachments=[(p.filename, p.content_type) for p in parsed.attachments if p.depth == 0],
        members=[(p.filename, p.parent, p.encrypted) for p in parsed.attachments if p.depth > 0],
        part_types=mime_structure(parsed.raw), link_targets=link_targets, attached_html=attached_pages(parsed),
        recipients=recipients,
    )


def view_from_bytes(raw: bytes) -> MessageView:
    """Parse raw RFC 5322 bytes as the engine does into a view; malformed input gives a partial view.

    The links inside attached PDFs and QR codes are read too, as URLCensor
    reads them for the engine; nothing is fetched.
    """
    return parsed_view(raw)[1]


def parsed_view(raw: bytes) -> tuple[ParsedMessage, MessageView]:
    """The engine's parse of ``raw`` and ``view_from_bytes``'s view of it, for callers that need both."""
    from mailflow.mime import parse_message
    from mailflow.mime.filelinks import file_links

    parsed = parse_message(raw)
    links = [link for _, found, _ in file_links(parsed) for link in found]
    return parsed, view_from_parsed(parsed, link_targets=links[:300])
