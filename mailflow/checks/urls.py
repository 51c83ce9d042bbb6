"""URLCensor: every URL of the message, against URI blocklists (docs/checks.md).

URLs come from the plain-text bodies, the HTML bodies (``href``, ``src``,
form ``action``/``formaction``, ``background``, meta refresh, and URLs in
the text), and text-like attachments and archive members. Obfuscation is
undone first: HTML character references, ``hxxp``, ``[.]``/``(dot)``, and
open redirectors' embedded targets are followed, and so are links through
known shorteners, by asking the shortener (``mailflow.urlexpand``). Links
inside PDF attachments (``mailflow.mime.pdflinks``) and in QR codes in
images (``mailflow.mime.qrlinks``) are read too.
Hosts are checked against ``SPE_URIBL_ZONES`` (registrable domain, or the
reversed IP for IP-literal hosts) and the provider's own
``SPE_URL_BLOCKLIST``; lookups share the DNSBL check's concurrency, deadline
and per-process cache.
"""

from __future__ import annotations

import html
import itertools
import re
import time
from html.parser import HTMLParser

from django.conf import settings

from mailflow.checks import resources
from mailflow.checks.base import Check, SymbolSpec
from mailflow.checks.dnsbl import lookup_all, parse_zones, reversed_ip, symbol_for
from mailflow.engine.context import MessageContext
from mailflow.mime.filelinks import file_links
from mailflow.spam.fastre import compile_fast
from mailflow.spam.urls import (
    URL_IN_TEXT,
    Url,
    is_shortener,
    may_contain_url,
    parse_url,
    redirect_target,
    registrable_domain,
)

MAX_URLS = 200
MAX_LOOKUPS = 20  # distinct domains per message sent to the URI blocklists
MAX_ATTACHMENT_TEXT = 1024 * 1024
# HTML past this many characters is not walked by html.parser (its cost grows with the tags); links there are still
# read, by one scan for URL attributes in C, so padding a message does not hide its links.
MAX_HTML_PARSE = 1_000_000
DEFAULT_URIBL_SCORE = 4.0
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "background", "data", "poster", "cite"})
REDIRECTORS = frozenset({"google.com/url", "www.google.com/url", "l.facebook.com/l.php", "t.umblr.com/redirect",
                         "away.vk.com/away.php", "href.li", "www.youtube.com/redirect", "slack-redir.net/link"})
