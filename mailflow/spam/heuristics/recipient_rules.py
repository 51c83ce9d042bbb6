"""Rules on how a message treats its own reader: their domain worn as a sender, their address in a link.

Credential phishing aimed at an organisation dresses up as that
organisation's own mail system ("example.com IT Helpdesk", "Password expiry
for you@example.com") and hands each reader a link that already carries
their address, so the fake login page can show it pre-filled. Real mail from
an organisation comes from its own domain, and real services put a reader's
address in their own links, not in a third party's page fragment. The
recipients are the envelope's in the engine and the addressee headers'
elsewhere (``MessageView.recipient_addresses``). See docs/spam.md.
"""

from __future__ import annotations

import base64
import functools
import re
from urllib.parse import unquote

from mailflow.spam.heuristics.base import rule
from mailflow.spam.heuristics.brands import all_brand_domains
from mailflow.spam.heuristics.header_rules import FREEMAIL
from mailflow.spam.heuristics.phish_rules import credential_lure, html_attachment_active
from mailflow.spam.heuristics.url_rules import is_kit_host
from mailflow.spam.urls import Url, registrable_domain
from mailflow.spam.view import MessageView

# Links a reader's own address rightly travels in: unsubscribing and list options.
_OWN_ADDRESS_LINK = re.compile(r"unsub|opt-?out|optout|preference|mailman|list-manage|/options/|subscription", re.I)


def _organisation_domains(view: MessageView) -> list[str]:
    """The registrable domains of the recipients' addresses, leaving out free mail and brands' own domains."""
    found = view.memo.get("recipient_domains")
    if found is None:
        brands = all_brand_domains()
        domains = {registrable_domain(a.rpartition("@")[2]) for a in view.recipient_addresses}
        found = view.memo["recipient_domains"] = sorted(
            d for d in domains if d and "." in d and d not in FREEMAIL and d not in brands
        )
    return found  # type: ignore[return-value]


def _names(text: str, domain: str) -> bool:
    """``domain`` written as a name of its own in ``text`` (not inside a longer host or word)."""
    if domain not in text.lower():
        return False
    return re.search(r"(?<![\w.-])" + re.escape(domain) + r"(?![\w-]|\.[a-z0-9])", text, re.I) is not None


@rule(
    "RECIPIENT_DOMAIN_AS_SENDER",
    "The reader's own organisation is named as the sender, or in a credential lure's subject, by another domain",
    2.0,
    reads_headers=True,
)
def recipient_domain_as_sender(view: MessageView) -> bool:
    if not view.from_domain:
        return False
    sender = registrable_domain(view.from_domain)
    for domain in _organisation_domains(view):
        if sender == domain:
            continue
        if _names(view.from_name, domain):
            return True
        if _names(view.subject, domain) and sender not in all_brand_domains() and credential_lure(view):
            return True
    return False


def _address_forms(address: str) -> tuple[str, ...]:
    """The address as a phishing kit writes it into a link: plain, percent-encoded, Base64 (standard and URL-safe).

    The Base64 forms are of the longest prefix that fills whole 3-byte
    groups, which is encoded the same whatever follows it.
    """
    raw = address.encode()[: len(address.encode()) // 3 * 3]
    b64 = base64.b64encode(raw).decode()
    return (address, address.replace("@", "%40"), b64, base64.urlsafe_b64encode(raw).decode())


def _carries(url: Url, forms: tuple[str, ...], brands: frozenset[str]) -> bool:
    """``url`` hands the reader's address to the page it opens.

    A fragment never reaches the server and serves only the page's own
    script, which is what kits fill in the login form from. In the path or
    query, a brand's own services (a calendar's event id) and unsubscribe
    links carry it rightly.
    """
    plain, percent, *encoded = forms
    fragment = url.raw.partition("#")[2]
    if fragment:
        decoded = unquote(fragment).lower()
        if plain in decoded or any(e in fragment for e in encoded):
            return True
    lowered = url.raw.lower()
    carried = any(len(e) >= 12 and e in url.raw for e in encoded) or (
        (plain in lowered or percent in lowered) and is_kit_host(url)
    )
    return carried and url.domain not in brands and not _OWN_ADDRESS_LINK.search(url.raw)


@rule(
    "RECIPIENT_IN_LINK",
    "A link to someone else's site carries the reader's own address (in its fragment, in Base64, or to a kit's host)",
    2.0,
    reads_headers=True,
)
def recipient_in_link(view: MessageView) -> bool:
    addresses = [a for a in view.recipient_addresses if len(a) >= 6]
    if not addresses or not view.linked_urls:
        return False
    sender = registrable_domain(view.from_domain) if view.from_domain else ""
    brands = all_brand_domains()
    for address in addresses:
        forms = _address_forms(address)
        own = registrable_domain(address.rpartition("@")[2])
        for url in view.linked_urls:
            if url.domain not in (sender, own) and _carries(url, forms, brands):
                return True
    return False


@rule(
    "RECIPIENT_IN_PAGE",
    "An attached page that asks for a password or runs a script already holds the reader's own address",
    2.5,
    reads_headers=True,
)
def recipient_in_page(view: MessageView) -> bool:
    """The fake login page arrives filled in with the reader's address, so only the password is left to give."""
    if not view.attached_html or not html_attachment_active(view):
        return False
    for page in view.attached_html:
        page = page[:200_000]
        lowered = page.lower()
        readable = unquote(lowered) if "%3c" in lowered or "%40" in lowered else lowered
        for address in view.recipient_addresses:
            plain, _, *encoded = _address_forms(address)
            if plain in readable or any(len(e) >= 12 and e in page for e in encoded):
                return True
    return False


_COUNTRY = re.compile(r"\.[a-z]{2}")


@functools.lru_cache(maxsize=1024)
def _dressed_as(domain: str) -> re.Pattern[str]:
    """A host that spells ``domain`` as labels of its own (``example-net.digest.com``, ``example.net.verify.io``)."""
    return re.compile(r"(?:^|\.)" + r"[.-]".join(re.escape(label) for label in domain.split(".")) + r"[.-]", re.I)


@rule(
    "RECIPIENT_DOMAIN_LOOKALIKE",
    "The sender's domain or a link's host spells out the reader's own domain inside someone else's",
    2.5,
    reads_headers=True,
)
def recipient_domain_lookalike(view: MessageView) -> bool:
    """``example-net.quarantine-digest.com`` writing to ``example.net``: the reader's mail system, faked.

    A service hosting an organisation's tenant names it by its bare name
    (``example.okta.com``, ``examplecorp.sharepoint.com``), never by its whole
    domain with a dot or hyphen before another host, and brands' own
    domains are left out, and so is the same name under a country
    (``example.org.au`` is the organisation's sister, or nobody's).
    """
    organisations = _organisation_domains(view)
    if not organisations:
        return False
    hosts = {u.host for u in view.linked_urls}
    if view.from_domain:
        hosts.add(view.from_domain.lower())
    brands = all_brand_domains()
    for domain in organisations:
        dressed = _dressed_as(domain)
        for host in hosts:
            found = dressed.search(host)
            if not found or _COUNTRY.fullmatch(host[found.end() - 1:]):
                continue
            owner = registrable_domain(host)
            if owner != domain and owner not in brands:
                return True
    return False
