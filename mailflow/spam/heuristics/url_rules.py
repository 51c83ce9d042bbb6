"""Rules on links: deceptive link text, IP hosts, shorteners, redirectors.

See docs/spam.md.
"""

from __future__ import annotations

import re

from mailflow.spam.heuristics.base import rule
from mailflow.spam.heuristics.brands import all_brand_domains
from mailflow.spam.urls import REDIRECT_PARAMS, REDIRECT_PATHS, Url, is_shortener, parse_url, registrable_domain
from mailflow.spam.view import MessageView

_LOOKS_LIKE_URL = re.compile(r"^(?:https?://|www\.)?((?:[a-z0-9-]+\.)+[a-z]{2,24})(?:[/:?#]\S*)?$", re.I)
SUSPICIOUS_TLDS = frozenset(
    [
        "zip",
        "mov",
        "top",
        "xyz",
        "click",
        "icu",
        "cyou",
        "buzz",
        "cfd",
        "sbs",
        "rest",
        "lat",
        "monster",
        "quest",
        "gq",
        "ml",
        "cf",
        "tk",
        "ga",
        "work",
        "support",
        "country",
        "kim",
        "loan",
        "men",
        "date",
        "racing",
        "review",
        "stream",
        "download",
    ]
)
FREE_HOSTING = frozenset(
    [
        "firebaseapp.com",
        "web.app",
        "glitch.me",
        "weebly.com",
        "wixsite.com",
        "ipfs.io",
        "r2.dev",
        "pages.dev",
        "workers.dev",
        "000webhostapp.com",
        "netlify.app",
        "vercel.app",
        "ngrok.io",
        "ngrok-free.app",
        "blogspot.com",
        "godaddysites.com",
        "square.site",
        "webflow.io",
        "repl.co",
        "herokuapp.com",
        "azurewebsites.net",
        "windows.net",
        "storage.googleapis.com",
        "appspot.com",
        "formstack.com",
        "jotform.com",
        "typeform.com",
        # IPFS gateways: content addressed by hash, nobody to take it down
        "cloudflare-ipfs.com",
        "dweb.link",
        "pinata.cloud",
        "nftstorage.link",
        "w3s.link",
        "fleek.co",
        "4everland.io",
        # form builders and site builders of the big platforms
        "forms.office.com",
        "forms.gle",
        "sites.google.com",
        "wufoo.com",
        "zohopublic.com",
        "mailchimpsites.com",
        "codesandbox.io",
        "surge.sh",
        "onrender.com",
        "fly.dev",
        "railway.app",
        "trycloudflare.com",
        # more site builders and throwaway hosts, and Google Translate's proxy of any page
        "firebasestorage.googleapis.com",
        "translate.goog",
        "jimdosite.com",
        "yolasite.com",
        "mystrikingly.com",
        "carrd.co",
        "tiiny.site",
        "webnode.page",
        "site123.me",
        "duckdns.org",
        "infinityfreeapp.com",
    ]
)
# File drops: anonymous uploads, where malware and phishing kits are handed out as downloads.
FILE_DROPS = frozenset(
    [
        "mediafire.com",
        "cdn.discordapp.com",
        "catbox.moe",
        "transfer.sh",
        "anonfiles.com",
        "gofile.io",
        "pixeldrain.com",
        "files.fm",
        "sendspace.com",
        "4shared.com",
        "filetransfer.io",
    ]
)
# Mainstream file shares: where a password-protected archive is fetched when it is not attached.
FILE_SHARES = frozenset(
    [
        "drive.google.com",
        "docs.google.com",
        "dropbox.com",
        "dropboxusercontent.com",
        "mega.nz",
        "mega.io",
        "disk.yandex.ru",
        "disk.yandex.com",
        "disk.yandex.com.tr",
        "yadi.sk",
        "cloud.mail.ru",
        "wetransfer.com",
        "we.tl",
        "1drv.ms",
        "onedrive.live.com",
        "box.com",
    ]
)
# What a link from a stranger's free host should never download: programs, scripts, disk images, archives.
_RISKY_DOWNLOAD = re.compile(
    r"\.(?:zip|rar|7z|iso|img|vhdx?|exe|scr|msi|com|pif|js|jse|vbs|vbe|wsf|hta|lnk|jar|bat|cmd|ps1|apk|dmg)$",
    re.I,
)
# A WordPress or well-known path that should hold no page of its own: a compromised site hosting a kit.
_COMPROMISED_PATH = re.compile(
    r"^/(?:[\w-]+/)?(?:wp-(?:content|includes|admin)/(?:[^?#]*\.(?:php\d?|s?html?)$|(?!uploads/)[^?#]*/$)"
    r"|\.well-known/(?!acme-challenge/|security\.txt|openpgpkey/|mta-sts|apple-app-site|assetlinks|change-password)"
    r"[^?#]+)",
    re.I,
)


def is_free_hosting(url: Url) -> bool:
    """Free web hosting, a form builder, an IPFS gateway or a page in an S3 bucket: pages anyone can publish."""
    if url.domain in FREE_HOSTING or url.host in FREE_HOSTING:
        return True
    if url.path.startswith(("/ipfs/", "/ipns/")) or ".ipfs." in url.host:  # any IPFS gateway, path or subdomain
        return True
    if url.domain == "amazonaws.com" and ".s3" in f".{url.host}" and url.path.lower().endswith((".html", ".htm")):
        return True  # a web page in a storage bucket anyone can create
    return url.host == "docs.google.com" and url.path.startswith("/forms/")


