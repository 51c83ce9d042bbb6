"""Reduce an HTML part to the plain text TextCensor scans.

Scripts, styles, templates and the document head are dropped; entities are
decoded; block elements become line breaks; image ``alt`` text is kept, and
so is text hidden with CSS (a filter must see what a sender hides).
See docs/textcensor.md ("HTML").
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

MAX_HTML_CHARS = 8 * 1024 * 1024
_SKIP = frozenset({"script", "style", "template", "head", "title", "noscript", "object", "iframe"})
_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "fieldset",
        "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
        "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tr", "ul",
    }
)  # fmt: skip
_CELL = frozenset({"td", "th"})
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"})
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_TAGS = re.compile(r"<[^>]*>")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip_depth = 0
        self.skip_tag: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_depth:
            if tag == self.skip_tag and tag not in _VOID:
                self.skip_depth += 1
            elif tag == "body" and self.skip_tag == "head":  # unclosed <head>
                self.skip_depth, self.skip_tag = 0, None
            return
        if tag in _SKIP:
            self.skip_depth, self.skip_tag = 1, tag
            return
        if tag in _BLOCK:
            self.out.append("\n")
        elif tag in _CELL:
            self.out.append(" ")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.out.append(f" {alt} ")

    def handle_endtag(self, tag: str) -> None:
        if self.skip_depth:
            if tag == self.skip_tag:
                self.skip_depth -= 1
                if not self.skip_depth:
                    self.skip_tag = None
            return
        if tag in _BLOCK and tag not in _VOID:  # <br/> is one break, not two
            self.out.append("\n")
        elif tag in _CELL:
            self.out.append(" ")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.out.append(data)


def _tidy(text: str) -> str:
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()


def html_to_text(html: str) -> str:
    """Return the visible-or-hidden text of ``html`` (never raises on bad markup)."""
    html = html[:MAX_HTML_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        return _tidy(unescape(_TAGS.sub(" ", html)))
    return _tidy("".join(parser.out))
