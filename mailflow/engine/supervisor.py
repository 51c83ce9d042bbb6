"""The engine's processes: N Celery workers with the solo pool, kept running (docs/mailflow.md).

Each engine process is a whole Celery worker (``--pool solo``) that takes
tasks from Redis and runs them itself. One prefork worker would instead
have a main process take every task from Redis, hand it to a child over a
pipe and read the child's result back; on the mail path that main process
cost about a fifth of what its children cost, and on a two-core machine the
solo processes relayed about a tenth more mail with a tenth less CPU
(docs/benchmarks.md).

What prefork gave besides, the supervisor does:

- an engine process that dies is started again (after 1 s, doubling up to
  30 s while it keeps dying young), and the new one sweeps the spool at
  start, so the message it was working on — and the few it had taken from
  Redis — are queued again; processing is idempotent, so a message queued
  twice is delivered once;
- SIGTERM or SIGINT stops every process warmly (each finishes the message
  in hand; the tasks it had taken from Redis go back to the queue), then
  kills what is left after ``stop_timeout``; a second signal kills at once.

Only the first start of process 0 sweeps the spool (``SPE_ENGINE_SWEEP_ON_START``),
not all N at once.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

RESTART_DELAY = 1.0
RESTART_DELAY_MAX = 30.0
YOUNG = 10.0  # an engine process that dies younger than this is restarted more slowly each time


@dataclass
class _Slot:
    index: int
    proc: subprocess.Popen | None = None
    started: float = 0.0
    due: float = 0.0  # when to start it (again)
    delay: float = RESTART_DELAY
    restarts: int = 0


@dataclass
class Supervisor:
    processes: int
    queues: str
    hostname: str = "engine"  # process i is Celery node ``<hostname><i>@<host>``
    loglevel: str = "INFO"
    prefetch: int = 1
    stop_timeout: float = 60.0
    poll_interval: float = 0.2
    slots: list[_Slot] = field(default_factory=list, init=False)
    _stopping: int = field(default=0, init=False)  # signals received

    def command(self, index: int) -> list[str]:
        # --concurrency 1: a solo worker runs one task at a time, and Celery multiplies the prefetch by it
        return [sys.executable, "-m", "celery", "-A", "spe", "worker", "--pool", "solo", "--concurrency", "1",
                "-Q", self.queues,
                "--hostname", f"{self.hostname}{index}@%h", "--loglevel", self.loglevel,
                "--prefetch-multiplier", str(self.prefetch), "--without-mingle", "--without-gossip"]

    def _start(self, slot: _Slot, *, sweep: bool) -> None:
        env = {**os.environ, "SPE_ENGINE_SWEEP_ON_START": "1" if sweep else "0"}
        slot.proc = subprocess.Popen(self.command(slot.index), env=env)
        slot.started = time.monotonic()
        log.info("engine process %d started (pid %d)", slot.index, slot.proc.pid)

    def _on_signal(self, signum, _frame) -> None:
        self._stopping += 1
        if self._stopping > 1:
            self._kill_all()

    def _running(self) -> list[_Slot]:
        return [s for s in self.slots if s.proc is not None and s.proc.poll() is None]

    def _kill_all(self) -> None:
        for slot in self._running():
            slot.proc.kill()

    def check(self, now: float) -> None:
        """Notice engine processes that died and start those due; one step of ``run``."""
        for slot in self.slots:
            if slot.proc is not None and slot.proc.poll() is not None:
                lived = now - slot.started
                slot.delay = min(slot.delay * 2, RESTART_DELAY_MAX) if lived < YOUNG else RESTART_DELAY
                slot.due = now + slot.delay
                log.error("engine process %d (pid %d) exited with status %s after %.0f s; starting it again in %.0f s",
                          slot.index, slot.proc.pid, slot.proc.returncode, lived, slot.delay)
                slot.proc = None
                slot.restarts += 1
            if slot.proc is None and now >= slot.due:
                self._start(slot, sweep=True)  # what it had in hand must be queued again

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)
        self.slots = [_Slot(i) for i in range(self.processes)]
        for slot in self.slots:
            self._start(slot, sweep=slot.index == 0)
        while not self._stopping:
            time.sleep(self.poll_interval)
            if not self._stopping:
                self.check(time.monotonic())
        return self.stop()

    def stop(self) -> int:
        """Warm shutdown of every engine process, then SIGKILL after ``stop_timeout``."""
        for slot in self._running():
            slot.proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        while self._running() and time.monotonic() < deadline:
            time.sleep(0.1)
        left = self._running()
        if left:
            log.error("engine processes %s did not stop in %.0f s; killing them",
                      [s.proc.pid for s in left], self.stop_timeout)
            self._kill_all()
        for slot in self.slots:
            if slot.proc is not None:
                slot.proc.wait()
        return 0
