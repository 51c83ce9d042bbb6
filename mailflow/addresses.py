"""Envelope address validation, shared by the receiver and the sender.

An address that reaches an SMTP client must not smuggle commands (CR, LF,
NUL) or anything a downstream server could misparse. See docs/mailflow.md.
"""

from __future__ import annotations

import ipaddress
import re

_LOCAL = re.compile(r'^(?:[A-Za-z0-9!#$%&\'*+/=?^_`{|}~.-]|[^\x00-\x7f])+$|^"(?:[^"\\\x00-\x1f\x7f]|\\[ -~])*"$')
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # CR, LF and NUL among them
_LABEL = re.compile(r"^(?!-)(?:[A-Za-z0-9-]|[^\x00-\x7f]){1,63}(?<!-)$")


class AddressError(ValueError):
    """An envelope address that must not be accepted or relayed."""


def split(address: str) -> tuple[str, str]:
    """``local@domain`` into its parts, the domain lower-cased."""
    local, _, domain = address.rpartition("@")
    return local, domain.lower().rstrip(".")


def validate_address(address: str, *, allow_null: bool = False) -> str:
    """Return the address if it is a safe, well-formed mailbox; raise AddressError."""
    if address == "" and allow_null:
        return address
    if _CONTROL.search(address):
        raise AddressError("control characters in address")
    if len(address) > 254 or "@" not in address:
        raise AddressError("not a mailbox address")
    local, domain = split(address)
    if not local or len(local.encode()) > 64 or not _LOCAL.match(local) or local.startswith("."):
        raise AddressError("bad local part")
    if domain.startswith("[") and domain.endswith("]"):
        literal = domain[1:-1]
        try:
            ipaddress.ip_address(literal[5:] if literal.lower().startswith("ipv6:") else literal)
        except ValueError as exc:
            raise AddressError("bad address literal") from exc
        return address
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        raise AddressError("bad domain")
    return address
