"""The durable spool: the source of truth for every accepted message.

See docs/mailflow.md. An entry is one file, ``<id>.msg``: a JSON envelope on
the first line, then the raw message bytes. It is written to a temporary
name, fsynced, renamed into place and the directory fsynced, all before the
receiver answers 250. An entry leaves ``incoming/`` only when the message
reached a final state (it is then renamed into ``done/``, and a background
reaper empties the file and keeps it in ``free/``, where the next write
takes it instead of making a new file) or was deferred for a retry (moved
to ``deferred/`` with its per-recipient progress in the envelope).

Reusing files spares the filesystem an inode allocation and an inode
release per message; on ext4 without a journal, each allocation scans past
every inode released in the last minutes, which cost more CPU than
anything else the receiver did (docs/benchmarks.md).

Processing holds an exclusive ``flock`` on the entry, so a message that is
handed to two workers (a redelivered task and a recovery sweep) is processed
once; the lock dies with the process that held it.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from queue import SimpleQueue

INCOMING = "incoming"
DEFERRED = "deferred"
HOLD = "hold"  # messages that keep crashing the engine, parked for an administrator
DONE = "done"  # finished entries waiting for the reaper to empty them into free/ (or delete them)
FREE = "free"  # files of finished entries kept to be written again, so the spool does not churn inodes
FREE_MAX = 4096  # files kept in free/ at most (SPE_SPOOL_FREE_MAX; 0 turns reuse off)
_LIST_EVERY = 1.0  # seconds between listings of free/ that found it empty, and between counts of it

log = logging.getLogger(__name__)


class SpoolError(Exception):
    """The spool could not be written or read."""


class EntryBusy(Exception):
    """Another process holds this entry's lock."""


@dataclass
class Envelope:
    """What the receiver learned in the SMTP dialogue, plus delivery progress."""

    mail_from: str
    recipients: list[str]
    customer: str  # customer slug that owns this entry ("" for none)
    direction: str  # "inbound" | "outbound"
    client_ip: str = ""
    helo: str = ""
    tls: bool = False
    received_at: float = field(default_factory=time.time)
    size: int = 0
    attempts: int = 0
    next_attempt: float = 0.0
    delivered: list[str] = field(default_factory=list)
    last_reply: dict[str, str] = field(default_factory=dict)
    processed: bool = False  # checks and policy ran; what remains is delivery
    summary: dict = field(default_factory=dict)  # what the checks found, kept for later log records
    skip: dict = field(default_factory=dict)  # a released message skips the hold that stopped it

    def pending(self) -> list[str]:
        """Recipients not yet delivered."""
        done = set(self.delivered)
        return [r for r in self.recipients if r not in done]


@dataclass
class Claim:
    """A locked spool entry: its file (None once it left the spool) and how often processing started."""

    path: Path | None
    starts: int
    fd: int

    def reset_starts(self) -> None:
        """Processing reached a state (deferred, final): earlier crashes no longer count."""
        os.ftruncate(self.fd, 0)


def new_id() -> str:
    """A sortable, unique spool id: milliseconds since the epoch in hex plus randomness."""
    return f"{int(time.time() * 1000):011x}{secrets.token_hex(5)}"


def _jsonable(value: object) -> object:
    """What JSON cannot write as is, in an envelope's summary: a record as a dict, anything else as text."""
    return asdict(value) if is_dataclass(value) and not isinstance(value, type) else str(value)


