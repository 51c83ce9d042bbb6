"""Turn a ``MessageView`` into the feature tokens the classifier learns from.

Content only: subject and body words (HTML reduced to what is visible),
URL hosts and paths, HTML structure, the From display name
against its address, and the MIME structure.  Transport and list headers
(Received, List-*, Delivered-To, Return-Path, Message-ID, Date, X-*) and
recipient addresses are never read: they describe the route a message took
to one mailbox, not the message.  See docs/spam.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mailflow.spam.urls import DOMAIN_IN_TEXT, Url
from mailflow.spam.view import MessageView

WORD = re.compile(r"[^\W_][\w'$€£%.@-]*[^\W_]|[$€£]\d[\d,.]*|[^\W_]", re.U)
MAX_WORDS = 3000
_REPLY_PREFIX = frozenset(("re", "fw", "fwd", "aw", "tr", "sv", "wg"))
_DIGITS = re.compile(r"\d")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]{2,}")


def _normalise(word: str) -> str | None:
    word = word.lower().strip(".'-")
    if len(word) < 2:
        return None
    if len(word) > 24:
        return f"long:{word[:3]}:{min(len(word) // 10, 9)}"
    if _DIGITS.search(word):
        shaped = _DIGITS.sub("9", word)
        return shaped if len(shaped) <= 12 else "num:long"
    return word


def _words(text: str, limit: int = MAX_WORDS) -> list[str]:
    out: list[str] = []
    for match in WORD.finditer(text):
        norm = _normalise(match.group(0))
        if norm:
            out.append(norm)
            if len(out) >= limit:
                break
    return out


def _bucket(n: int) -> str:
    return "0" if n == 0 else str(min(n.bit_length(), 8))


def subject_tokens(subject: str) -> Iterator[str]:
    words = [w for w in _words(subject, 60) if w not in _REPLY_PREFIX]
    yield from ("s:" + w for w in words)
    letters = [c for c in subject if c.isalpha()]
    if len(letters) >= 6 and sum(c.isupper() for c in letters) / len(letters) > 0.7:
        yield "s:*caps"
    if "!" in subject:
        yield "s:*bang"
    if not subject.strip():
        yield "s:*empty"


def _script_tokens(text: str) -> Iterator[str]:
    sample = text[:20000]
    if not sample:
        return
    non_ascii = sum(not c.isascii() for c in sample) / len(sample)
    yield "8bit:" + str(min(int(non_ascii * 10), 9))
    if "\ufffd" in sample:
        yield "8bit:undecodable"
    for run in _CJK.findall(sample)[:200]:
        yield from ("cjk:" + run[i : i + 2] for i in range(len(run) - 1))


def body_tokens(view: MessageView) -> Iterator[str]:
    text = view.text
    if view.html:
        text = f"{text}\n{view.html_text}"
    words = _words(text)
    yield from words
    yield "len:" + _bucket(len(words))
    yield from _script_tokens(text)
    for domain in {m.lower() for m in DOMAIN_IN_TEXT.findall(text[:20000])}:
        yield "tdom:" + domain.rsplit(".", 1)[-1]


def _url_tokens(url: Url) -> Iterator[str]:
    yield "url:" + url.scheme
    if url.is_ip:
        yield "url:*ip"
        return
    yield "url:d:" + url.domain
    yield "url:tld:" + url.host.rsplit(".", 1)[-1]
    yield "url:depth:" + str(min(url.host.count("."), 5))
    for part in re.split(r"[/._=&?-]+", url.path.lower())[:8]:
        if 2 < len(part) < 20:
            yield "url:p:" + _DIGITS.sub("9", part)
    if url.query:
        yield "url:query"


def url_tokens(view: MessageView) -> Iterator[str]:
    urls = view.parsed_urls
    yield "urls:" + _bucket(len(urls))
    for url in urls[:100]:
        yield from _url_tokens(url)


def html_tokens(view: MessageView) -> Iterator[str]:
    if not view.html:
        return
    yield "html:" + ("alt" if view.text.strip() else "only")
    for doc in view.html_docs:
        yield from ("tag:" + t for t in doc.tags if len(t) < 12)
        yield "img:" + _bucket(doc.images)
        if doc.hidden_text.strip():
            yield "html:hidden"
        if doc.forms:
            yield "html:form"
        if doc.password_inputs:
            yield "html:password"


def structure_tokens(view: MessageView) -> Iterator[str]:
    yield "mime:" + ">".join(view.part_types[:6])
    for name, ctype in view.attachments[:20]:
        yield "att:" + ctype
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        yield "att:ext:" + ext[:8]


def from_tokens(view: MessageView) -> Iterator[str]:
    name, domain = view.from_name, view.from_domain
    yield from ("fn:" + w for w in _words(name, 10))
    yield "from:tld:" + domain.rsplit(".", 1)[-1]
    if not name:
        yield "from:noname"
    elif "@" in name:
        yield "from:name-has-address"
    local = view.from_address.partition("@")[0]
    if _DIGITS.search(local):
        yield "from:local-digits"
    ctype = view.header("Content-Type") or ""
    charset = re.search(r"charset\s*=\s*\"?([\w.:-]+)", ctype, re.I)
    if charset:
        yield "charset:" + charset.group(1).lower()


def tokenize(view: MessageView, *, body_only: bool = False) -> set[str]:
    """Return the set of feature tokens for ``view``.

    ``body_only`` skips everything read from headers (From, Content-Type).
    """
    tokens: set[str] = set(subject_tokens(view.subject))
    tokens.update(body_tokens(view))
    tokens.update(url_tokens(view))
    tokens.update(html_tokens(view))
    tokens.update(structure_tokens(view))
    if not body_only:
        tokens.update(from_tokens(view))
    return tokens
