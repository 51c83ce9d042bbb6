"""Record store and zone-file parser behind the loopback DNS test server.

The store maps owner names to resource records built with dnslib. It knows
the difference between a name that does not exist (NXDOMAIN) and a name
that exists without the asked type (NODATA), follows CNAMEs inside the
store, and splits long TXT values into 255-byte character strings.

The records file format is described in docs/sender-auth.md.
"""

from __future__ import annotations

import shlex
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dnslib import AAAA, CNAME, MX, NS, PTR, QTYPE, RD, RR, SOA, TXT, A, DNSLabel

SUPPORTED_TYPES = ("A", "AAAA", "MX", "TXT", "CNAME", "PTR", "NS", "SOA")
FAILURE_MODES = ("timeout", "servfail", "refused")
TXT_CHUNK = 255
MAX_CNAME_CHAIN = 8

RecordValue = str | bytes | Sequence[str | bytes] | tuple[int, str]


def normalise(name: str) -> str:
    """Lower-case a domain name and drop the trailing dot."""
    return str(name).strip().rstrip(".").lower()


def split_txt(value: str | bytes) -> list[bytes]:
    """Split a TXT value into character strings of at most 255 bytes."""
    data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
    if not data:
        return [b""]
    return [data[i : i + TXT_CHUNK] for i in range(0, len(data), TXT_CHUNK)]


def _txt_rdata(value: RecordValue) -> RD:
    if isinstance(value, (str, bytes)):
        return TXT(split_txt(value))
    strings = [s.encode("utf-8") if isinstance(s, str) else bytes(s) for s in value]
    if any(len(s) > TXT_CHUNK for s in strings):
        raise ValueError("an explicit TXT character string exceeds 255 bytes")
    return TXT(strings)


def _mx_rdata(value: RecordValue) -> RD:
    if isinstance(value, tuple):
        preference, exchange = value
    else:
        preference, exchange = str(value).split()
    return MX(DNSLabel(str(exchange)), int(preference))


def _soa_rdata(value: RecordValue) -> RD:
    parts = str(value).split()
    if len(parts) != 7:
        raise ValueError("SOA needs: mname rname serial refresh retry expire minimum")
    times = tuple(int(p) for p in parts[2:])
    return SOA(DNSLabel(parts[0]), DNSLabel(parts[1]), times)


def make_rdata(rtype: str, value: RecordValue) -> RD:
    """Build the dnslib rdata object for one record value."""
    rtype = rtype.upper()
    simple = {"A": A, "AAAA": AAAA}
    names = {"CNAME": CNAME, "PTR": PTR, "NS": NS}
    if rtype in simple:
        return simple[rtype](str(value))
    if rtype in names:
        return names[rtype](DNSLabel(str(value)))
    if rtype == "TXT":
        return _txt_rdata(value)
    if rtype == "MX":
        return _mx_rdata(value)
    if rtype == "SOA":
        return _soa_rdata(value)
    raise ValueError(f"unsupported record type {rtype!r}; use one of {SUPPORTED_TYPES}")


@dataclass
class Lookup:
    """The outcome of looking a question up in the store."""

    rcode: str = "NOERROR"  # NOERROR, NXDOMAIN, SERVFAIL, REFUSED or TIMEOUT
    answer: list[RR] = field(default_factory=list)
    authority: list[RR] = field(default_factory=list)


class ZoneStore:
    """Thread-safe map of owner name and type to resource records."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._records: dict[tuple[str, str], list[RR]] = {}
        self._failures: dict[str, str] = {}

    def add(self, name: str, rtype: str, value: RecordValue, ttl: int = 60) -> None:
        rtype = rtype.upper()
        rr = RR(normalise(name) + ".", getattr(QTYPE, rtype), rdata=make_rdata(rtype, value), ttl=ttl)
        with self._lock:
            self._records.setdefault((normalise(name), rtype), []).append(rr)

    def remove(self, name: str, rtype: str | None = None) -> None:
        key_name = normalise(name)
        with self._lock:
            for key in list(self._records):
                if key[0] == key_name and (rtype is None or key[1] == rtype.upper()):
                    del self._records[key]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()
            self._failures.clear()

    def set_failure(self, name: str, mode: str | None) -> None:
        if mode is not None and mode not in FAILURE_MODES:
            raise ValueError(f"failure mode must be one of {FAILURE_MODES}")
        with self._lock:
            if mode is None:
                self._failures.pop(normalise(name), None)
            else:
                self._failures[normalise(name)] = mode

    def lookup(self, qname: str, qtype: str) -> Lookup:
        """Answer one question the way an authoritative server would."""
        name = normalise(qname)
        with self._lock:
            failure = self._failures.get(name)
            if failure:
                return Lookup(rcode=failure.upper())
            result = Lookup()
            for _ in range(MAX_CNAME_CHAIN):
                cname = self._records.get((name, "CNAME"))
                if not cname or qtype in ("CNAME", "ANY"):
                    break
                result.answer.extend(cname)
                name = normalise(str(cname[0].rdata.label))
            result.answer.extend(self._matching(name, qtype))
            if not result.answer:
                result.rcode = "NOERROR" if self._exists(name) else "NXDOMAIN"
                result.authority.extend(self._closest_soa(name))
            return result

    def _matching(self, name: str, qtype: str) -> list[RR]:
        if qtype == "ANY":
            return [rr for (n, _), rrs in self._records.items() if n == name for rr in rrs]
        return list(self._records.get((name, qtype), []))

    def _exists(self, name: str) -> bool:
        suffix = "." + name
        return any(n == name or n.endswith(suffix) for n, _ in self._records)

    def _closest_soa(self, name: str) -> list[RR]:
        labels = name.split(".")
        for i in range(len(labels)):
            soa = self._records.get((".".join(labels[i:]), "SOA"))
            if soa:
                return soa[:1]
        return []


def _parse_value(rtype: str, text: str) -> RecordValue:
    if rtype == "TXT" and text.startswith('"'):
        return "".join(shlex.split(text, posix=True))
    return text


def parse_records(lines: Iterable[str]) -> list[tuple[str, str, RecordValue, int]]:
    """Parse the records file format: ``name [ttl] TYPE value`` per line.

    Blank lines and lines starting with ``#`` or ``;`` are ignored. A TXT
    value is the rest of the line; wrap it in double quotes to keep
    leading or trailing spaces (several quoted parts are concatenated).
    """
    records: list[tuple[str, str, RecordValue, int]] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        fields = line.split(None, 2)
        ttl = 60
        if len(fields) == 3 and fields[1].isdigit():
            ttl = int(fields[1])
            fields = [fields[0], *fields[2].split(None, 1)]
        if len(fields) < 3 or fields[1].upper() not in SUPPORTED_TYPES:
            raise ValueError(f"line {number}: expected 'name [ttl] TYPE value', got {raw!r}")
        rtype = fields[1].upper()
        records.append((fields[0], rtype, _parse_value(rtype, fields[2].strip()), ttl))
    return records
