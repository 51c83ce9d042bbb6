"""Impersonation of the customer itself: look-alike sender domains and unauthenticated use of its own (docs/checks.md).

Business email compromise rarely spoofs a bank; it writes as the
recipient's own company or a near copy of it: ``acme-corp.test`` or
``acrne.test`` to staff of ``acme.test``. For inbound mail this check
compares the From, Reply-To and envelope sender domains with the customer's
own mail domains (the routing table):

- a look-alike: the same name under another suffix, the name with hyphens
  added or dropped, the name plus a word (``acme-payroll``), a look-alike
  letter (``rn`` for ``m``, ``0`` for ``o``, Cyrillic in punycode), or one
  typing slip for names of six letters or more; 2 to 4 points by kind;
- the customer's own domain in From on mail from the internet that neither
  SPF nor DKIM ties to that domain (DMARC alignment), whether or not the
  customer publishes a DMARC record;
- the name of one of the customer's own users (a mailbox's display name,
  from the routing table) shown in From at an address outside the customer:
  the chief executive "writing" from free mail.
"""

from __future__ import annotations

from bisect import bisect_left
from email.utils import getaddresses
from functools import lru_cache

from mailflow.auth.dmarc import aligned, org_domain
from mailflow.checks.base import Check, SymbolSpec
from mailflow.engine.context import MessageContext
from mailflow.names import person_name
from mailflow.spam.lookalike import typo_of, unconfuse, unicode_label

_WORDS = frozenset({"hr", "it", "pay", "payroll", "invoice", "invoices", "billing", "accounts", "finance", "support",
                    "secure", "security", "mail", "email", "office", "group", "inc", "corp", "co", "ltd", "llc",
                    "online", "portal", "login", "team", "admin", "helpdesk", "service", "services", "global"})


def _name(domain: str) -> str:
    """The name part of a domain: ``acme`` of ``mail.acme.co.uk``."""
    return org_domain(domain).split(".", 1)[0]


def _slip(candidate: str, own: str) -> bool:
    """One typing slip (dropped, doubled, swapped or look-alike letter) in a name of six letters or more.

    Shorter names are left out, and a dropped letter counts only in names of
    eight or more: one letter less is as often another word or another
    company (``globe`` and ``globex``).
    """
    if len(own) < 6 or candidate == own or (len(candidate) < len(own) and len(own) < 8):
        return False
    return typo_of(candidate, own)


# How strongly each kind of look-alike points at impersonation: the same
# name under another suffix is often just another company of that name.
KIND_SCORES = {"look-alike letters": 4.0, "typing slip": 4.0, "hyphens changed": 3.0, "name plus a word": 3.0,
               "same name, other suffix": 2.0}


@lru_cache(maxsize=100_000)  # senders and own domains repeat: most messages only look answers up
def lookalike_kind(domain: str, own: str) -> str | None:
    """How ``domain`` imitates the customer's ``own`` domain, or None."""
    domain, own = domain.lower().rstrip("."), own.lower().rstrip(".")
    if domain == own or domain.endswith("." + own) or org_domain(domain) == org_domain(own):
        return None
    name, own_name = _name(domain), _name(own)
    if len(own_name) < 3:
        return None
    plain = unconfuse(unicode_label(name))
    if name == own_name:
        return "same name, other suffix"
    if name.replace("-", "") == own_name.replace("-", ""):
        return "hyphens changed"
    if plain == own_name or plain.replace("-", "") == own_name.replace("-", ""):
        return "look-alike letters"
    parts = plain.split("-")
    if own_name in parts and len(parts) > 1 and all(p == own_name or p in _WORDS for p in parts):
        return "name plus a word"
    if _slip(plain, own_name):
        return "typing slip"
    return None


