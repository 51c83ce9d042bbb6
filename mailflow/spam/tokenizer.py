"""Turn a ``MessageView`` into the feature tokens the classifier learns from.

Content: subject and body words (HTML reduced to what is visible,
disguised words undone), URL hosts and paths, HTML structure, the From
display name against its address, and the MIME structure.  With headers,
also the shapes the author's software leaves (``headertokens``).  Transport
and list headers (Received, List-*, Delivered-To, Return-Path), the
Message-ID host and recipient addresses are never read: they describe the
route a message took to one mailbox, not the message.  See docs/spam.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import chain, pairwise
from urllib.parse import parse_qsl

from mailflow.spam.fastre import compile_fast
from mailflow.spam.headertokens import header_tokens
from mailflow.spam.heuristics.header_rules import FREEMAIL
from mailflow.spam.memo import lookup_all
from mailflow.spam.obfuscation import remove_invisible, spaced_words
from mailflow.spam.urls import DOMAIN_IN_TEXT, Url
from mailflow.spam.view import MessageView

WORD = re.compile(r"[^\W_][\w'$€£%.@-]*[^\W_]|[$€£]\d[\d,.]*|[^\W_]", re.U)
MAX_WORDS = 3000
_REPLY_PREFIX = frozenset(("re", "fw", "fwd", "aw", "tr", "sv", "wg"))
_DIGITS = re.compile(r"\d")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]{2,}")
_SHAPE_CHARS = 40_000
# Patterns with few matches per message run on RE2 (``fastre``); frequent ones stay on ``re``.
_MONEY = compile_fast(r"[$€£]\s?\d|\d\s?(?:dollars|usd|eur)\b", ignore_case=True)
_PERCENT = compile_fast(r"\d\s?%")
_PHONE = compile_fast(r"(?:\+?\d[\s.-]?)?\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}")
_TEXT_DOMAIN = compile_fast(DOMAIN_IN_TEXT.pattern, ignore_case=True)
_CAPS_RUN = re.compile(r"[A-Z]{3,}")  # no leading \b: re can then skip ahead to the next capital
_FONT_SIZE = re.compile(r"<font[^>]*?size\s*=\s*[\"']?([+-]?\d)", re.I)
_COLOUR = re.compile(r"color\s*[=:]\s*[\"']?(#?[0-9a-f]{3,6}|[a-z]+)", re.I)
_CSS_SIZE = re.compile(r"font-size\s*:\s*(\d+)", re.I)
_NAME_PART = re.compile(r"[a-z0-9]{3,}")


_CHUNK_TOKENS: dict[str, tuple[str, ...]] = {}  # whitespace-separated chunk -> its word tokens
_MEMO_MAX = 200_000  # chunks repeat across messages: a lookup is far cheaper than the work


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


def _chunk_tokens(chunk: str) -> tuple[str, ...]:
    return tuple(filter(None, map(_normalise, WORD.findall(chunk))))


def words_of(text: str, limit: int = MAX_WORDS) -> list[str]:
    """The word tokens of ``text``, in order, at most ``limit``.

    No match of ``WORD`` holds whitespace, so the words of the text are the
    words of its whitespace-separated chunks, one after the other; chunks
    repeat from message to message far more than they differ, and a memo of
    each chunk's tokens spares the regex most of the text.
    """
    chunks = text[: limit * 40].split()  # 40 characters a word is far past the limit
    per_chunk = lookup_all(_CHUNK_TOKENS, chunks, _chunk_tokens, _MEMO_MAX)
    words = list(chain.from_iterable(per_chunk))
    return words[:limit] if len(words) > limit else words


def _bucket(n: int) -> str:
    return "0" if n == 0 else str(min(n.bit_length(), 8))


def subject_tokens(subject: str) -> Iterator[str]:
    words = [w for w in words_of(subject, 60) if w not in _REPLY_PREFIX]
    yield from ("s:" + w for w in words)
    letters = [c for c in subject if c.isalpha()]
    if len(letters) >= 6 and sum(c.isupper() for c in letters) / len(letters) > 0.7:
        yield "s:*caps"
    if "!" in subject:
        yield "s:*bang"
    if not subject.strip():
        yield "s:*empty"
    yield "s:*len:" + _bucket(len(subject))
    tail = subject[-200:]  # both patterns look at the end; on a whole long subject they backtrack quadratically
    if re.search(r"\s{3,}\S+$", tail):
        yield "s:*trailing-junk"
    if re.search(r"\d{3,}\s*$", tail):
        yield "s:*trailing-number"
    yield from (f"s2:{a}_{b}" for a, b in pairwise(words))


def _script_tokens(text: str) -> Iterator[str]:
    sample = text[:20000]
    if not sample:
        return
    if sample.isascii():  # most mail: nothing below can match
        yield "8bit:0"
        return
    non_ascii = (len(sample) - len(sample.encode("ascii", "ignore"))) / len(sample)
    yield "8bit:" + str(min(int(non_ascii * 10), 9))
    if "\ufffd" in sample:
        yield "8bit:undecodable"
    for run in _CJK.findall(sample)[:200]:
        yield from ("cjk:" + run[i : i + 2] for i in range(len(run) - 1))


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # exactly what re's \w is for str patterns


def _caps_words(sample: str) -> int:
    """How many words are three or more capitals: what ``\\b[A-Z]{3,}\\b`` counts, four times faster."""
    count, end = 0, len(sample)
    for match in _CAPS_RUN.finditer(sample):
        start, stop = match.span()
        if (start == 0 or not _is_word_char(sample[start - 1])) and (stop == end or not _is_word_char(sample[stop])):
            count += 1
    return count


def _shape_tokens(text: str) -> Iterator[str]:
    """How the text looks: amounts, percentages, phone numbers, shouting, ``!``."""
    sample = text[:_SHAPE_CHARS]
    words = max(1, len(sample.split()))
    yield "sh:money:" + _bucket(len(_MONEY.findall(sample)))
    yield "sh:percent:" + _bucket(len(_PERCENT.findall(sample)))
    yield "sh:phone:" + _bucket(len(_PHONE.findall(sample)))
    yield "sh:caps:" + str(min(20 * _caps_words(sample) // words, 9))
    yield "sh:bang:" + _bucket(sample.count("!"))
    yield "sh:dollar:" + _bucket(sample.count("$"))


def body_words(view: MessageView) -> tuple[str, list[str]]:
    """The plain and visible HTML text with invisible characters dropped, and its words: once per view.

    The classifier's body tokens and the bulk signatures' sketch both read them.
    """
    found = view.memo.get("body_words")
    if found is None:
        text = view.text
        if view.html:
            text = f"{text}\n{view.html_text}"
        text = remove_invisible(text)
        found = view.memo["body_words"] = (text, words_of(text))
    return found  # type: ignore[return-value]


def body_tokens(view: MessageView) -> Iterator[str]:
    text, words = body_words(view)
    yield from words
    for word in spaced_words(view):
        if len(word) >= 4:
            yield word
            yield "obf:spaced"
    yield "len:" + _bucket(len(words))
    yield from _script_tokens(text)
    yield from _shape_tokens(text)
    for domain in {m.lower() for m in _TEXT_DOMAIN.findall(text[:20000])}:
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
    yield "url:pdepth:" + str(min(sum(1 for p in url.path.split("/") if p), 5))
    if url.query:
        yield "url:query"
        for key, _ in parse_qsl(url.query, keep_blank_values=True)[:6]:
            if len(key) < 16:
                yield "url:qk:" + _DIGITS.sub("9", key.lower())


def url_tokens(view: MessageView) -> Iterator[str]:
    urls = view.parsed_urls
    yield "urls:" + _bucket(len(urls))
    for url in urls[:100]:
        yield from _url_tokens(url)


def html_tokens(view: MessageView) -> Iterator[str]:
    if not view.html:
        return
    yield "html:" + ("alt" if view.text.strip() else "only")
    for html, doc in zip(view.html, view.html_docs, strict=False):
        yield from ("tag:" + t for t in doc.tags if len(t) < 12)
        yield "img:" + _bucket(doc.images)
        if doc.hidden_text.strip():
            yield "html:hidden"
        if doc.forms:
            yield "html:form"
        if doc.password_inputs:
            yield "html:password"
        yield from _html_style_tokens(html)
        visible_words = len(doc.text.split())
        yield "img:ratio:" + str(min(int(10 * doc.images / (1 + visible_words / 50)), 9))
        yield "links:" + _bucket(len(doc.links))
        yield "tables:" + _bucket(doc.tags.get("table", 0))
        for _, anchor in doc.links[:50]:
            yield from _anchor_tokens(anchor)


def _html_style_tokens(html: str) -> Iterator[str]:
    """Font sizes and colours: the typography of an advert."""
    html = html[:60_000]
    yield from {"font:size:" + s for s in _FONT_SIZE.findall(html)}
    yield from {"font:color:" + c.lower()[:8] for c in _COLOUR.findall(html)[:50]}
    yield from {"font:px:" + str(min(int(s) // 4, 9)) for s in _CSS_SIZE.findall(html)[:50]}


def _anchor_tokens(anchor: str) -> Iterator[str]:
    lowered = anchor.lower()
    if not lowered.strip():
        yield "a:empty"
    if "click" in lowered:
        yield "a:click"
    if "here" in lowered.split():
        yield "a:here"
    if "remove" in lowered or "unsubscribe" in lowered:
        yield "a:unsubscribe"


def structure_tokens(view: MessageView) -> Iterator[str]:
    yield "mime:" + ">".join(view.part_types[:6])
    for name, ctype in view.attachments[:20]:
        yield "att:" + ctype
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        yield "att:ext:" + ext[:8]


def from_tokens(view: MessageView) -> Iterator[str]:
    name, domain = view.from_name, view.from_domain
    yield from ("fn:" + w for w in words_of(name, 10))
    yield "from:tld:" + domain.rsplit(".", 1)[-1]
    if not name:
        yield "from:noname"
    elif "@" in name:
        yield "from:name-has-address"
    local = view.from_address.partition("@")[0]
    if _DIGITS.search(local):
        yield "from:local-digits"
    yield from _from_relation_tokens(name.lower(), local, domain)
    ctype = view.header("Content-Type") or ""
    charset = re.search(r"charset\s*=\s*\"?([\w.:-]+)", ctype, re.I)
    if charset:
        yield "charset:" + charset.group(1).lower()


def _from_relation_tokens(name: str, local: str, domain: str) -> Iterator[str]:
    """Whether the display name agrees with the address it is shown for."""
    if not domain:
        yield "from:no-domain"
        return
    parts = _NAME_PART.findall(name)
    if parts and any(p in domain for p in parts):
        yield "from:name-in-domain"
    elif parts:
        yield "from:name-not-domain"
    if local and parts and any(p in local for p in parts):
        yield "from:name-in-local"
    yield "from:local-len:" + _bucket(len(local))
    if domain in FREEMAIL:
        yield "from:freemail"


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
        tokens.update(header_tokens(view))
    return tokens


# What a message says and where it links, as opposed to how its software wrote it.
_CONTENT_PREFIXES = ("s:", "s2:", "cjk:", "tdom:", "url:d:", "url:p:", "url:tld:", "url:qk:", "url:*ip", "long:")


def content_tokens(tokens: set[str]) -> set[str]:
    """The words, subject words, CJK pairs and link hosts and paths of ``tokens``; no shape or software tokens.

    A written supplement of today's mail teaches its vocabulary through
    these. Its software's marks (UTF-8, quoted-printable, today's HTML
    templates, header shapes) are in nearly every message of today, wanted
    or not, and are rare in the 2002 corpus, so learnt from the supplement
    they would only date a message: a plain UTF-8 note from a colleague read
    as spam because spam of today is UTF-8 too.
    """
    return {t for t in tokens if ":" not in t or (t.startswith(_CONTENT_PREFIXES) and not t.startswith("s:*"))}
