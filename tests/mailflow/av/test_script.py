"""scripts/clamav.sh: idempotent start, status, and a clear wait failure."""

from __future__ import annotations

import os
import socket
import subprocess

from tests.mailflow.av.conftest import CLAMAV_DIR, SCRIPT


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    merged = {**os.environ, **(env or {})}
    return subprocess.run(
        ["bash", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env=merged,
        timeout=120,
        check=False,
    )


def test_start_when_running_does_nothing(clamd_socket: str) -> None:
    pid_before = (CLAMAV_DIR / "clamd.pid").read_text().strip()
    result = run("start")
    assert result.returncode == 0 and "already running" in result.stderr
    assert (CLAMAV_DIR / "clamd.pid").read_text().strip() == pid_before


def test_status_reports_running_instance(clamd_socket: str) -> None:
    result = run("status")
    assert result.returncode == 0
    assert result.stdout.startswith("running (pid ")


def test_offline_signatures_are_installed_in_private_db(clamd_socket: str) -> None:
    installed = sorted(p.name for p in (CLAMAV_DIR / "db").iterdir())
    assert {"spe-test.ndb", "spe-test.hdb"} <= set(installed)
    config = (CLAMAV_DIR / "clamd.conf").read_text()
    assert "TCPAddr 127.0.0.1" in config and "StreamMaxLength 100M" in config


def test_wait_fails_clearly_naming_the_log(clamd_socket: str) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    result = run("wait", env={"SPE_CLAMD_PORT": str(port), "SPE_CLAMD_WAIT_SECONDS": "1"})
    assert result.returncode != 0
    assert str(CLAMAV_DIR / "clamd.log") in result.stderr


def test_unknown_command_prints_usage() -> None:
    result = run("restart-everything")
    assert result.returncode == 2 and "usage:" in result.stderr
