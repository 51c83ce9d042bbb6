"""Reduce an HTML body to what a reader sees, and what is hidden from them.

One tolerant pass with the stdlib ``html.parser`` yields an ``HtmlDoc``:
visible text, text styled to be invisible, links with their anchor text,
forms, and a count of tags.  Broken markup never raises.  See docs/spam.md.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

MAX_HTML_CHARS = 300_000


class _EndOfInputProbe(HTMLParser):
    closed_comment = False

    def handle_comment(self, data: str) -> None:
        self.closed_comment = True


def stdlib_parser_is_linear() -> bool:
    """Whether this Python's ``html.parser`` has the fix for CVE-2025-6069.

    Before it, tags, comments and declarations left open at the end of the
    input were re-read from each ``<`` to the end: 80 KB of ``<a `` took 53 s
    here, and this reader, TextCensor and the URL check all use the parser.
    The fix came with HTML5's end-of-input rules, which this probes: an
    unclosed comment at the end is now a comment, where it was text. Debian
    12's python3.11 3.11.2-6+deb12u6 lacks it, u8 and u9 have it
    (scripts/bootstrap.sh upgrades, probing with this function; the node
    status reports a Python without it).
    """
    probe = _EndOfInputProbe()
    probe.feed("<!--x")
    probe.close()
    return probe.closed_comment

_VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"]
)
_SKIP_TEXT = frozenset(("script", "style", "head", "title", "noscript"))
_BLOCK = frozenset(["p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "td", "blockquote"])
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*[01](?:\.\d+)?\s*(?:px|pt)?\s*(?:;|$)"
    r"|opacity\s*:\s*0(?:\.0+)?\s*(?:;|$)|(?:max-)?height\s*:\s*0(?:px)?\s*(?:;|$)",
    re.I,
)
_WHITE = re.compile(r"(?:^|[^-])color\s*:\s*(?:#fff(?:fff)?|white|rgb\(\s*255\s*,\s*255\s*,\s*255\s*\))\b", re.I)
_BG_NON_WHITE = re.compile(r"background(?:-color)?\s*:\s*(?!#fff|white)", re.I)


@dataclass
class HtmlDoc:
    """What one HTML body shows, hides and links to."""

    text: str = ""
    hidden_text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    forms: int = 0
    password_inputs: int = 0
    images: int = 0
    tags: Counter[str] = field(default_factory=Counter)
    form_actions: list[str] = field(default_factory=list)
    preheader_chars: int = 0  # hidden text before the first visible word: the inbox preview line


def _is_hidden(tag: str, attrs: dict[str, str]) -> bool:
    style = attrs.get("style", "")
    if style and _HIDDEN_STYLE.search(style):
        return True
    if style and _WHITE.search(style) and not _BG_NON_WHITE.search(style):
        return True
    if tag == "font":
        colour = attrs.get("color", "").strip().lower()
        if colour in ("#ffffff", "#fff", "white", "ffffff"):
            return True
        if attrs.get("size", "").strip() in ("0", "-5", "-4"):
            return True
    return "hidden" in attrs and tag not in ("input",)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = HtmlDoc()
        self._stack: list[tuple[str, bool, bool]] = []  # tag, hidden, skip
        self._visible: list[str] = []
        self._hidden: list[str] = []
        self._link: list[str] | None = None
        self._href = ""
        self._seen_visible = False

    def _state(self) -> tuple[bool, bool]:
        return self._stack[-1][1:] if self._stack else (False, False)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        amap = {k.lower(): (v or "") for k, v in attrs}
        self.doc.tags[tag] += 1
        self._note_element(tag, amap)
        if tag in _BLOCK:
            self._visible.append("\n")
        if tag in _VOID:
            return
        hidden, skip = self._state()
        self._stack.append((tag, hidden or _is_hidden(tag, amap), skip or tag in _SKIP_TEXT))
        if len(self._stack) > 500:
            del self._stack[:250]

    def _note_element(self, tag: str, amap: dict[str, str]) -> None:
        if tag == "a" and amap.get("href"):
            self._close_link()
            self._href, self._link = amap["href"].strip(), []
        elif tag == "form":
            self.doc.forms += 1
            self.doc.form_actions.append(amap.get("action", "").strip())
        elif tag == "input" and amap.get("type", "").lower() == "password":
            self.doc.password_inputs += 1
        elif tag == "img":
            self.doc.images += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._close_link()
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data: str) -> None:
        hidden, skip = self._state()
        if skip:
            return
        if hidden:
            self._hidden.append(data)
            if not self._seen_visible:
                self.doc.preheader_chars += len(" ".join(data.split())) + 1
        else:
            self._visible.append(data)
            self._seen_visible = self._seen_visible or not data.isspace()
        if self._link is not None and not hidden:
            self._link.append(data)

    def _close_link(self) -> None:
        if self._link is not None:
            text = " ".join("".join(self._link).split())
            self.doc.links.append((self._href, text))
            self._link = None

    def finish(self) -> HtmlDoc:
        self._close_link()
        self.doc.text = "".join(self._visible)
        self.doc.hidden_text = " ".join(" ".join(self._hidden).split())
        return self.doc


def parse_html(html: str) -> HtmlDoc:
    """Parse ``html`` into an ``HtmlDoc``; never raises."""
    parser = _Parser()
    try:
        parser.feed(html[:MAX_HTML_CHARS])
        parser.close()
    except Exception:  # noqa: S110 - hostile markup must not stop the scan; keep what was parsed
        pass
    return parser.finish()