_DEFANG = (
    (re.compile(r"\bhxxp(s?)(?=(?:\[:\]|:)//)", re.I), r"http\1"),
    (re.compile(r"\[:\]//"), "://"),
    (re.compile(r"\s?(?:\[\.\]|\(\.\)|\[dot\]|\(dot\))\s?", re.I), "."),
)
_META_REFRESH_URL = re.compile(r"url\s*=\s*['\"]?([^'\" >]+)", re.I)
# RE2 when present: linear, and its automaton stays small because the values are unbounded here (cut below)
_URL_ATTRIBUTE = compile_fast(
    r"\s(?:" + "|".join(sorted(URL_ATTRIBUTES)) + r""")\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", ignore_case=True
)
_DEFANG_MARKERS = ("hxxp", "[:]", "[.]", "(.)", "[dot]", "(dot)")


def deobfuscate(text: str) -> str:
    """Undo HTML character references and defanging (``hxxp``, ``[.]``)."""
    text = html.unescape(text) if "&" in text else text
    lowered = text.lower()
    if any(marker in lowered for marker in _DEFANG_MARKERS):
        for pattern, replacement in _DEFANG:
            text = pattern.sub(replacement, text)
    return text


class _Enough(Exception):
    """Raised by the collector to stop the parse once it holds ``MAX_URLS`` links."""


class _LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        amap = {k.lower(): v or "" for k, v in attrs}
        for name, value in amap.items():
            if name in URL_ATTRIBUTES and value:
                self.found.append(value.strip())
        if tag == "meta" and amap.get("http-equiv", "").lower() == "refresh":
            match = _META_REFRESH_URL.search(amap.get("content", ""))
            if match:
                self.found.append(match.group(1))
        if len(self.found) >= MAX_URLS:
            raise _Enough


def urls_in_html(markup: str) -> list[str]:
    """Link targets of the HTML's tags, then URLs written in its text; at most ``MAX_URLS`` of each.

    html.parser reads the first ``MAX_HTML_PARSE`` characters; URL attributes after them are found by a regular
    expression, so time stays linear and small in the size of the markup however many tags it holds.
    """
    collector = _LinkCollector()
    try:
        collector.feed(markup[:MAX_HTML_PARSE])
        collector.close()
    except Exception:  # noqa: S110 - html.parser is tolerant (and _Enough stops it); whatever it saw is kept
        pass
    found = collector.found[:MAX_URLS]
    if len(markup) > MAX_HTML_PARSE and len(found) < MAX_URLS:
        rest = _URL_ATTRIBUTE.finditer(markup[MAX_HTML_PARSE:])
        values = (next(g for g in m.groups() if g is not None)[:2000] for m in rest)
        found += [html.unescape(v).strip() for v in itertools.islice(values, MAX_URLS - len(found))]
    return found + urls_in_plain(markup)


def urls_in_plain(text: str) -> list[str]:
    return [m.group(0) for m in itertools.islice(URL_IN_TEXT.finditer(deobfuscate(text)), MAX_URLS)]


def is_redirector(url: Url) -> bool:
    return f"{url.host}{url.path}".rstrip("/") in REDIRECTORS or url.host in REDIRECTORS


def collect(ctx: MessageContext) -> list[tuple[str, bool]]:
    """(url, obfuscated) for every URL found, in order, without duplicates."""
    parsed = ctx.parsed
    candidates: list[tuple[str, str]] = [(t, "text") for t in parsed.text_bodies]
    candidates += [(h, "html") for h in parsed.html_bodies]
    for part in parsed.attachments:
        if part.family in ("text", "html") and part.data and len(part.data) <= MAX_ATTACHMENT_TEXT:
            candidates.append((part.data.decode("utf-8", "replace"), part.family))
    seen: dict[str, bool] = {}
    for content, kind in candidates:
        if kind == "text" and not may_contain_url(content):
            continue
        plain = {m.group(0) for m in URL_IN_TEXT.finditer(content)} if kind == "text" else None
        for raw in urls_in_html(content) if kind == "html" else urls_in_plain(content):
            if raw not in seen:
                seen[raw] = plain is not None and raw not in plain
        if len(seen) >= MAX_URLS:
            break
    return list(seen.items())[:MAX_URLS]


def url_entries(found: list[tuple[str, bool]]) -> list[dict]:
    entries: list[dict] = []
    queue = list(found)
    while queue and len(entries) < MAX_URLS:
        raw, obfuscated = queue.pop(0)
        url = parse_url(raw)
        if url is None:
            continue
        redirect = is_redirector(url)
        carried = redirect_target(url)
        target = carried.raw if carried else None
        if target and all(e["url"] != target for e in entries):
            queue.append((target, obfuscated))
        entries.append({"url": url.raw[:500], "host": url.host, "listed": [], "shortener": is_shortener(url.host),
                        "ip_literal": url.is_ip, "redirector": redirect or bool(target), "obfuscated": obfuscated})
    return entries


def add_entries(entries: list[dict], urls: list[str] | tuple[str, ...], *, obfuscated: bool = False,
                **marks: object) -> list[dict]:
    """Append entries for the ``urls`` not listed yet, each with ``marks``, up to ``MAX_URLS``; return them."""
    known = {e["url"] for e in entries}
    added: list[dict] = []
    for entry in url_entries([(u, obfuscated) for u in urls if u not in known]):
        if len(entries) >= MAX_URLS:
            break
        if entry["url"] not in known:
            entry.update(marks)
            known.add(entry["url"])
            entries.append(entry)
            added.append(entry)
    return added


def on_provider_list(host: str, blocked: set[str]) -> bool:
    labels = host.split(".")
    return any(".".join(labels[i:]) in blocked for i in range(len(labels)))


class UrlCensor(Check):
    name = "urls"
    description = "URLs in bodies and text attachments, de-obfuscated, against URI blocklists"
    symbols = (
        SymbolSpec("URIBL_<ZONE>", DEFAULT_URIBL_SCORE, "A linked domain is listed on this URI blocklist"),
        SymbolSpec("URL_PROVIDER_BLOCKLIST", 5.0, "A linked domain is on the provider's URL blocklist"),
        SymbolSpec("URL_OBFUSCATED", 1.0, "A URL was hidden with character references or defanging"),
        SymbolSpec("URL_SHORTENER_LINK", 0.0, "A link goes through a URL shortener (scored by the spam rules)"),
        SymbolSpec("URL_IP_LITERAL", 0.0, "A link goes to an IP address (scored by the spam rules)"),
        SymbolSpec("URL_IN_QR_CODE", 1.0, "An image carries a link in a QR code (detail: the images)"),
        SymbolSpec("URL_SHORTENER_EXPANDED", 0.0,
                   "A shortened link was followed to its target, which is checked like any link (detail: targets)"),
    )
    network = True
    time_budget = 5.0

    def run(self, ctx: MessageContext) -> None:
        entries = url_entries(collect(ctx))
        self._file_links(ctx, entries)
        self._expand(ctx, entries)
        ctx.facts["urls"] = entries
        ctx.facts["url_hosts"] = sorted({e["host"] for e in entries})
        self._categories(ctx, entries)
        self._blocklists(ctx, entries)
        for symbol, key in (("URL_OBFUSCATED", "obfuscated"), ("URL_SHORTENER_LINK", "shortener"),
                            ("URL_IP_LITERAL", "ip_literal")):
            hosts = sorted({e["host"] for e in entries if e[key]})
            if hosts:
                self.hit(ctx, symbol, ", ".join(hosts)[:200])

    def _file_links(self, ctx: MessageContext, entries: list[dict]) -> None:
        """Links inside PDF files (``mailflow.mime.pdflinks``) and QR codes in images (``mailflow.mime.qrlinks``).

        Each is marked with its file (``in_attachment``); a QR code's also with ``in_qr_code``.
        """
        qr_files: list[str] = []
        for part, links, in_qr in file_links(ctx.parsed):
            if len(entries) >= MAX_URLS:
                break
            name = part.filename or part.path
            marks = {"in_qr_code": True} if in_qr else {}
            if add_entries(entries, links, in_attachment=name, **marks) and in_qr:
                qr_files.append(name)
        if qr_files:
            self.hit(ctx, "URL_IN_QR_CODE", ", ".join(dict.fromkeys(qr_files))[:200])

    def _expand(self, ctx: MessageContext, entries: list[dict]) -> None:
        """Add where shortened links lead (``SPE_URL_EXPAND``), within one deadline per message."""
        if not getattr(settings, "SPE_URL_EXPAND", True):
            return
        from mailflow.urlexpand import ExpandError, expand  # it uses this package's resolver and cache

        deadline = time.monotonic() + float(getattr(settings, "SPE_URL_EXPAND_DEADLINE", 3.0))
        errors: dict[str, str] = {}
        targets: list[str] = []
        shortened = [e for e in entries if e["shortener"]][: int(getattr(settings, "SPE_URL_EXPAND_MAX", 5))]
        for entry in shortened:
            try:
                chain = expand(entry["url"], deadline)
            except ExpandError as exc:
                errors[entry["url"]] = str(exc)
                continue
            if not chain:
                continue
            entry["expands_to"] = list(chain)
            add_entries(entries, chain, obfuscated=entry["obfuscated"], via=entry["url"])
            targets.append(chain[-1])
        if errors:
            ctx.facts["url_expand_errors"] = errors
        if targets:
            self.hit(ctx, "URL_SHORTENER_EXPANDED", ", ".join(targets)[:200])

    @staticmethod
    def _categories(ctx: MessageContext, entries: list[dict]) -> None:
        """Provider category lists (``SPE_URL_CATEGORIES``: category -> domains) for policy conditions."""
        categories = {name: {d.lower().strip(".") for d in domains}
                      for name, domains in (getattr(settings, "SPE_URL_CATEGORIES", {}) or {}).items()}
        for entry in entries:
            entry["categories"] = sorted(c for c, domains in categories.items()
                                         if on_provider_list(entry["host"], domains))
        ctx.facts["url_categories"] = sorted({c for e in entries for c in e["categories"]})

    def _blocklists(self, ctx: MessageContext, entries: list[dict]) -> None:
        blocked = {d.lower().strip(".") for d in getattr(settings, "SPE_URL_BLOCKLIST", []) or []}
        if blocked:
            hosts = sorted({e["host"] for e in entries if on_provider_list(e["host"], blocked)})
            for entry in entries:
                if entry["host"] in hosts:
                    entry["listed"].append("provider")
            if hosts:
                self.hit(ctx, "URL_PROVIDER_BLOCKLIST", ", ".join(hosts)[:200])
        zones = parse_zones(list(getattr(settings, "SPE_URIBL_ZONES", []) or []), DEFAULT_URIBL_SCORE)
        if not zones:
            return
        keys: dict[str, str] = {}
        for entry in entries:
            key = reversed_ip(entry["host"]) if entry["ip_literal"] else registrable_domain(entry["host"])
            if key and key not in keys and len(keys) < MAX_LOOKUPS:
                keys[key] = entry["host"]
        names = {(zone, key): f"{key}.{zone}" for zone, _ in zones for key in keys}
        listed, failed = lookup_all(names, resources.dns_timeout())  # type: ignore[arg-type]
        for zone, points in zones:
            hits = [key for (z, key) in listed if z == zone]
            for entry in entries:
                key = reversed_ip(entry["host"]) if entry["ip_literal"] else registrable_domain(entry["host"])
                if key in hits:
                    entry["listed"].append(zone)
            if hits:
                ctx.add_symbol(symbol_for("URIBL_", zone), points, ", ".join(keys[k] for k in hits)[:200])
        if failed:
            ctx.facts["uribl_errors"] = sorted({z for z, _ in failed})  # type: ignore[misc]
