"""Per-process resources shared by the checks (docs/checks.md, "Resources").

The antivirus scanner, the DNS client, the GeoIP database and the spam model
are expensive to build and safe to share between threads, so each is built
lazily, once per process, on first use. A forked child (Celery's prefork
workers) notices the new pid and builds its own; a change of the settings a
resource was built from (tests, a reload) rebuilds it as well.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, Generic, TypeVar

from django.conf import settings

T = TypeVar("T")

SYSTEM_RESOLVER_TIMEOUT = 2.0  # seconds per lookup when no nameservers are configured


class PerProcess(Generic[T]):
    """A value built by ``build(key)`` once per process and per ``key()``."""

    def __init__(self, build: Callable[[Any], T], key: Callable[[], Hashable] = lambda: None) -> None:
        self._build = build
        self._key = key
        self._lock = threading.Lock()
        self._value: tuple[int, Hashable, T] | None = None

    def get(self) -> T:
        key = self._key()
        current = self._value
        if current is not None and current[0] == os.getpid() and current[1] == key:
            return current[2]
        with self._lock:
            current = self._value
            if current is None or current[0] != os.getpid() or current[1] != key:
                current = (os.getpid(), key, self._build(key))
                self._value = current
            return current[2]

    def reset(self) -> None:
        with self._lock:
            self._value = None


def _scanner_key() -> Hashable:
    return (settings.SPE_CLAMD_SOCKET, getattr(settings, "SPE_AV_TIMEOUT", 30.0),
            getattr(settings, "SPE_AV_HASHLIST", "") or "")


def _build_scanner(key: Any) -> Any:
    from mailflow.av.engines import build_default_scanner

    socket_path, timeout, hashlist = key
    return build_default_scanner(clamd_socket=str(socket_path), timeout=float(timeout),
                                 hashlist_path=hashlist or None)


def dns_timeout() -> float:
    """Per-lookup timeout: the setting, shortened when the system resolver is used."""
    timeout = float(settings.SPE_DNS_TIMEOUT)
    return timeout if settings.SPE_DNS_NAMESERVERS else min(timeout, SYSTEM_RESOLVER_TIMEOUT)


def _resolver_key() -> Hashable:
    return (tuple(settings.SPE_DNS_NAMESERVERS), int(settings.SPE_DNS_PORT), dns_timeout())


def _build_resolver(key: Any) -> Any:
    from mailflow.delivery.mx import make_resolver

    nameservers, port, timeout = key
    try:
        return make_resolver(list(nameservers), port, timeout)
    except Exception:  # no usable /etc/resolv.conf: a resolver that fails every lookup (temperror)
        import dns.resolver

        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = ["127.0.0.1"]
        resolver.port = 9  # discard: lookups time out quickly, they never raise out of a check
        resolver.timeout, resolver.lifetime = timeout, timeout
        return resolver


def _build_geoip(_key: Any) -> Any:
    from geoip2fast import GeoIP2Fast

    return GeoIP2Fast(verbose=False)


def _model_key() -> Hashable:
    from mailflow.spam import DEFAULT_MODEL_PATH

    path = Path(getattr(settings, "SPE_SPAM_MODEL", "") or DEFAULT_MODEL_PATH)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        stamp = 0
    return (str(path), stamp)


def _build_model(key: Any) -> Any:
    from mailflow.spam import Model

    return Model.load(key[0])  # ModelError when damaged: not cached, tried again next message


_scanner: PerProcess[Any] = PerProcess(_build_scanner, _scanner_key)
_resolver: PerProcess[Any] = PerProcess(_build_resolver, _resolver_key)
_geoip: PerProcess[Any] = PerProcess(_build_geoip)
_model: PerProcess[Any] = PerProcess(_build_model, _model_key)


def scanner() -> Any:
    """The antivirus ``MultiScanner`` (clamd + YARA [+ hash list])."""
    return _scanner.get()


def resolver() -> Any:
    """The dnspython resolver of ``SPE_DNS_NAMESERVERS`` (system resolver when empty)."""
    return _resolver.get()


def geoip() -> Any:
    """The geoip2fast database (ships with the package; about 0.2 s to load)."""
    return _geoip.get()


def spam_model() -> Any:
    """The spam classifier from ``SPE_SPAM_MODEL`` (default: the shipped model)."""
    return _model.get()


def reset_all() -> None:
    """Forget every resource (tests; after changing files in place)."""
    for holder in (_scanner, _resolver, _geoip, _model):
        holder.reset()
