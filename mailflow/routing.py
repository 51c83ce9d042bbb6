"""The routing table: which customer owns a domain, a client IP, a recipient.

See docs/mailflow.md. The receiver and the engine never query PostgreSQL per
message: they hold a compiled, immutable ``RoutingTable`` in memory, rebuilt
when the config version in Redis moves (``tenants.cache``) and saved to disk
so that a node restarted while the database is away still routes mail.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CustomerRoute:
    slug: str
    schema: str
    name: str
    status: str
    queue: str
    filtering: bool = True
    expired_mail: str = "tempfail"
    max_message_bytes: int = 50 * 1024 * 1024
    max_recipients: int = 500
    outbound_relays: tuple[str, ...] = ()
    archiving: bool = False
    archive_retention_days: int = 0
    end_user_quarantine: bool = True
    staff_names: tuple[str, ...] = ()  # display names of active mailboxes, normalised (mailflow.names)


@dataclass(frozen=True, slots=True)
class DomainRoute:
    domain: str
    customer: str
    host: str
    port: int
    tls_policy: str = "opportunistic"
    validate_recipients: bool = False
    dkim_selector: str = ""
    dkim_key: str = ""  # the private key, encrypted (tenants.secrets)


@dataclass
class RoutingTable:
    """An immutable-by-convention snapshot of provider-wide routing data."""

    version: int = 0
    customers: dict[str, CustomerRoute] = field(default_factory=dict)
    domains: dict[str, DomainRoute] = field(default_factory=dict)
    recipients: dict[str, frozenset[str]] = field(default_factory=dict)  # validating domains only
    built_at: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        self._relays = [
            (ipaddress.ip_network(cidr, strict=False), slug)
            for slug, customer in self.customers.items()
            for cidr in customer.outbound_relays
        ]
        by_customer: dict[str, list[str]] = {}
        for name, route in self.domains.items():
            by_customer.setdefault(route.customer, []).append(name)
        self._customer_domains = {slug: tuple(sorted(names)) for slug, names in by_customer.items()}

    def domains_of(self, slug: str) -> tuple[str, ...]:
        """The mail domains of customer ``slug``, sorted."""
        return self._customer_domains.get(slug, ())

    def domain(self, domain: str) -> DomainRoute | None:
        return self.domains.get(domain.lower().rstrip("."))

    def customer(self, slug: str) -> CustomerRoute | None:
        return self.customers.get(slug)

    def customer_for_client(self, ip: str) -> CustomerRoute | None:
        """The customer whose registered outbound relays include this client IP."""
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return None
        for network, slug in self._relays:
            if addr.version == network.version and addr in network:
                return self.customers[slug]
        return None

    def recipient_known(self, address: str) -> bool:
        """False only for a validating domain that has no such mailbox or alias."""
        domain = address.rpartition("@")[2].lower()
        known = self.recipients.get(domain)
        return known is None or address.lower() in known

    def to_json(self) -> str:
        return json.dumps({
            "version": self.version,
            "customers": {k: asdict(v) for k, v in self.customers.items()},
            "domains": {k: asdict(v) for k, v in self.domains.items()},
            "recipients": {k: sorted(v) for k, v in self.recipients.items()},
        })

    @classmethod
    def from_json(cls, text: str) -> RoutingTable:
        raw = json.loads(text)
        customers = {}
        for slug, c in raw["customers"].items():
            c["outbound_relays"] = tuple(c["outbound_relays"])
            c["staff_names"] = tuple(c.get("staff_names", ()))
            customers[slug] = CustomerRoute(**c)
        return cls(
            version=raw["version"],
            customers=customers,
            domains={k: DomainRoute(**v) for k, v in raw["domains"].items()},
            recipients={k: frozenset(v) for k, v in raw["recipients"].items()},
        )


class RoutingCache:
    """Holds the current table; reloads it when the config version moves.

    ``get()`` is cheap (no I/O) except at most once per ``check_every``
    seconds, when it compares the version in Redis and rebuilds on change.
    If the database is unreachable, the last good table stays in use.
    """

    def __init__(self, cache_file: Path, check_every: float = 2.0) -> None:
        self.cache_file = Path(cache_file)
        self.check_every = check_every
        self._table: RoutingTable | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._force = False

    def get(self) -> RoutingTable:
        now = time.monotonic()
        if self._table is not None and now - self._checked < self.check_every:
            return self._table
        with self._lock:
            if self._table is None or now - self._checked >= self.check_every:
                self._checked = now
                self._refresh()
        return self._table

    def invalidate(self) -> None:
        """Rebuild at the next ``get()`` whatever the version says."""
        self._checked = 0.0
        self._force = True

    def _refresh(self) -> None:
        from tenants.cache import current_version

        version = current_version()
        if self._table is not None and not self._force and version is not None and version == self._table.version:
            return
        try:
            from mailflow.routing_build import build_routing_table

            table = build_routing_table(version or 0)
        except Exception as exc:  # database away: keep routing with what we have
            log.warning("routing table not rebuilt, keeping the last one: %s", exc)
            if self._table is None:
                self._table = self._load_file()
            return
        self._force = False
        self._table = table
        self._save_file(table)

    def _save_file(self, table: RoutingTable) -> None:
        try:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_file.with_suffix(".tmp")
            tmp.write_text(table.to_json())
            os.replace(tmp, self.cache_file)
        except OSError as exc:
            log.warning("routing table not saved to %s: %s", self.cache_file, exc)

    def _load_file(self) -> RoutingTable:
        try:
            return RoutingTable.from_json(self.cache_file.read_text())
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise RuntimeError(f"no routing table: database unreachable and {self.cache_file} unusable") from exc
