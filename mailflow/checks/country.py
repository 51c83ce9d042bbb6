"""CountryCensor: where the message came from (docs/checks.md).

Looks up the client IP and every public IP named in the ``Received``
headers in geoip2fast's bundled database (no network, loaded once per
process). Private, reserved and unknown addresses give ``""``. Policy
conditions read ``country`` and ``received_countries``; the check adds no
score of its own.
"""

from __future__ import annotations

import ipaddress
import re

from mailflow.checks import resources
from mailflow.checks.base import Check
from mailflow.engine.context import MessageContext

MAX_RECEIVED = 20
_IP_IN_RECEIVED = re.compile(r"\[(?:IPv6:)?([0-9a-fA-F:.]{3,45})\]|\b(\d{1,3}(?:\.\d{1,3}){3})\b")


def country_of(address: str) -> str:
    """ISO 3166 code of a public IP, ``""`` for private, reserved, invalid or unknown ones."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if not ip.is_global:
        return ""
    try:
        code = resources.geoip().lookup(str(ip)).country_code
    except Exception:  # a database gap is "unknown", never an error on the message
        return ""
    return code if code and len(code) == 2 and code.isalpha() else ""


def received_ips(headers: list[tuple[str, str]]) -> list[str]:
    """Public IPs in the Received headers, newest hop first, without duplicates."""
    found: list[str] = []
    for name, value in headers:
        if name.lower() != "received":
            continue
        if len(found) >= MAX_RECEIVED:
            break
        for match in _IP_IN_RECEIVED.finditer(value):
            address = match.group(1) or match.group(2)
            try:
                ip = ipaddress.ip_address(address)
            except ValueError:
                continue
            if ip.is_global and str(ip) not in found:
                found.append(str(ip))
    return found


class Country(Check):
    name = "country"
    description = "Country of the client IP and of the public IPs in Received headers"
    symbols = ()
    time_budget = 0.5

    def run(self, ctx: MessageContext) -> None:
        ctx.facts["country"] = country_of(ctx.envelope.client_ip)
        countries: list[str] = []
        for address in received_ips(ctx.parsed.headers):
            code = country_of(address)
            if code and code not in countries:
                countries.append(code)
        ctx.facts["received_countries"] = countries
