"""Assemble the default antivirus stack: clamd, YARA and the hash list.

The pipeline's virus check calls :func:`build_default_scanner` once per
worker process and reuses the result (every engine is thread-safe and the
YARA rules are compiled once).  See docs/antivirus.md.
"""

from __future__ import annotations

from pathlib import Path

from mailflow.av.base import Scanner
from mailflow.av.clamd import ClamdScanner
from mailflow.av.hashlist import HashListScanner
from mailflow.av.multi import MultiScanner
from mailflow.av.yara_engine import RULES_DIR, YaraScanner


def build_default_scanner(
    *,
    clamd_socket: str | None = None,
    clamd_host: str | None = None,
    clamd_port: int | None = None,
    hashlist_path: str | Path | None = None,
    yara_rules: str | Path = RULES_DIR,
    timeout: float = 60.0,
) -> MultiScanner:
    """Return a :class:`MultiScanner` over clamd, YARA and the hash list.

    ``clamd_socket`` defaults to ``$SPE_CLAMD_SOCKET`` or the private clamd
    of scripts/clamav.sh; give ``clamd_host``/``clamd_port`` for TCP.  The
    hash list engine is included only when ``hashlist_path`` is given.
    """
    if clamd_host is not None or clamd_port is not None:
        clamd = ClamdScanner(host=clamd_host, port=clamd_port, timeout=timeout)
    else:
        clamd = ClamdScanner(socket_path=clamd_socket, timeout=timeout)
    scanners: list[Scanner] = [clamd, YaraScanner(yara_rules)]
    if hashlist_path is not None:
        scanners.append(HashListScanner.from_file(hashlist_path))
    return MultiScanner(scanners, timeout=timeout)
