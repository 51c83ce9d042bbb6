"""The engine's supervisor: N solo Celery workers, restarted when one dies, stopped warmly."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from mailflow.engine import supervisor as sup
from tests.mailflow.mailpath_support import MailPath, children

pytestmark = [pytest.mark.smtp, pytest.mark.slow]


class _Short(sup.Supervisor):
    """Engine processes that are a short Python program, so the restart rules show in seconds."""

    def __init__(self, code: str, **kw) -> None:
        super().__init__(processes=2, queues="q", **kw)
        self.code = code

    def command(self, index: int) -> list[str]:
        return [sys.executable, "-c", self.code]


def test_a_process_that_keeps_dying_young_is_restarted_ever_more_slowly():
    s = _Short("raise SystemExit(3)")
    s.slots = [sup._Slot(i) for i in range(2)]
    t = time.monotonic()
    s.check(t)  # both start
    first = [slot.proc.pid for slot in s.slots]
    for slot in s.slots:
        slot.proc.wait(10)
    s.check(t + 0.5)  # both died young: 2 s until the next start
    assert [slot.proc for slot in s.slots] == [None, None] and [slot.delay for slot in s.slots] == [2.0, 2.0]
    s.check(t + 1.0)
    assert [slot.proc for slot in s.slots] == [None, None]  # not yet due
    s.check(t + 2.6)
    assert all(slot.proc is not None and slot.proc.pid not in first for slot in s.slots)
    for slot in s.slots:
        slot.proc.wait(10)
    s.check(t + 3.0)
    assert [slot.delay for slot in s.slots] == [4.0, 4.0] and [slot.restarts for slot in s.slots] == [2, 2]


def test_a_restarted_process_sweeps_the_spool_and_the_first_start_only_once(tmp_path):
    out = tmp_path / "sweep"
    code = f"import os; open({str(out)!r} + str(os.getpid()), 'w').write(os.environ['SPE_ENGINE_SWEEP_ON_START'])"
    s = _Short(code)
    s.slots = [sup._Slot(i) for i in range(2)]
    for slot in s.slots:
        s._start(slot, sweep=slot.index == 0)
        slot.proc.wait(10)
    assert sorted(p.read_text() for p in tmp_path.iterdir()) == ["0", "1"]
    now = time.monotonic() + 60  # both exited after a long life: started again a second later, sweeping this time
    s.check(now)
    s.check(now + 1.5)
    for slot in s.slots:
        slot.proc.wait(10)
    assert sorted(p.read_text() for p in tmp_path.iterdir()) == ["0", "1", "1", "1"]


def test_stop_lets_processes_finish_then_kills_what_lingers():
    s = _Short("import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)", stop_timeout=1.0)
    s.slots = [sup._Slot(i) for i in range(2)]
    s.check(time.monotonic())
    time.sleep(0.5)  # the programs are ignoring SIGTERM by now
    started = time.monotonic()
    assert s.stop() == 0
    assert 0.9 < time.monotonic() - started < 10
    assert all(slot.proc.returncode == -signal.SIGKILL for slot in s.slots)


def test_the_engine_command_restarts_a_killed_process_and_stops_on_sigterm(mailpath_env, tmp_path):
    path = MailPath(tmp_path, mailpath_env, concurrency=2, beat=False)
    try:
        path.start_worker()
        supervisor = path.procs["worker"]
        before = children(supervisor.pid)
        assert len(before) == 2
        os.kill(before[0], signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = children(supervisor.pid)
            if len(now) == 2 and before[0] not in now:
                break
            time.sleep(0.1)
        after = children(supervisor.pid)
        assert len(after) == 2 and before[0] not in after and before[1] in after
        assert "exited with status" in path.log("worker")
        os.kill(supervisor.pid, signal.SIGTERM)  # the supervisor alone, as a process manager would
        assert supervisor.wait(60) == 0
        assert not any(os.path.exists(f"/proc/{pid}") for pid in after)
    finally:
        path.stop()
