"""Validators for the names the platform stores: hostnames, mail domains, CIDRs.

Shared by models, forms, management commands and the SMTP edge so that one
definition of "a valid domain" holds everywhere (docs/tenancy.md).
"""

from __future__ import annotations

import ipaddress
import re

from django.core.exceptions import ValidationError

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _labels_ok(name: str) -> bool:
    if not name or len(name) > 253:
        return False
    labels = name.split(".")
    return all(_LABEL.match(label) for label in labels)


def normalise_domain(value: str) -> str:
    """Lower-case, strip a trailing dot, and convert IDNs to their A-label form."""
    value = value.strip().rstrip(".").lower()
    try:
        return value.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValidationError(f"{value!r} is not a valid domain name.") from exc


def validate_mail_domain(value: str) -> None:
    """An email domain: at least two labels, letters/digits/hyphens, no IP literal."""
    name = normalise_domain(value)
    if "." not in name or not _labels_ok(name) or name.replace(".", "").isdigit():
        raise ValidationError(f"{value!r} is not a valid mail domain.", code="invalid_domain")


def validate_hostname(value: str) -> None:
    """A hostname or an IP address (delivery routes may name either)."""
    try:
        ipaddress.ip_address(value)
        return
    except ValueError:
        pass
    if not _labels_ok(normalise_domain(value)):
        raise ValidationError(f"{value!r} is not a valid hostname.", code="invalid_hostname")


def validate_cidr(value: str) -> None:
    """An IPv4/IPv6 address or network in CIDR notation."""
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError as exc:
        raise ValidationError(f"{value!r} is not an IP address or CIDR network.", code="invalid_cidr") from exc


def parse_route(value: str) -> tuple[str, int]:
    """Parse ``HOST:PORT`` (``[v6]:PORT`` for IPv6) into a validated pair."""
    match = re.fullmatch(r"\[(?P<v6>[0-9a-fA-F:.]+)\]:(?P<port>\d+)|(?P<host>[^:\s]+):(?P<p2>\d+)", value.strip())
    if not match:
        raise ValidationError(f"{value!r} is not HOST:PORT.", code="invalid_route")
    host = match.group("v6") or match.group("host")
    port = int(match.group("port") or match.group("p2"))
    if not 1 <= port <= 65535:
        raise ValidationError(f"port {port} is out of range 1-65535.", code="invalid_route")
    validate_hostname(host)
    return host, port
