"""Where to deliver a domain's mail: MX records, falling back to A/AAAA (RFC 5321 §5).

The resolver is configured by settings (nameservers and port), so tests
point it at a DNS server on loopback. A null MX (RFC 7505) or a domain that
does not exist is a permanent failure; a timeout is temporary.
"""

from __future__ import annotations

from dataclasses import dataclass

import dns.exception
import dns.resolver


class PermanentDNSFailure(Exception):
    """The domain cannot receive mail (no such domain, null MX)."""


class TemporaryDNSFailure(Exception):
    """The lookup failed for now (timeout, SERVFAIL)."""


@dataclass(frozen=True, slots=True)
class Destination:
    host: str
    port: int


def make_resolver(nameservers: list[str], port: int = 53, timeout: float = 3.0) -> dns.resolver.Resolver:
    """A resolver using the given nameservers, or the system's when none are given."""
    resolver = dns.resolver.Resolver(configure=not nameservers)
    if nameservers:
        resolver.nameservers = list(nameservers)
        resolver.port = port
    resolver.timeout = timeout
    resolver.lifetime = timeout * 2
    resolver.cache = dns.resolver.LRUCache(10000)
    return resolver


def destinations(domain: str, resolver: dns.resolver.Resolver, port: int = 25) -> list[Destination]:
    """Hosts to try for ``domain``, best preference first."""
    try:
        answer = resolver.resolve(domain, "MX")
    except dns.resolver.NXDOMAIN as exc:
        raise PermanentDNSFailure(f"domain {domain} does not exist") from exc
    except dns.resolver.NoAnswer:
        return _address_fallback(domain, resolver, port)
    except (dns.exception.Timeout, dns.resolver.NoNameservers) as exc:
        raise TemporaryDNSFailure(f"MX lookup for {domain} failed: {exc}") from exc
    records = sorted(answer, key=lambda r: r.preference)
    if len(records) == 1 and str(records[0].exchange) == ".":
        raise PermanentDNSFailure(f"domain {domain} does not accept mail (null MX)")
    return [Destination(str(r.exchange).rstrip("."), port) for r in records if str(r.exchange) != "."]


def _address_fallback(domain: str, resolver: dns.resolver.Resolver, port: int) -> list[Destination]:
    for rtype in ("A", "AAAA"):
        try:
            resolver.resolve(domain, rtype)
            return [Destination(domain, port)]
        except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
            continue
        except (dns.exception.Timeout, dns.resolver.NoNameservers) as exc:
            raise TemporaryDNSFailure(f"address lookup for {domain} failed: {exc}") from exc
    raise PermanentDNSFailure(f"domain {domain} has no MX and no address records")


def resolve_host(host: str, resolver: dns.resolver.Resolver) -> str:
    """An address to connect to for an MX host name (IP literals pass through)."""
    import ipaddress

    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    for rtype in ("A", "AAAA"):
        try:
            return str(resolver.resolve(host, rtype)[0])
        except (dns.resolver.NoAnswer, dns.resolver.NXDOMAIN):
            continue
        except (dns.exception.Timeout, dns.resolver.NoNameservers) as exc:
            raise TemporaryDNSFailure(f"address lookup for {host} failed: {exc}") from exc
    raise TemporaryDNSFailure(f"MX host {host} has no address")
