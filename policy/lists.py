"""Allow and block lists: provider-wide, per customer and per user (docs/policy.md).

Values are an address (``alice@example.com``), a domain (``example.com``,
matching its subdomains too), or an IP address or CIDR network. Lists are
compiled into sets and networks in the snapshot; matching is set lookups.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from mailflow.addresses import AddressError, validate_address
from tenants.validators import validate_mail_domain


def classify_value(value: str) -> str:
    """'address', 'domain' or 'network'; raises ValueError for anything else."""
    if "@" in value:
        try:
            validate_address(value)
        except AddressError as exc:
            raise ValueError(f"{value!r} is not a valid address ({exc})") from None
        return "address"
    try:
        ipaddress.ip_network(value, strict=False)
        return "network"
    except ValueError:
        pass
    try:
        validate_mail_domain(value)
    except Exception:
        raise ValueError(f"{value!r} is not an address, a domain or an IP network") from None
    return "domain"


@dataclass
class CompiledList:
    addresses: set[str] = field(default_factory=set)
    domains: set[str] = field(default_factory=set)
    networks: list = field(default_factory=list)

    def add(self, value: str) -> None:
        kind = classify_value(value)
        if kind == "address":
            self.addresses.add(value.lower())
        elif kind == "domain":
            self.domains.add(value.lower())
        else:
            self.networks.append(ipaddress.ip_network(value, strict=False))

    def matches(self, sender: str, client_ip: str) -> bool:
        sender = sender.lower()
        if sender in self.addresses:
            return True
        domain = sender.rpartition("@")[2]
        parts = domain.split(".")
        if any(".".join(parts[i:]) in self.domains for i in range(len(parts) - 1)):
            return True
        if self.networks and client_ip:
            try:
                ip = ipaddress.ip_address(client_ip)
            except ValueError:
                return False
            return any(ip.version == n.version and ip in n for n in self.networks)
        return False


@dataclass
class Lists:
    """Compiled allow/block lists of one customer, with the provider's and its users'."""

    allow: CompiledList = field(default_factory=CompiledList)
    block: CompiledList = field(default_factory=CompiledList)
    user_allow: dict[str, CompiledList] = field(default_factory=dict)
    user_block: dict[str, CompiledList] = field(default_factory=dict)

    def add(self, kind: str, value: str, owner: str = "") -> None:
        if owner:
            target = (self.user_allow if kind == "allow" else self.user_block).setdefault(owner, CompiledList())
        else:
            target = self.allow if kind == "allow" else self.block
        target.add(value)

    def verdict(self, sender: str, client_ip: str, recipients: list[str]) -> str | None:
        """'block', 'allow' or None. A block wins over an allow at the same level; users' lists
        apply when every recipient's own list agrees (a message is one decision)."""
        if self.block.matches(sender, client_ip):
            return "block"
        if self.allow.matches(sender, client_ip):
            return "allow"
        own = [self._user(r, sender, client_ip) for r in recipients]
        if own and all(v == "block" for v in own):
            return "block"
        if own and all(v == "allow" for v in own):
            return "allow"
        return None

    def _user(self, rcpt: str, sender: str, client_ip: str) -> str | None:
        rcpt = rcpt.lower()
        if rcpt in self.user_block and self.user_block[rcpt].matches(sender, client_ip):
            return "block"
        if rcpt in self.user_allow and self.user_allow[rcpt].matches(sender, client_ip):
            return "allow"
        return None
