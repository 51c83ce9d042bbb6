"""URL helpers: find URLs in text, split them, name their registrable domain.

The registrable-domain rule is a small approximation of the Public Suffix
List (two labels, three under common second-level suffixes such as
``co.uk``); it only has to be good enough to compare domains.  See
docs/spam.md.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote, urlsplit

URL_IN_TEXT = re.compile(r"""(?:https?://|www\.)[^\s<>"'()\[\]{}]{2,2000}""", re.I)
DOMAIN_IN_TEXT = re.compile(r"\b((?:[a-z0-9-]{1,63}\.)+[a-z]{2,24})\b", re.I)

_SECOND_LEVEL = frozenset(
    ["co", "com", "net", "org", "gov", "edu", "ac", "ltd", "plc", "me", "gen", "nom", "sch", "mil", "or", "ne", "go"]
)

SHORTENERS = frozenset(
    [
        "bit.ly",
        "bitly.com",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "rebrand.ly",
        "cutt.ly",
        "shorturl.at",
        "rb.gy",
        "t.ly",
        "tiny.cc",
        "bl.ink",
        "lnkd.in",
        "s.id",
        "v.gd",
        "qrco.de",
        "short.io",
        "shorte.st",
        "adf.ly",
        "x.co",
        "soo.gd",
        "clck.ru",
        "u.to",
        "t.me",
        "tinyurl.is",
        "trib.al",
        "dlvr.it",
        "surl.li",
        "urlz.fr",
        "1url.com",
    ]
)
REDIRECT_PARAMS = re.compile(
    r"[?&](?:url|u|q|r|to|out|redir|redirect|redirect_?ur[il]|return_?url|next|goto|target|dest|destination|link)"
    r"=(?:https?(?::|%3a)|www\.|%2f%2f|//)",
    re.I,
)
# Paths of well-known sites that forward to any URL given after them.
REDIRECT_PATHS = re.compile(r"^/(?:url|amp/s|l\.php|link|redirect|away|out|click)(?:[/?]|$)", re.I)


@dataclass(frozen=True)
class Url:
    """One URL, split into the parts the checks look at."""

    raw: str
    scheme: str
    host: str
    path: str
    query: str

    @property
    def is_ip(self) -> bool:
        return is_ip_host(self.host)

    @property
    def domain(self) -> str:
        return registrable_domain(self.host)


def redirect_target(url: Url) -> Url | None:
    """The URL a link carries in its query (``/url?q=https://...``), where a redirector would send the reader."""
    if "http" not in url.query.lower():
        return None
    for _, value in parse_qsl(url.query):
        if value.lower().startswith(("http://", "https://")):
            return parse_url(value)
    return None


def is_ip_host(host: str) -> bool:
    """True for dotted-quad, IPv6 literal or a bare (decimal/hex) integer host."""
    host = host.strip("[]")
    if not host or (host[-1].isalpha() and ":" not in host):
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(re.fullmatch(r"(?:0x[0-9a-f]{6,8}|\d{8,10})", host, re.I))


def registrable_domain(host: str) -> str:
    """``mail.example.co.uk`` -> ``example.co.uk``; IPs are returned as they are."""
    host = host.lower().strip(".")
    if is_ip_host(host):
        return host
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


MAX_HOST_CHARS = 253  # RFC 1035's limit on a domain name in text form


def parse_url(raw: str) -> Url | None:
    """Split ``raw`` into a ``Url``; None if it has no usable host."""
    text = raw.strip().strip(".,;:!?'\"")
    if text.lower().startswith("www."):
        text = "http://" + text
    try:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if not host or parts.scheme.lower() not in ("http", "https") or len(host) > MAX_HOST_CHARS:
        return None  # a name longer than DNS allows leads nowhere (and would cost every host rule its length)
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError:
        pass
    return Url(text, parts.scheme.lower(), host, unquote(parts.path), parts.query)


# Every URL_IN_TEXT match contains one of these, and so does every text that
# de-obfuscation (character references, defanging) could turn into one.
_URL_MARKERS = ("http", "www", "hxxp", "&")


def may_contain_url(text: str) -> bool:
    """False when ``text`` cannot hold a URL: one pass in C instead of a regex scan or three."""
    lowered = text.lower()
    return any(marker in lowered for marker in _URL_MARKERS)


def urls_in_text(text: str, limit: int = 200) -> list[str]:
    """Return URL-looking substrings of ``text``, at most ``limit``."""
    if not may_contain_url(text):
        return []
    found = []
    for match in URL_IN_TEXT.finditer(text):
        found.append(match.group(0))
        if len(found) >= limit:
            break
    return found


def is_shortener(host: str) -> bool:
    return registrable_domain(host) in SHORTENERS or host in SHORTENERS