def is_kit_host(url: Url) -> bool:
    """Where phishing kits are put up: free hosting, a bare IP, a compromised site's folders, a disguised host."""
    return (url.is_ip or is_free_hosting(url) or _COMPROMISED_PATH.match(url.path) is not None
            or _DISGUISED_HOST.search(url.host) is not None)


def mismatched_links(view: MessageView) -> list[tuple[str, str]]:
    """(shown domain, target domain) of links whose text names another domain.

    A tracking redirect that carries the shown domain in its URL is not counted.
    """
    cached = view.memo.get("mismatched_links")
    if cached is None:
        cached = view.memo["mismatched_links"] = _find_mismatches(view)
    return cached  # type: ignore[no-any-return]


def _find_mismatches(view: MessageView) -> list[tuple[str, str]]:
    found = []
    for doc in view.html_docs:
        for href, text in doc.links:
            shown = _LOOKS_LIKE_URL.match(text.strip())
            target = parse_url(href)
            if not shown or target is None:
                continue
            shown_domain = registrable_domain(shown.group(1))
            if shown_domain != target.domain and shown_domain not in href.lower():
                found.append((shown_domain, target.domain))
    return found


@rule("LINK_TEXT_MISMATCH", "Link text shows one domain but the link goes to a third party's", 1.5)
def link_text_mismatch(view: MessageView) -> bool:
    """Newsletters show their own site and link through their own tracker; that is not deceit."""
    sender = registrable_domain(view.from_domain) if view.from_domain else ""
    return any(target != sender for _, target in mismatched_links(view))


@rule("LINK_TEXT_BRAND_MISMATCH", "Link text shows a well-known brand's domain but goes elsewhere", 2.5)
def link_text_brand_mismatch(view: MessageView) -> bool:
    brands = all_brand_domains()
    return any(shown in brands for shown, _ in mismatched_links(view))


@rule("URL_IP_HOST", "A link points at a bare IP address", 2.0)
def url_ip_host(view: MessageView) -> bool:
    return any(u.is_ip for u in view.linked_urls)


@rule("URL_SHORTENER", "A link goes through a URL shortener", 1.0)
def url_shortener(view: MessageView) -> bool:
    return any(is_shortener(u.host) for u in view.linked_urls)


def is_redirect(url: Url) -> bool:
    """A link that forwards to another URL it carries (plain or percent-encoded)."""
    if not url.query:
        return False
    return bool(REDIRECT_PARAMS.search("?" + url.query)) or (
        bool(REDIRECT_PATHS.match(url.path)) and "http" in url.query.lower()
    )


@rule("URL_REDIRECTOR", "A link carries another URL as a redirect parameter", 0.8)
def url_redirector(view: MessageView) -> bool:
    return any(is_redirect(u) for u in view.linked_urls)


@rule("URL_USERINFO", "A link hides its real host behind user@ text", 2.5)
def url_userinfo(view: MessageView) -> bool:
    return any("@" in u.raw.split("//", 1)[-1].split("/", 1)[0] for u in view.linked_urls)


@rule("URL_PUNYCODE", "A link host is an internationalised (punycode) name", 1.0)
def url_punycode(view: MessageView) -> bool:
    return any("xn--" in u.host for u in view.linked_urls)


@rule("URL_SUSPICIOUS_TLD", "A link uses a top-level domain common in abuse", 0.7)
def url_suspicious_tld(view: MessageView) -> bool:
    return any(u.host.rsplit(".", 1)[-1] in SUSPICIOUS_TLDS for u in view.linked_urls)


@rule("URL_FREE_HOSTING", "A link points at free web hosting or a form builder", 1.0)
def url_free_hosting(view: MessageView) -> bool:
    return any(is_free_hosting(u) for u in view.linked_urls)


@rule(
    "URL_DOWNLOAD_FREE_HOST",
    "A link downloads a program, script, disk image or archive from free hosting or a file drop",
    2.0,
)
def url_download_free_host(view: MessageView) -> bool:
    return any(
        _RISKY_DOWNLOAD.search(u.path)
        and (u.is_ip or is_free_hosting(u) or u.domain in FILE_DROPS or u.host in FILE_DROPS)
        for u in view.linked_urls
    )


@rule("URL_COMPROMISED_SITE", "A link or form goes to a page hidden in a site's WordPress or .well-known folders", 1.5)
def url_compromised_site(view: MessageView) -> bool:
    sender = registrable_domain(view.from_domain) if view.from_domain else ""
    return any(u.domain != sender and _COMPROMISED_PATH.match(u.path) for u in view.linked_urls)


# A host that reads as a real domain up to a hyphen: ``e-zpassny.com-tollpay.xin``, ``usps.com-track.top``;
# ``www.net-hub.com`` is a real name that merely starts with "net-".
_DISGUISED_HOST = re.compile(
    r"(?:^|\.)(?!(?:www\d?|mail|m|web|ftp|smtp|news|blog|shop)\.)[a-z0-9-]+\.(?:com|net|org|gov|edu)-[a-z0-9]", re.I
)


@rule(
    "URL_DISGUISED_HOST", "A link host starts like a real domain and carries on after a hyphen (site.com-pay.xyz)", 2.0
)
def url_disguised_host(view: MessageView) -> bool:
    return any(_DISGUISED_HOST.search(u.host) for u in view.linked_urls)


@rule("URL_SCRIPT_SCHEME", "A link uses a javascript: or data: target", 1.5)
def url_script_scheme(view: MessageView) -> bool:
    return any(
        href.strip().lower().startswith(("javascript:", "data:")) for doc in view.html_docs for href, _ in doc.links
    )
