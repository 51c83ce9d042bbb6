"""Rules for phishing: credential lures, urgency, brand impersonation, lookalikes.

See docs/spam.md.
"""

from __future__ import annotations

import re

from mailflow.spam.fastre import compile_phrases
from mailflow.spam.heuristics.base import rule
from mailflow.spam.heuristics.brands import (
    DOMAIN_BRANDS,
    SHORT_BRANDS,
    all_brand_domains,
    brands_named_in,
    domain_belongs_to,
)
from mailflow.spam.view import MessageView

_ACCOUNT = r"(?:account|identity|e-?mail(?: address)?|mailbox|password|details|information|credentials|login)"
LURE = compile_phrases(
    r"\b(?:verify|confirm|validate|re-?validate|update|authenticate) your "
    + _ACCOUNT
    + r"|\bpassword (?:will |is about to |is set to )?(?:expire|expires|has expired|expiration)"
    r"|\bunusual (?:sign-?in|log-?in|activity)|\bsuspicious (?:activity|sign-?in|log-?in|login attempt)"
    r"|\b(?:your|the) (?:account|mailbox) (?:has been|will be|is|was) (?:temporarily )?"
    r"(?:suspended|locked|disabled|limited|restricted|deactivated|terminated|on hold)"
    r"|\bupdate your (?:payment|billing|card) (?:information|details|method)"
    r"|\b(?:mailbox|storage|e-?mail) (?:is |quota )?(?:full|almost full|exceeded|quota)"
    r"|\b(?:reactivate|re-activate|restore|unlock|secure) your (?:account|mailbox|access)"
    r"|\b(?:click|tap) (?:here|below|the (?:link|button)) to (?:verify|confirm|update|log ?in|sign ?in"
    r"|restore|unlock|validate|keep)"
    r"|\byou have (?:\d+ )?(?:new )?(?:pending|undelivered|held|incoming|unread|blocked) "
    r"(?:messages?|e-?mails?|documents?|fax|voicemail|payments?|shipments?|packages?|deliver(?:y|ies))"
    r"|\bshared (?:a|the|an) (?:document|file|folder|invoice|pdf) with you"
    r"|\breview and sign|\b(?:view|open|access) (?:the )?(?:secure|shared|encrypted) (?:document|file|message)"
    r"|\b(?:parcel|package|shipment) (?:could not be delivered|delivery (?:failed|attempt failed)|is on hold)"
    r"|\bunpaid (?:customs|shipping|delivery) fee",
)
URGENT = compile_phrases(
    r"\bwithin (?:24|48|72|twenty-four|forty-eight) ?(?:hours|hrs)|\bfailure to (?:verify|confirm|update|comply)"
    r"|\bimmediate(?:ly)? action|\baction required|\bfinal (?:notice|warning|reminder)"
    r"|\bpermanently (?:deleted|closed|suspended|disabled)|\bavoid (?:suspension|termination|deactivation)",
)
MONEY_FRAUD = compile_phrases(
    r"\bnext of kin|\bbeneficiary|\b(?:million|billion) (?:united states |us |u\.s\. )?(?:dollars|usd|euros)"
    r"|\bconsignment box|\bdiplomat|\bgift cards?\b.{0,60}\b(?:buy|purchase|scratch|codes?)"
    r"|\b(?:bitcoin|btc|crypto) (?:wallet|address)\b.{0,200}\b(?:send|pay|transfer)"
    r"|\bi (?:have )?(?:hacked|recorded|installed a (?:trojan|malware))",
)
_LABEL = re.compile(r"[a-z0-9-]+")
_NAME_WORD = re.compile(r"[a-z]{2,}")
_GENERIC_SENDER_WORDS = frozenset(
    [
        "support",
        "team",
        "security",
        "service",
        "services",
        "account",
        "accounts",
        "billing",
        "notification",
        "notifications",
        "alert",
        "alerts",
        "admin",
        "administrator",
        "online",
        "id",
        "customer",
        "care",
        "help",
        "no",
        "reply",
        "noreply",
        "the",
        "inc",
        "ltd",
        "llc",
        "com",
        "express",
        "mail",
        "center",
        "centre",
        "official",
        "payments",
        "payment",
        "verification",
        "update",
        "updates",
        "desk",
        "helpdesk",
        "it",
        "info",
    ]
)


