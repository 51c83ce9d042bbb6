"""DKIM signing of outbound mail with the customer domain's key (docs/sender-auth.md).

The domain is the From header's; only a domain the sending customer owns,
with an enabled key, is signed for. A message that cannot be signed (no
From, a damaged key) leaves unsigned and the reason is logged: signing
never stops mail.
"""

from __future__ import annotations

import email.utils
import logging

from mailflow.auth import SigningError, sign
from mailflow.routing import RoutingTable

log = logging.getLogger(__name__)


def from_domain(data: bytes) -> str:
    end = data.find(b"\r\n\r\n")
    for line in data[: end if end >= 0 else 65536].split(b"\r\n"):
        if line[:5].lower() == b"from:":
            _, address = email.utils.parseaddr(line[5:].decode("utf-8", "replace"))
            return address.rpartition("@")[2].lower()
    return ""


def sign_outbound(data: bytes, customer_slug: str, table: RoutingTable) -> bytes:
    from tenants.secrets import decrypt

    domain = from_domain(data)
    route = table.domain(domain) if domain else None
    if route is None or route.customer != customer_slug or not route.dkim_key:
        return data
    try:
        return sign(data, domain=domain, selector=route.dkim_selector, private_pem=decrypt(route.dkim_key))
    except (SigningError, ValueError) as exc:
        log.error("outbound mail from %s left unsigned: %s", domain, exc)
        return data
