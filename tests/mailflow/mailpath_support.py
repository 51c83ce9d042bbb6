"""The real mail path as separate processes, for end-to-end and fault tests.

``MailPath`` starts ``manage.py smtpd``, a Celery worker and Celery beat as
subprocesses against the test database, with their own spool, so tests can
send mail over SMTP, watch it arrive at a real sink, and kill or starve any
part of the path.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


class MailPath:
    """Receiver + worker + beat, configured by environment like production."""

    def __init__(self, workdir: Path, env: dict[str, str], concurrency: int = 2, beat: bool = True) -> None:
        self.workdir = workdir
        self.smtp_port = free_port()
        self.env = {**os.environ, "SPE_VAR_DIR": str(workdir / "var"), "SPE_SPOOL_DIR": str(workdir / "spool"),
                    "SPE_SMTP_PORT": str(self.smtp_port), "SPE_SECRET_KEY": "test-secret-key",
                    "SPE_RETRY_BASE": "1", "SPE_RETRY_SCAN_EVERY": "1", "SPE_RECOVERY_AGE": "3",
                    "SPE_CLAMD_SOCKET": str(ROOT / "var" / "clamav" / "clamd.sock"), **env}
        self.concurrency = concurrency
        self.beat = beat
        self.procs: dict[str, subprocess.Popen] = {}
        workdir.mkdir(parents=True, exist_ok=True)

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs[name] = proc
        return proc

    def start_receiver(self) -> None:
        self._spawn("smtpd", [sys.executable, "manage.py", "smtpd"])
        wait_port(self.smtp_port)

    def start_worker(self) -> None:
        log = self.workdir / "worker.log"
        start = log.stat().st_size if log.exists() else 0
        self._spawn("worker", [sys.executable, "manage.py", "engine", "--processes", str(self.concurrency),
                               "--loglevel", "INFO", "--hostname", f"engine{self.smtp_port}-"])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if log.read_bytes()[start:].count(b" ready.") >= self.concurrency:
                return
            if self.procs["worker"].poll() is not None:
                raise RuntimeError(f"worker exited: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        raise TimeoutError("worker did not become ready")

    def start_beat(self) -> None:
        self._spawn("beat", [sys.executable, "-m", "celery", "-A", "spe", "beat", "--loglevel", "INFO",
                             "--schedule", str(self.workdir / "beat-schedule")])

    def start(self) -> MailPath:
        self.start_receiver()
        self.start_worker()
        if self.beat:
            self.start_beat()
        return self

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs.pop(name)
        os.killpg(proc.pid, sig)
        proc.wait(30)

    def worker_children(self) -> list[int]:
        return children(self.procs["worker"].pid)

    def stop(self) -> None:
        for name in list(self.procs):
            proc = self.procs.pop(name)
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(10)

    def spool_entries(self) -> list[Path]:
        """Entries not yet finished (``done/`` holds finished ones awaiting deletion)."""
        return sorted(p for p in (self.workdir / "spool").glob("*/*.msg") if p.parent.name != "done")

    def log(self, name: str) -> str:
        return (self.workdir / f"{name}.log").read_text(errors="replace")
