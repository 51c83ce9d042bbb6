"""Signed, expiring end-user links: no login, bound to customer + recipient + item + action (docs/quarantine.md).

A token is ``django.core.signing.dumps`` (HMAC with the secret key and a
timestamp) of ``{"s": schema, "r": recipient, "i": item id, "a": action}``
with a salt per customer, so a link of one customer is worthless in another
customer's console. It expires after ``SPE_QUARANTINE_LINK_DAYS``. A link
cannot be "used twice" in a harmful way: release acts only on a held item.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

ACTIONS = ("view", "release", "allow_sender", "list", "archive")
_SALT = "spe.quarantine.link"


class LinkInvalid(Exception):
    """Tampered with, for another customer, or malformed."""


class LinkExpired(LinkInvalid):
    """Older than the link lifetime."""


@dataclass(frozen=True, slots=True)
class LinkClaim:
    schema: str
    recipient: str
    item_id: int
    action: str


def make_token(schema: str, recipient: str, item_id: int, action: str) -> str:
    if action not in ACTIONS:
        raise ValueError(f"unknown link action {action!r}")
    payload = {"s": schema, "r": recipient.lower(), "i": int(item_id), "a": action}
    return signing.dumps(payload, salt=f"{_SALT}:{schema}", compress=True)


def read_token(token: str, schema: str) -> LinkClaim:
    max_age = settings.SPE_QUARANTINE_LINK_DAYS * 24 * 3600
    try:
        payload = signing.loads(token, salt=f"{_SALT}:{schema}", max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpired("this link has expired") from exc
    except signing.BadSignature as exc:
        raise LinkInvalid("this link is not valid") from exc
    try:
        claim = LinkClaim(str(payload["s"]), str(payload["r"]), int(payload["i"]), str(payload["a"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkInvalid("this link is not valid") from exc
    if claim.schema != schema or claim.action not in ACTIONS:
        raise LinkInvalid("this link is not valid")
    return claim


def url(customer_slug: str, schema: str, recipient: str, item_id: int, action: str) -> str:
    """An absolute link for mail: ``SPE_PUBLIC_URL/c/<slug>/q/<action>/<token>/``."""
    token = make_token(schema, recipient, item_id, action)
    prefix = settings.SPE_TENANT_PATH_PREFIX
    return f"{settings.SPE_PUBLIC_URL}/{prefix}/{customer_slug}/q/{action.replace('_', '-')}/{token}/"