def _authenticated(facts: dict, domain: str) -> bool:
    """SPF or DKIM passed for ``domain`` (DMARC's relaxed alignment, with or without a DMARC record)."""
    if facts.get("spf") == "pass" and aligned(facts.get("spf_domain") or "", domain, "r"):
        return True
    return any(aligned(d, domain, "r") for d in facts.get("dkim_domains") or ())


def _among(sorted_names: tuple[str, ...], name: str) -> bool:
    """``name`` in the routing table's sorted tuple, without building a set per message."""
    i = bisect_left(sorted_names, name)
    return i < len(sorted_names) and sorted_names[i] == name


def _is_own(domain: str, own: list[str]) -> bool:
    return any(domain == o or domain.endswith("." + o) for o in own)


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().strip(">").lower().rstrip(".") if "@" in address else ""


class Impersonation(Check):
    name = "impersonation"
    description = "Sender domains imitating the customer's own, and its own domain used without authentication"
    symbols = (
        SymbolSpec("FROM_LOOKALIKE_OWN_DOMAIN", 4.0,
                   "From, Reply-To or the envelope sender imitates the customer's own domain (2 to 4 points by kind)"),
        SymbolSpec("FROM_OWN_DOMAIN_UNAUTHENTICATED", 3.0,
                   "From is the customer's own domain, but neither SPF nor DKIM ties the message to it"),
        SymbolSpec("FROM_NAME_OF_OWN_USER", 3.0,
                   "From shows the name of one of the customer's own users, at an address outside the customer"),
    )
    directions = frozenset({"inbound"})

    def run(self, ctx: MessageContext) -> None:
        ctx.facts["lookalike_of"] = {}
        if ctx.routing is None:
            return
        own = list(ctx.routing.domains_of(ctx.envelope.customer))
        if not own:
            return
        parsed = ctx.parsed
        headers = {n.lower(): v for n, v in reversed(parsed.headers)}  # the first of each name wins
        senders: dict[str, str] = {}
        fields = (("From", headers.get("from", "") or parsed.from_), ("Reply-To", headers.get("reply-to", "")))
        self._user_name(ctx, fields[0][1], own)
        for label, value in fields:
            for _, address in getaddresses([value]):
                if _domain(address):
                    senders.setdefault(_domain(address), label)
        if _domain(ctx.envelope.mail_from):
            senders.setdefault(_domain(ctx.envelope.mail_from), "envelope sender")
        found: dict[str, dict[str, str]] = {}
        for domain, where in senders.items():
            if _is_own(domain, own):
                continue
            for own_domain in own:
                kind = lookalike_kind(domain, own_domain)
                if kind:
                    found[domain] = {"own": own_domain, "kind": kind, "in": where}
                    break
        if found:
            ctx.facts["lookalike_of"] = found
            self.hit(ctx, "FROM_LOOKALIKE_OWN_DOMAIN",
                     "; ".join(f"{d} ({f['in']}) ~ {f['own']}: {f['kind']}" for d, f in found.items())[:200],
                     score=max(KIND_SCORES[f["kind"]] for f in found.values()))
        claimed = sorted(d for d, where in senders.items() if where == "From" and _is_own(d, own))
        if claimed and not any(_authenticated(ctx.facts, d) for d in claimed):
            ctx.facts["own_domain_unauthenticated"] = claimed
            self.hit(ctx, "FROM_OWN_DOMAIN_UNAUTHENTICATED", ", ".join(claimed)[:200])

    def _user_name(self, ctx: MessageContext, from_value: str, own: list[str]) -> None:
        """A user's own name at an outside address: the CEO "writing" from free mail."""
        staff = ctx.customer.staff_names if ctx.customer is not None else ()
        if not staff:
            return
        for display, address in getaddresses([from_value])[:1]:
            name = person_name(display)
            if name and _among(staff, name) and _domain(address) and not _is_own(_domain(address), own):
                ctx.facts["display_name_of_user"] = display.strip()[:200]
                self.hit(ctx, "FROM_NAME_OF_OWN_USER", f"{display.strip()} <{address}>"[:200])
