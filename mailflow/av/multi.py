"""Run several antivirus engines on the same items at once and merge them.

Any finding from any engine counts.  An engine that raises, or that has not
answered when the shared ``timeout`` runs out, is recorded as failed; if an
engine failed and nothing was found, the report says ``unscanned`` so the
pipeline defers and retries (and finally quarantines as unscannable)
instead of delivering.  See docs/antivirus.md.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures

from mailflow.av.base import Finding, ScanItem, Scanner, ScannerUnavailable, ScanReport


class MultiScanner:
    """Fan one scan out to every engine on its own thread.

    Threads come from a pool kept per process (created lazily, and again
    after a fork, so prefork workers each get their own): starting fresh
    threads on every call cost milliseconds on a loaded machine.  The pool
    has spare threads so that one engine stuck past its timeout does not
    hold up the next message; if the pool is exhausted, engines simply
    miss the timeout and the message is reported unscanned, never clean.
    """

    def __init__(
        self, scanners: Sequence[Scanner], timeout: float = 60.0, *, spare_threads: int = 4
    ) -> None:
        names = [scanner.name for scanner in scanners]
        if not names:
            raise ValueError("MultiScanner needs at least one engine")
        if len(set(names)) != len(names):
            raise ValueError(f"engine names must be unique: {names}")
        self.scanners = tuple(scanners)
        self.timeout = timeout
        self._max_workers = len(self.scanners) + max(0, spare_threads)
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid = 0
        self._lock = threading.Lock()

    def scan(self, items: Sequence[ScanItem]) -> ScanReport:
        """Scan ``items`` with every engine and merge the answers.

        Engines that wait on another process (clamd) run on the pool's
        threads; engines marked ``in_process`` (YARA, the hash list: CPU
        work under the GIL, each with its own time bound) run here
        meanwhile, which saves a thread hand-off per engine per message.
        A single remote engine whose own ``timeout`` is within ours runs
        here too: a hand-off to a thread (and the GIL passing back and
        forth) costs more than the overlap would save.
        """
        started = time.monotonic()
        remote = [s for s in self.scanners if not getattr(s, "in_process", False)]
        if len(remote) == 1 and getattr(remote[0], "timeout", None) is not None and remote[0].timeout <= self.timeout:
            remote = []  # one engine bounded by its own timeout: nothing to overlap it with, so no thread either
        pool = self._get_pool() if remote else None
        futures: dict[str, Future] = {s.name: pool.submit(_timed_scan, s, _for(s, items)) for s in remote}
        for scanner in self.scanners:
            if scanner.name not in futures:
                futures[scanner.name] = _run_here(scanner, _for(scanner, items))
        wait_futures(futures.values(), timeout=max(0.0, self.timeout - (time.monotonic() - started)))
        for future in futures.values():
            future.cancel()  # still queued past the timeout: never start it
        return self._merge({s.name: futures[s.name] for s in self.scanners})

    def close(self) -> None:
        """Release the threads (a stuck engine's thread is not waited for)."""
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None

    def _get_pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None or self._pool_pid != os.getpid():
                self._pool = ThreadPoolExecutor(self._max_workers, thread_name_prefix="av")
                self._pool_pid = os.getpid()
            return self._pool

    def _merge(self, futures: dict[str, Future[tuple[list[Finding], float]]]) -> ScanReport:
        findings: list[Finding] = []
        engines_ok: list[str] = []
        failed: dict[str, str] = {}
        timings: dict[str, float] = {}
        for name, future in futures.items():
            if future.cancelled() or not future.done():
                failed[name] = f"no answer within {self.timeout:g}s"
                timings[name] = self.timeout * 1000.0
                continue
            try:
                found, elapsed_ms = future.result()
            except _EngineFailed as exc:
                failed[name] = str(exc.cause)
                timings[name] = exc.elapsed_ms
                findings.extend(getattr(exc.cause, "findings", ()))
                continue
            engines_ok.append(name)
            timings[name] = elapsed_ms
            findings.extend(found)
        return ScanReport(
            findings=tuple(findings),
            engines_ok=tuple(engines_ok),
            engines_failed=failed,
            timings=timings,
            unscanned=bool(failed) and not findings,
        )


class _EngineFailed(Exception):
    """Carries an engine's error together with how long it ran."""

    def __init__(self, cause: BaseException, elapsed_ms: float) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.elapsed_ms = elapsed_ms


def _timed_scan(scanner: Scanner, items: Sequence[ScanItem]) -> tuple[list[Finding], float]:
    started = time.perf_counter()
    try:
        found = scanner.scan(items)
    except ScannerUnavailable as exc:
        raise _EngineFailed(exc, (time.perf_counter() - started) * 1000.0) from exc
    except Exception as exc:  # any engine bug must mean "not scanned", never clean
        failure = ScannerUnavailable(f"{scanner.name} crashed: {exc!r}")
        raise _EngineFailed(failure, (time.perf_counter() - started) * 1000.0) from exc
    return list(found), (time.perf_counter() - started) * 1000.0


def _run_here(scanner: Scanner, items: Sequence[ScanItem]) -> Future:
    """Run an in-process engine in the calling thread; its outcome as a finished future."""
    future: Future = Future()
    try:
        future.set_result(_timed_scan(scanner, items))
    except _EngineFailed as exc:
        future.set_exception(exc)
    return future


def _for(scanner, items: Sequence[ScanItem]) -> Sequence[ScanItem]:
    """The items this engine needs: one that parses MIME itself skips text bodies it already saw in the raw."""
    if getattr(scanner, "parses_mime", False):
        return [i for i in items if not i.in_raw_text]
    return items
