"""Fixtures for the antivirus tests: the real private clamd and test listeners."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailflow.av.base import ScannerUnavailable
from mailflow.av.clamd import ClamdScanner

REPO_ROOT = Path(__file__).resolve().parents[3]
SCRIPT = REPO_ROOT / "scripts" / "clamav.sh"
CLAMAV_DIR = REPO_ROOT / "var" / "clamav"


@pytest.fixture(scope="session")
def clamd_socket() -> str:
    """Start (or reuse) the private clamd of scripts/clamav.sh; its socket path."""
    subprocess.run(["bash", str(SCRIPT), "start"], check=True, timeout=600)
    subprocess.run(["bash", str(SCRIPT), "wait"], check=True, timeout=120)
    return str(CLAMAV_DIR / "clamd.sock")


@pytest.fixture(scope="session")
def clamd(clamd_socket: str) -> ClamdScanner:
    """A client of the private clamd over its unix socket."""
    return ClamdScanner(socket_path=clamd_socket, timeout=10)


@pytest.fixture(scope="session")
def small_clamd(clamd_socket: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second clamd with StreamMaxLength 1K; yields its socket path."""
    base = tmp_path_factory.mktemp("clamd-small")
    config = base / "clamd.conf"
    config.write_text(
        f"LocalSocket {base}/clamd.sock\nPidFile {base}/clamd.pid\n"
        f"LogFile {base}/clamd.log\nDatabaseDirectory {CLAMAV_DIR}/db\n"
        f"TemporaryDirectory {base}\nStreamMaxLength 1K\nMaxThreads 2\n"
    )
    clamd_bin = shutil.which("clamd") or "/usr/sbin/clamd"
    subprocess.run([clamd_bin, f"--config-file={config}"], check=True, timeout=60)
    client = ClamdScanner(socket_path=str(base / "clamd.sock"), timeout=2)
    _wait_for_ping(client)
    yield str(base / "clamd.sock")
    pid = int((base / "clamd.pid").read_text().strip())
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)


def _wait_for_ping(client: ClamdScanner, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            client.ping()
            return
        except ScannerUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def silent_listener() -> Iterator[int]:
    """A TCP port on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept_loop() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept_loop, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


@pytest.fixture
def closed_port() -> int:
    """A TCP port on 127.0.0.1 with nothing listening."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port