def _free_max_setting() -> int:
    try:
        from django.conf import settings

        return int(getattr(settings, "SPE_SPOOL_FREE_MAX", FREE_MAX))
    except Exception:  # the spool used without Django settings
        return FREE_MAX


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    """A spool directory with ``incoming/`` and ``deferred/`` queues."""

    def __init__(self, root: Path, free_max: int | None = None) -> None:
        self.root = Path(root)
        names = (INCOMING, DEFERRED, HOLD, DONE, FREE, "tmp")
        for name in names:
            (self.root / name).mkdir(parents=True, exist_ok=True)
        # The worker looks entries up several times per message: plain strings, no Path objects, on that path.
        self._dir = {name: str(self.root / name) for name in names}
        self.free_max = _free_max_setting() if free_max is None else free_max
        self._free_lock = threading.Lock()
        self._free_names: list[str] = []
        self._free_listed = -_LIST_EVERY  # when free/ was last listed and found empty
        self._free_count = 0  # files in free/, as last counted plus what this process added since
        self._free_counted = -_LIST_EVERY

    def _entry(self, spool_id: str, queue: str) -> str:
        if not spool_id.isalnum():
            raise SpoolError(f"invalid spool id {spool_id!r}")
        return f"{self._dir[queue]}/{spool_id}.msg"

    def path(self, spool_id: str, queue: str = INCOMING) -> Path:
        return Path(self._entry(spool_id, queue))

    def find(self, spool_id: str) -> Path | None:
        """The entry's current file, in whichever queue it is, or None if gone."""
        for queue in (INCOMING, DEFERRED):
            candidate = self._entry(spool_id, queue)
            if os.path.exists(candidate):
                return Path(candidate)
        return None

    def write(self, spool_id: str, envelope: Envelope, data: bytes, queue: str = INCOMING) -> Path:
        """Durably write an entry: temp file, fsync, rename, fsync of the directory.

        The temp file is a finished entry's file taken from ``free/`` when
        there is one (written over and cut to length), else a new file.
        """
        target = self.path(spool_id, queue)
        envelope.size = len(data)
        tmp = f"{self._dir['tmp']}/{spool_id}.{os.getpid()}.tmp"
        try:
            reused = self._take_free(tmp)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o666)
            with open(fd, "wb") as fh:
                # vars(), not asdict(): json copies nothing, asdict deep-copies every list and dict first
                head = json.dumps(vars(envelope), separators=(",", ":"), default=_jsonable).encode() + b"\n"
                fh.write(head)
                fh.write(data)
                fh.flush()
                if reused:
                    os.ftruncate(fd, len(head) + len(data))
                os.fsync(fd)
            os.replace(tmp, target)
            _fsync_dir(target.parent)
        except OSError as exc:
            with suppress(OSError):
                os.unlink(tmp)
            raise SpoolError(f"cannot write spool entry {spool_id}: {exc}") from exc
        return target

    def _take_free(self, tmp: str) -> bool:
        """Move a file from ``free/`` to ``tmp``; False when there is none to take."""
        if not self.free_max:
            return False
        while True:
            with self._free_lock:
                if not self._free_names:
                    now = time.monotonic()
                    if now - self._free_listed < _LIST_EVERY:
                        return False
                    with os.scandir(self._dir[FREE]) as it:
                        self._free_names = [entry.name for entry in it]
                    if not self._free_names:
                        self._free_listed = now
                        return False
                name = self._free_names.pop()
            try:
                os.rename(f"{self._dir[FREE]}/{name}", tmp)
                return True
            except FileNotFoundError:  # another process took it
                continue

    def fill_free(self, target: int | None = None) -> int:
        """Create empty files in ``free/`` until it holds ``target`` (default: the maximum); returns how many.

        The receiver does this once as it starts, so the first burst of mail
        after a start writes into files that exist already.
        """
        target = self.free_max if target is None else min(target, self.free_max)
        with os.scandir(self._dir[FREE]) as it:
            have = sum(1 for _ in it)
        made = 0
        for _ in range(max(0, target - have)):
            fd = os.open(f"{self._dir[FREE]}/{secrets.token_hex(8)}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            os.close(fd)
            made += 1
        return made

    def _recycle(self, finished: str) -> bool:
        """Empty a finished entry's file and keep it in ``free/`` if there is room; False if not kept.

        Called by the reaper thread. Truncating first means nothing of the
        finished message stays readable, as after a deletion.
        """
        if not self.free_max:
            return False
        with self._free_lock:
            now = time.monotonic()
            if now - self._free_counted >= _LIST_EVERY:
                with os.scandir(self._dir[FREE]) as it:
                    self._free_count = sum(1 for _ in it)
                self._free_counted = now
            if self._free_count >= self.free_max:
                return False
            self._free_count += 1
        os.truncate(finished, 0)
        os.rename(finished, f"{self._dir[FREE]}/{secrets.token_hex(8)}")
        return True

    @staticmethod
    def read(path: Path) -> tuple[Envelope, bytes]:
        with open(path, "rb") as fh:
            head = fh.readline()
            data = fh.read()
        try:
            return Envelope(**json.loads(head)), data
        except (ValueError, TypeError) as exc:
            raise SpoolError(f"corrupt spool entry {path.name}: {exc}") from exc

    def update(self, spool_id: str, envelope: Envelope, data: bytes, queue: str) -> Path:
        """Rewrite an entry (new progress) atomically, then drop it from any other queue."""
        target = self.write(spool_id, envelope, data, queue)
        for other in (INCOMING, DEFERRED):
            if other != queue:
                self.path(spool_id, other).unlink(missing_ok=True)
        return target

    def remove(self, spool_id: str) -> None:
        """Final state reached: the entry leaves the spool.

        It is renamed into ``done/`` (a cheap, atomic metadata change), and
        this process's reaper thread empties it and keeps it in ``free/`` for
        a later write (or deletes it when ``free/`` is full). Freeing the
        blocks of a file that was fsynced can take milliseconds (more with
        online discard), and the worker should not wait for that between two
        messages. No directory fsync: a removal lost in a crash means a
        duplicate delivery at worst, never a lost message; ``done/`` is never read again, and
        ``sweep_done`` clears what a dead process's reaper left there.
        """
        for queue_name in (INCOMING, DEFERRED):
            finished = f"{self._dir[DONE]}/{spool_id}.{queue_name}.msg"
            try:
                os.rename(self._entry(spool_id, queue_name), finished)
            except FileNotFoundError:
                continue
            _reaper().put(finished, self._recycle)

    def sweep_done(self, older_than: float = 60.0) -> int:
        """Delete finished entries a reaper did not get to (its process died); returns how many."""
        cutoff = time.time() - older_than
        removed = 0
        with os.scandir(self.root / DONE) as it:
            for entry in it:
                try:
                    if entry.stat().st_mtime <= cutoff:
                        os.unlink(entry.path)
                        removed += 1
                except FileNotFoundError:
                    continue
        return removed

    @contextmanager
    def locked(self, spool_id: str) -> Iterator[Claim]:
        """Hold the entry's exclusive lock; the claim says where the entry is and how often it was started.

        The start count lives in the lock file (no fsync: it must survive a
        crashed process, not a crashed machine), so a message that kills
        the worker processing it is counted too.
        """
        lock_path = f"{self._dir['tmp']}/{spool_id}.lock"
        fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise EntryBusy(spool_id) from exc
            path = self.find(spool_id)
            starts = 0
            if path is not None:
                starts = int(os.pread(fd, 20, 0).strip() or b"0") + 1
                os.pwrite(fd, f"{starts:<20}".encode(), 0)
            yield Claim(path, starts, fd)
        finally:
            os.close(fd)
            if self.find(spool_id) is None:
                with suppress(FileNotFoundError):
                    os.unlink(lock_path)

    def entries(self, queue: str, older_than: float = 0.0) -> Iterator[tuple[str, float]]:
        """(spool id, mtime) of entries in a queue last written before ``older_than``."""
        cutoff = time.time() - older_than
        with os.scandir(self.root / queue) as it:
            for entry in it:
                if not entry.name.endswith(".msg"):
                    continue
                try:
                    mtime = entry.stat().st_mtime
                except FileNotFoundError:
                    continue
                if mtime <= cutoff:
                    yield entry.name[:-4], mtime

    def census(self, queue: str = INCOMING) -> tuple[int, float]:
        """How many entries a queue holds, and the seconds since the oldest was received (0 when empty).

        From the names alone: a spool id begins with the time it was made
        (``new_id``), so the smallest name is the oldest entry, and no entry
        is stat'ed. Every engine process's heartbeat calls this every few
        seconds, also when thousands of entries are waiting.
        """
        count, oldest = 0, None
        with os.scandir(self.root / queue) as it:
            for entry in it:
                name = entry.name
                if name.endswith(".msg"):
                    count += 1
                    if oldest is None or name < oldest:
                        oldest = name
        if oldest is None:
            return 0, 0.0
        try:
            made = int(oldest[:11], 16) / 1000
        except ValueError:  # not a spool id the receiver made: fall back to when it was written
            try:
                made = (self.root / queue / oldest).stat().st_mtime
            except FileNotFoundError:
                made = time.time()
        return count, max(0.0, time.time() - made)


class _Reaper:
    """A daemon thread deleting finished entries, one per process."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.paths: SimpleQueue[tuple[str | Path, Callable[[str], bool] | None]] = SimpleQueue()
        self.outstanding = 0
        self.idle = threading.Condition()
        threading.Thread(target=self._run, name="spool-reaper", daemon=True).start()

    def put(self, path: str | Path, recycle: Callable[[str], bool] | None = None) -> None:
        """Delete ``path``, or hand it to ``recycle`` first, which keeps it (True) or leaves it to be deleted."""
        with self.idle:
            self.outstanding += 1
        self.paths.put((path, recycle))

    def _run(self) -> None:
        while True:
            path, recycle = self.paths.get()
            try:
                if recycle is None or not recycle(str(path)):
                    os.unlink(path)
            except FileNotFoundError:
                pass
            except OSError:  # left for sweep_done; the message itself is finished
                log.exception("cannot delete finished spool entry %s", os.path.basename(path))
            with self.idle:
                self.outstanding -= 1
                if not self.outstanding:
                    self.idle.notify_all()

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every queued path is deleted (tests, shutdown); False on timeout."""
        with self.idle:
            return self.idle.wait_for(lambda: not self.outstanding, timeout)


_reaper_lock = threading.Lock()
_reaper_instance: _Reaper | None = None


def drain_reaper(timeout: float = 10.0) -> bool:
    """Wait for this process's reaper to delete what it was given."""
    return _reaper().drain(timeout)


def _reaper() -> _Reaper:
    """This process's reaper (a forked child starts its own)."""
    global _reaper_instance
    with _reaper_lock:
        if _reaper_instance is None or _reaper_instance.pid != os.getpid():
            _reaper_instance = _Reaper()
        return _reaper_instance