def _lure_text(view: MessageView) -> str:
    return f"{view.subject}\n{view.body_text[:20000]}"


@rule("CREDENTIAL_LURE", "Text asks the reader to verify, unlock or update an account or password", 1.2)
def credential_lure(view: MessageView) -> bool:
    return bool(LURE.search(_lure_text(view)))


@rule("CREDENTIAL_LURE_LINK", "Credential-lure wording together with a link to follow", 2.0)
def credential_lure_link(view: MessageView) -> bool:
    return bool(view.parsed_urls) and credential_lure(view)


@rule("URGENCY_PHRASES", "Pressure to act now (within 24 hours, final notice, action required)", 0.8)
def urgency_phrases(view: MessageView) -> bool:
    return bool(URGENT.search(_lure_text(view)))


@rule("MONEY_FRAUD_PHRASES", "Advance-fee, gift-card or extortion wording", 1.5)
def money_fraud_phrases(view: MessageView) -> bool:
    return bool(MONEY_FRAUD.search(_lure_text(view)))


@rule(
    "BRAND_IMPERSONATION",
    "From display name names a brand the sending domain does not belong to",
    3.0,
    reads_headers=True,
)
def brand_impersonation(view: MessageView) -> bool:
    name = view.from_name
    if not name or not view.from_domain or " via " in name.lower():
        return False
    brands = brands_named_in(name)
    if not brands or any(domain_belongs_to(view.from_domain, b) for b in brands):
        return False
    rest = name.lower()
    for brand in brands:
        rest = rest.replace(brand, " ")
    # "Lockergnome Apple Core" is a newsletter about a brand, not the brand itself.
    return len([w for w in _NAME_WORD.findall(rest) if w not in _GENERIC_SENDER_WORDS]) <= 1


_HOMOGLYPHS = (("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "l"), ("3", "e"), ("5", "s"))


def _unconfuse(label: str) -> str:
    for fake, real in _HOMOGLYPHS:
        label = label.replace(fake, real)
    return label


def _lookalike(host: str) -> bool:
    """True if ``host`` carries a brand name (or a spoof of one) it does not own."""
    labels = host.lower().split(".")
    known = all_brand_domains()
    if any(".".join(labels[i:]) in known for i in range(len(labels))):
        return False
    for label in labels[:-1]:
        plain = _unconfuse(label)
        if any(brand in label or brand in plain for brand in DOMAIN_BRANDS):
            return True
        if SHORT_BRANDS.intersection(plain.split("-")) and "-" in label:
            return True
    return False


@rule("BRAND_LOOKALIKE_DOMAIN", "A link or the sender uses a domain dressed up with a brand name", 2.5)
def brand_lookalike_domain(view: MessageView) -> bool:
    hosts = {u.host for u in view.parsed_urls}
    if view.from_domain:
        hosts.add(view.from_domain)
    return any(_lookalike(h) for h in hosts)


@rule("HTML_ATTACHMENT", "An attachment is an HTML or SVG page (a link or login form in disguise)", 2.0)
def html_attachment(view: MessageView) -> bool:
    for name, ctype in view.attachments:
        lname = name.lower()
        if ctype in ("text/html", "image/svg+xml", "application/xhtml+xml") and name:
            return True
        if lname.endswith((".htm", ".html", ".shtml", ".xhtml", ".svg", ".mht", ".mhtml")):
            return True
    return False


@rule("ATTACHMENT_DOUBLE_EXT", "An attachment name hides its type behind a second extension", 1.5)
def attachment_double_ext(view: MessageView) -> bool:
    pattern = re.compile(r"\.(?:pdf|docx?|xlsx?|jpe?g|png|txt)\s*\.(?:html?|svg|exe|scr|js|vbs|bat|cmd|lnk|iso)$", re.I)
    return any(pattern.search(name) for name, _ in view.attachments)
