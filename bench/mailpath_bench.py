"""End-to-end mail path benchmark: the platform against store-and-forward baselines, in one run.

    .venv/bin/python bench/mailpath_bench.py [--quick] [--only platform|postfix|simple]
        [--concurrency 20] [--workers auto|N] [--n-5k 2000] [--n-100k 500]
        [--rate 50] [--rate-seconds 20] [--json results.json]

A load generator (asyncio SMTP client in this process) sends N messages over
C concurrent SMTP sessions into a system under test, which relays them to a
sink on loopback (a separate process that records when each message arrived).
Systems under test, all relaying to the same sink:

- platform: the real receiver (``manage.py smtpd``), the engine (``manage.py engine``) and
  Celery beat as subprocesses, with their own database (``spe_bench``),
  Redis database 3, spool and var directory; default policy, no network lookups;
- postfix: a private Postfix instance from the distribution (own config and
  queue directories, relayhost = the sink);
- simple: the simplest durable Python relay (``bench/baselines/simple_relay.py``).

For each of 5 KB and 100 KB messages and each system it prints messages/s and
latency percentiles at full speed, then p50/p95/p99 latency at a steady rate
(platform and postfix), and the ratios platform/postfix and platform/simple.
Every run checks that every accepted message reached the sink exactly once;
a run that lost or duplicated mail is reported loudly and the exit status is 1.
See docs/benchmarks.md for what is measured and how latency is defined.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform as platform_mod
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DOMAIN = "bench.test"
SENDER = "sender@example.net"
BENCH_DB = "spe_bench"
BENCH_REDIS_DB = 3
IO_TIMEOUT = 60.0  # any single SMTP read or write in the generator

# ---------------------------------------------------------------------------
# Small helpers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0, proc: subprocess.Popen | None = None, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what or 'process'} exited with status {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s ({what})")


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def speed_probe() -> float:
    """Microseconds for a fixed piece of Python (a JSON round trip and a sort), best of five.

    A shared virtual machine's speed moves from minute to minute, sometimes
    twofold; this says how fast the machine was around a run, so figures of
    different runs can be read side by side. Lower is faster.
    """
    data = {"a": list(range(50)), "b": "x" * 100}
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(2000):
            json.loads(json.dumps(data))
            sorted(str(i) for i in range(200))
        best = min(best, (time.perf_counter() - started) / 2000)
    return round(best * 1e6, 1)


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile (no interpolation)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, int(-(-pct * len(ordered) // 100)))  # ceil
    return ordered[min(rank, len(ordered)) - 1]


def say(text: str) -> None:
    print(text, flush=True)


# --- CPU accounting: seconds of CPU used by process trees during a run ------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _proc_table() -> dict[int, tuple[int, float]]:
    """pid -> (ppid, cpu seconds) for every process we can read."""
    table = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                raw = fh.read()
        except OSError:
            continue
        rest = raw[raw.rfind(b")") + 2:].split()
        # fields after the command: state ppid ... utime(11) stime(12) cutime(13) cstime(14); cutime and cstime
        # hold the children this process has reaped, so short-lived workers (Postfix's) still count
        table[int(entry.name)] = (int(rest[1]), sum(int(x) for x in rest[11:15]) / CLK_TCK)
    return table


def tree_cpu(roots: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds (user+system) so far of each named group of process trees (live processes only)."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _cpu) in table.items():
        children.setdefault(ppid, []).append(pid)
    out = {}
    for name, pids in roots.items():
        total, stack, seen = 0.0, list(pids), set()
        while stack:
            pid = stack.pop()
            if pid in seen or pid not in table:
                continue
            seen.add(pid)
            total += table[pid][1]
            stack.extend(children.get(pid, []))
        out[name] = total
    return out


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _pid_from_file(path: Path) -> int | None:
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def shared_service_pids() -> dict[str, list[int]]:
    """The project's private PostgreSQL, Redis and clamd (shared with anything else using them)."""
    var = Path(os.environ.get("SPE_VAR_DIR", ROOT / "var"))
    pids = {}
    pg = _pid_from_file(var / "postgres" / "postmaster.pid")
    if pg:
        pids["postgres (shared)"] = [pg]
    rd = _pid_from_file(var / "redis" / "redis.pid")
    if rd:
        pids["redis (shared)"] = [rd]
    clamd = _pid_from_file(var / "clamav" / "clamd.pid")
    if clamd:
        pids["clamd (shared)"] = [clamd]
    return pids


# ---------------------------------------------------------------------------
# The sink: a minimal SMTP server (asyncio streams) in its own process.
# It answers 250 to everything, and for each message appends
# "<X-Bench-Id> <CLOCK_MONOTONIC seconds>" to its output file.


async def _sink_session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, out: list[bytes]) -> None:
    writer.write(b"220 sink.bench.test ESMTP\r\n")
    try:
        while True:
            line = await reader.readline()
            if not line:
                break
            verb = line[:4].upper()
            if verb == b"EHLO":
                writer.write(b"250-sink.bench.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
                             b"250-ENHANCEDSTATUSCODES\r\n250 SIZE 209715200\r\n")
            elif verb == b"DATA":
                writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                await writer.drain()
                data = await reader.readuntil(b"\r\n.\r\n")
                arrived = time.monotonic()
                end = data.find(b"\r\n\r\n")
                head = data[: end if end >= 0 else len(data)]
                start = head.find(b"\r\nX-Bench-Id: ")
                if start >= 0:
                    start += 14
                    bench_id = head[start: head.find(b"\r\n", start)].strip()
                else:
                    bench_id = b"?"
                out.append(b"%s %.6f\n" % (bench_id, arrived))
                writer.write(b"250 2.0.0 Ok: queued\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 2.0.0 Bye\r\n")
                await writer.drain()
                break
            elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                writer.write(b"250 2.0.0 Ok\r\n")
            else:
                writer.write(b"502 5.5.2 Command not recognised\r\n")
            if not reader._buffer:  # nothing pipelined behind this command: send the replies now
                await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def _sink_main(port: int, out_path: Path) -> None:
    out: list[bytes] = []
    parent = os.getppid()
    server = await asyncio.start_server(lambda r, w: _sink_session(r, w, out), "127.0.0.1", port,
                                        limit=256 * 1024 * 1024, reuse_address=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    with open(out_path, "ab", buffering=0) as fh:
        print(f"sink listening on 127.0.0.1:{port}", flush=True)
        ticks = 0
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.05)
            if out:
                batch, out[:] = b"".join(out), []
                fh.write(batch)
            ticks += 1
            if ticks % 20 == 0 and os.getppid() != parent:
                break  # the benchmark went away: stop by ourselves
        if out:
            fh.write(b"".join(out))
    server.close()


class Sink:
    """The sink process and what it has recorded so far."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.path = workdir / "sink.log"
        self.path.touch()
        self._offset = 0
        self._partial = b""
        self.arrivals: dict[str, list[float]] = {}
        self.unknown = 0
        self.proc = subprocess.Popen([PYTHON, __file__, "_sink", "--port", str(self.port), "--out", str(self.path)],
                                     stdout=subprocess.DEVNULL, start_new_session=True)
        wait_port(self.port, proc=self.proc, what="sink")

    def poll(self) -> None:
        with open(self.path, "rb") as fh:
            fh.seek(self._offset)
            chunk = fh.read()
        self._offset += len(chunk)
        chunk = self._partial + chunk
        lines = chunk.split(b"\n")
        self._partial = lines.pop()
        for line in lines:
            bench_id, _, stamp = line.partition(b" ")
            if bench_id == b"?":
                self.unknown += 1
            else:
                self.arrivals.setdefault(bench_id.decode(), []).append(float(stamp))

    def count(self, prefix: str) -> int:
        return sum(1 for k in self.arrivals if k.startswith(prefix))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


# ---------------------------------------------------------------------------
# The load generator: C sessions on persistent connections, asyncio streams.

_TEXT = ("the quarterly figures are attached below please review them before our meeting on thursday and "
         "send any corrections to the finance team so that we can close the books on time regards")
_WORDS = _TEXT.split()


def make_body(size: int) -> bytes:
    """Plain text of about ``size`` bytes, 70-odd character CRLF lines."""
    rng = random.Random(size)
    lines, total = [], 0
    while total < size:
        words, length = [], 0
        while length < 68:
            word = rng.choice(_WORDS)
            words.append(word)
            length += len(word) + 1
        line = (" ".join(words) + "\r\n").encode()
        lines.append(line)
        total += len(line)
    return b"".join(lines)[:size].rsplit(b"\r\n", 1)[0] + b"\r\n"


@dataclass
class Sent:
    bench_id: str
    t_start: float  # client started the transaction (wrote MAIL FROM)
    t_accept: float | None = None  # client read the reply to the final "."
    code: int = 0
    reply: str = ""
    scheduled: float | None = None  # steady-rate runs: when it was due


@dataclass
class LoadResult:
    tag: str
    n: int
    size: int
    concurrency: int
    rate: float | None
    t_begin: float = 0.0
    t_end: float = 0.0
    sent: list[Sent] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> list[Sent]:
        return [s for s in self.sent if 200 <= s.code < 300]


class SMTPError(Exception):
    pass


async def _reply(reader: asyncio.StreamReader) -> tuple[int, str]:
    lines = []
    while True:
        line = await asyncio.wait_for(reader.readline(), IO_TIMEOUT)
        if not line:
            raise SMTPError("connection closed by the server")
        lines.append(line.decode("utf-8", "replace").rstrip("\r\n"))
        if len(line) < 4 or line[3:4] != b"-":
            break
    try:
        code = int(lines[-1][:3])
    except ValueError as exc:
        raise SMTPError(f"bad reply {lines[-1]!r}") from exc
    return code, "\n".join(lines)


class Generator:
    def __init__(self, port: int, size: int) -> None:
        self.port = port
        self.size = size
        self.body = make_body(max(512, size - 420))  # headers make up the rest

    def message(self, bench_id: str, rcpt: str, now: float) -> bytes:
        head = (f"From: Bench Sender <{SENDER}>\r\nTo: <{rcpt}>\r\nSubject: Benchmark message {bench_id}\r\n"
                f"Date: {formatdate(localtime=False)}\r\nMessage-ID: <{bench_id}@bench.example.net>\r\n"
                f"X-Bench-Id: {bench_id}\r\nX-Bench-Sent: {now:.6f}\r\nMIME-Version: 1.0\r\n"
                "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n")
        return head.encode() + self.body  # the body never has a line starting with "."

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bool]:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", self.port), IO_TIMEOUT)
        code, text = await _reply(reader)
        if code != 220:
            raise SMTPError(f"greeting {text!r}")
        writer.write(b"EHLO client.bench.example.net\r\n")
        code, text = await _reply(reader)
        if code != 250:
            raise SMTPError(f"EHLO refused: {text!r}")
        return reader, writer, "PIPELINING" in text.upper()

    async def _transaction(self, reader, writer, pipelining: bool, sent: Sent, rcpt: str) -> None:
        sent.t_start = time.monotonic()
        mail, rcpt_cmd = f"MAIL FROM:<{SENDER}>\r\n".encode(), f"RCPT TO:<{rcpt}>\r\n".encode()
        if pipelining:
            writer.write(mail + rcpt_cmd + b"DATA\r\n")
            replies = [await _reply(reader) for _ in range(3)]
        else:
            replies = []
            for cmd in (mail, rcpt_cmd, b"DATA\r\n"):
                writer.write(cmd)
                replies.append(await _reply(reader))
                if replies[-1][0] >= 400:
                    break
        last_code = replies[-1][0]
        if last_code != 354:
            bad = next((r for r in replies if r[0] >= 400), replies[-1])
            sent.code, sent.reply = bad
            writer.write(b"RSET\r\n")
            await _reply(reader)
            return
        writer.write(self.message(sent.bench_id, rcpt, time.time()) + b".\r\n")
        await asyncio.wait_for(writer.drain(), IO_TIMEOUT)
        sent.code, sent.reply = await _reply(reader)
        sent.t_accept = time.monotonic()
        if any(code >= 400 for code, _ in replies[:-1]):
            sent.code, sent.reply = next(r for r in replies if r[0] >= 400)

    async def run(self, tag: str, n: int, concurrency: int, rate: float | None = None) -> LoadResult:
        result = LoadResult(tag=tag, n=n, size=self.size, concurrency=concurrency, rate=rate)
        queue: asyncio.Queue = asyncio.Queue()
        result.t_begin = time.monotonic()
        if rate is None:
            for i in range(n):
                queue.put_nowait((i, None))
            for _ in range(concurrency):
                queue.put_nowait(None)
            feeder = None
        else:
            async def feed() -> None:
                for i in range(n):
                    due = result.t_begin + i / rate
                    delay = due - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    queue.put_nowait((i, due))
                for _ in range(concurrency):
                    queue.put_nowait(None)
            feeder = asyncio.create_task(feed())
        await asyncio.gather(*(self._session(k, tag, queue, result) for k in range(concurrency)))
        if feeder is not None:
            await feeder
        result.t_end = time.monotonic()
        return result

    async def _session(self, k: int, tag: str, queue: asyncio.Queue, result: LoadResult) -> None:
        reader = writer = None
        pipelining = False
        failures_in_a_row = 0
        while True:
            item = await queue.get()
            if item is None:
                break
            i, due = item
            sent = Sent(bench_id=f"{tag}-{i:06d}", t_start=0.0, scheduled=due)
            result.sent.append(sent)
            rcpt = f"user{i % 100}@{DOMAIN}"
            try:
                if writer is None:
                    reader, writer, pipelining = await self._connect()
                await self._transaction(reader, writer, pipelining, sent, rcpt)
                failures_in_a_row = 0
            except (OSError, SMTPError, TimeoutError, asyncio.IncompleteReadError) as exc:
                sent.code, sent.reply = 0, f"session {k}: {type(exc).__name__}: {exc}"
                result.errors.append(sent.reply)
                if writer is not None:
                    writer.close()
                reader = writer = None
                failures_in_a_row += 1
                if failures_in_a_row >= 5:  # this session gives up; the rest is reported as not sent
                    result.errors.append(f"session {k}: giving up after 5 failures in a row")
                    break
        if writer is not None:
            with contextlib.suppress(OSError, SMTPError, TimeoutError):
                writer.write(b"QUIT\r\n")
                await _reply(reader)
            writer.close()


# ---------------------------------------------------------------------------
# Systems under test


class System:
    name = "system"
    smtp_port: int

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def cpu_roots(self) -> dict[str, list[int]]:
        return {}

    def label(self) -> str:
        return self.name


def _spawn(args: list[str], log: Path, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.Popen:
    fh = open(log, "ab")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen(args, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)


def _stop_group(proc: subprocess.Popen, timeout: float = 20.0) -> None:
    """SIGTERM the process group we started, then SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


class Platform(System):
    """The receiver, the engine (``manage.py engine``, K solo Celery workers) and beat."""

    name = "platform"

    def __init__(self, workdir: Path, sink_port: int, workers: int) -> None:
        self.workdir = workdir / "platform"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.sink_port = sink_port
        self.workers = workers
        self.smtp_port = free_port()
        pg_port = os.environ.get("SPE_PG_PORT", "55432")
        redis_port = os.environ.get("SPE_REDIS_PORT", "56379")
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "spe.settings",
            "SPE_DATABASE_URL": f"postgres://spe@127.0.0.1:{pg_port}/{BENCH_DB}",
            "SPE_REDIS_URL": f"redis://127.0.0.1:{redis_port}/{BENCH_REDIS_DB}",
            "SPE_VAR_DIR": str(self.workdir / "var"),
            "SPE_SPOOL_DIR": str(self.workdir / "spool"),
            "SPE_SMTP_PORT": str(self.smtp_port),
            "SPE_SECRET_KEY": "benchmark-secret-key",
            "SPE_HOSTNAME": "gateway.bench.test",
            # no network lookups: the resolver asks an empty DNS server on loopback (started below)
            "SPE_DNS_NAMESERVERS": "127.0.0.1",
            "SPE_DNS_PORT": str(free_port()),
            "SPE_DNS_TIMEOUT": "1",
            "SPE_CLAMD_SOCKET": os.environ.get("SPE_CLAMD_SOCKET", str(ROOT / "var" / "clamav" / "clamd.sock")),
        }
        self.pg_port = pg_port
        self.procs: dict[str, subprocess.Popen] = {}

    def label(self) -> str:
        return f"platform (w={self.workers})"

    def _manage(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
        return done.stdout

    def prepare(self) -> None:
        """A fresh database with the bench customer routed to the sink; an empty Redis database.

        The database is re-created every run, so the schema always matches the code being measured.
        """
        ping = subprocess.run(["psql", "-h", "127.0.0.1", "-p", self.pg_port, "-U", "spe", "-d", "postgres",
                               "-Atc", "select 1"], capture_output=True, text=True, timeout=30)
        if ping.returncode != 0:
            raise RuntimeError(f"PostgreSQL not reachable on port {self.pg_port}: {ping.stderr.strip()} "
                               "(start it with scripts/services.sh start postgres redis)")
        pg = ["-h", "127.0.0.1", "-p", self.pg_port, "-U", "spe"]
        subprocess.run(["dropdb", *pg, "--if-exists", "--force", BENCH_DB], check=True, timeout=60)
        subprocess.run(["createdb", *pg, BENCH_DB], check=True, timeout=60)
        self._manage("migrate_schemas", "--shared", "--noinput")
        import redis

        redis.Redis.from_url(self.env["SPE_REDIS_URL"]).flushdb()
        code = f"""
from tenants.models import Customer, MailDomain, Plan
plan = Plan.objects.order_by("pk").first() or Plan.objects.create(slug="standard", name="Standard filtering")
if not MailDomain.objects.filter(domain="{DOMAIN}").exists():
    from django.core.management import call_command
    call_command("provision_customer", name="Bench", slug="bench", domain="{DOMAIN}",
                 deliver_to="127.0.0.1:{self.sink_port}", plan=plan.slug)
# the sink's port changes from run to run; tls_policy none as the sink offers no STARTTLS anyway
MailDomain.objects.filter(domain="{DOMAIN}").update(delivery_host="127.0.0.1", delivery_port={self.sink_port})
Customer.objects.filter(slug="bench").update(status="active")
from tenants import cache
cache.publish_change()
print("route", MailDomain.objects.get(domain="{DOMAIN}").delivery_port)
"""
        out = self._manage("shell", "-c", code)
        if f"route {self.sink_port}" not in out:
            raise RuntimeError(f"bench customer not routed to the sink: {out!r}")

    def start(self) -> None:
        self.procs["dns"] = _spawn([PYTHON, "-m", "spe_testing.dnsserver", "--port", self.env["SPE_DNS_PORT"],
                                    "--zone", str(ROOT / "bench" / "sender.records")],
                                   self.workdir / "dns.log", self.env)
        log = self.workdir / "smtpd.log"
        self.procs["smtpd"] = _spawn([PYTHON, "manage.py", "smtpd"], log, self.env)
        wait_port(self.smtp_port, 60, self.procs["smtpd"], "receiver")
        self.start_worker()
        self.procs["beat"] = _spawn([PYTHON, "-m", "celery", "-A", "spe", "beat", "--loglevel", "INFO",
                                     "--schedule", str(self.workdir / "beat-schedule")],
                                    self.workdir / "beat.log", self.env)

    def start_worker(self) -> None:
        log = self.workdir / "worker.log"
        start = log.stat().st_size if log.exists() else 0
        self.procs["worker"] = _spawn(
            [PYTHON, "manage.py", "engine", "--processes", str(self.workers), "--queues", "default,array.default",
             "--loglevel", "INFO", "--hostname", f"bench-engine{self.smtp_port}-"], log, self.env)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if log.read_bytes()[start:].count(b" ready.") >= self.workers:
                return
            if self.procs["worker"].poll() is not None:
                raise RuntimeError(f"worker exited: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)
        raise TimeoutError("worker did not become ready in 90 s")

    def restart_worker(self, workers: int) -> None:
        _stop_group(self.procs.pop("worker"))
        self.workers = workers
        self.start_worker()

    def stop(self) -> None:
        for name in ("smtpd", "worker", "beat", "dns"):
            proc = self.procs.pop(name, None)
            if proc is not None:
                _stop_group(proc)

    def cpu_roots(self) -> dict[str, list[int]]:
        return {name: [proc.pid] for name, proc in self.procs.items() if name != "dns"}

    def spool_count(self) -> int:
        return sum(1 for _ in (self.workdir / "spool").glob("*/*.msg"))


POSTFIX_SERVICES = """\
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class Postfix(System):
    """A private Postfix instance: own config, queue and data directories; relayhost = the sink."""

    name = "postfix"
    binary = "/usr/sbin/postfix"

    def __init__(self, workdir: Path, sink_port: int) -> None:
        self.dir = workdir / "postfix"
        self.smtp_port = free_port()
        self.sink_port = sink_port
        self.master_pid: int | None = None

    @classmethod
    def unavailable(cls) -> str | None:
        if not os.path.exists(cls.binary):
            return f"{cls.binary} not found (apt-get install postfix)"
        if os.geteuid() != 0:
            return "a private Postfix instance must be started as root (its master process drops privileges)"
        try:
            import pwd

            pwd.getpwnam("postfix")
        except KeyError:
            return "no 'postfix' user on this machine"
        return None

    def _postfix(self, *args: str) -> None:
        done = subprocess.run([self.binary, "-c", str(self.dir / "etc"), *args], capture_output=True, text=True,
                              timeout=120)
        if done.returncode != 0:
            tail = ""
            with contextlib.suppress(OSError):
                tail = (self.dir / "maillog").read_text(errors="replace")[-2000:]
            raise RuntimeError(f"postfix {' '.join(args)} failed: {done.stdout}{done.stderr}\n{tail}")

    def start(self) -> None:
        import pwd

        etc, queue, data = self.dir / "etc", self.dir / "queue", self.dir / "data"
        for d in (etc, queue, data):
            d.mkdir(parents=True, exist_ok=True)
        self.dir.chmod(0o755)  # the postfix user must be able to reach its queue
        user = pwd.getpwnam("postfix")
        os.chown(data, user.pw_uid, user.pw_gid)
        (etc / "main.cf").write_text(f"""\
compatibility_level = 3.6
queue_directory = {queue}
data_directory = {data}
mail_owner = postfix
setgid_group = postdrop
myhostname = relay.bench.test
mydomain = bench.test
myorigin = $myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relay_domains = {DOMAIN}
relayhost = [127.0.0.1]:{self.sink_port}
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtp_dns_support_level = disabled
smtp_host_lookup = native
smtp_connection_cache_on_demand = yes
alias_maps =
alias_database =
local_recipient_maps =
smtpd_tls_security_level = none
smtp_tls_security_level = none
maillog_file = {self.dir / "maillog"}
biff = no
""")
        (etc / "master.cf").write_text(
            f"127.0.0.1:{self.smtp_port} inet n - n - - smtpd\n" + POSTFIX_SERVICES)
        self._postfix("check")
        self._postfix("start")
        wait_port(self.smtp_port, 30, what="postfix smtpd")
        self.master_pid = _pid_from_file(data / "master.pid") or _pid_from_file(queue / "pid" / "master.pid")

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self._postfix("stop")
        if self.master_pid:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                try:
                    os.kill(self.master_pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.2)
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.master_pid, signal.SIGKILL)

    def cpu_roots(self) -> dict[str, list[int]]:
        return {"postfix": [self.master_pid]} if self.master_pid else {}


class SimpleRelay(System):
    """bench/baselines/simple_relay.py: an fsync-ing aiosmtpd receiver and a one-connection sender."""

    name = "simple"
    script = ROOT / "bench" / "baselines" / "simple_relay.py"

    def __init__(self, workdir: Path, sink_port: int) -> None:
        self.dir = workdir / "simple"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.smtp_port = free_port()
        self.sink_port = sink_port
        self.procs: dict[str, subprocess.Popen] = {}

    def label(self) -> str:
        return "simple relay"

    def start(self) -> None:
        spool = self.dir / "spool"
        self.procs["receive"] = _spawn([PYTHON, str(self.script), "receive", "--port", str(self.smtp_port),
                                        "--spool", str(spool)], self.dir / "receive.log")
        wait_port(self.smtp_port, 30, self.procs["receive"], "simple relay receiver")
        self.procs["relay"] = _spawn([PYTHON, str(self.script), "relay", "--spool", str(spool),
                                      "--to", f"127.0.0.1:{self.sink_port}"], self.dir / "relay.log")

    def stop(self) -> None:
        for proc in self.procs.values():
            _stop_group(proc)
        self.procs.clear()

    def cpu_roots(self) -> dict[str, list[int]]:
        return {f"simple {name}": [proc.pid] for name, proc in self.procs.items()}


# ---------------------------------------------------------------------------
# Running one measurement


@dataclass
class RunReport:
    system: str
    label: str
    kind: str  # "full" or "rate"
    size: int
    n: int
    concurrency: int
    rate: float | None
    sent: int = 0
    accepted: int = 0
    refused: int = 0
    delivered: int = 0
    missing: int = 0
    duplicates: int = 0
    unexpected: int = 0
    seconds: float = 0.0
    msgs_per_s: float = 0.0
    accept_per_s: float = 0.0
    latency_ms: dict = field(default_factory=dict)
    after_accept_ms: dict = field(default_factory=dict)
    schedule_lag_ms: float | None = None
    cpu_s: dict = field(default_factory=dict)
    load_before: list = field(default_factory=list)
    load_after: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    workers: int | None = None

    @property
    def ok(self) -> bool:
        return self.missing == 0 and self.duplicates == 0 and self.refused == 0 and self.sent == self.n


def _stats_ms(values: list[float]) -> dict:
    ms = [v * 1000 for v in values]
    return {k: (round(v, 1) if v is not None else None) for k, v in
            (("p50", percentile(ms, 50)), ("p95", percentile(ms, 95)), ("p99", percentile(ms, 99)),
             ("max", max(ms) if ms else None))}


_run_counter = [0]


def measure(system: System, sink: Sink, *, size: int, n: int, concurrency: int, rate: float | None = None,
            kind: str = "full", drain_timeout: float | None = None, quiet: bool = False) -> RunReport:
    """Send n messages through ``system`` and wait until the sink has all the accepted ones."""
    _run_counter[0] += 1
    tag = f"r{os.getpid()}x{_run_counter[0]}{kind[0]}"
    roots = {**system.cpu_roots(), "sink": [sink.proc.pid], **shared_service_pids()}
    report = RunReport(system=system.name, label=system.label(), kind=kind, size=size, n=n,
                       concurrency=concurrency, rate=rate, load_before=loadavg(),
                       workers=getattr(system, "workers", None))
    cpu0, gen0 = tree_cpu(roots), self_cpu()
    result = asyncio.run(Generator(system.smtp_port, size).run(tag, n, concurrency, rate))
    accepted = result.accepted
    expect = {s.bench_id for s in accepted}
    # wait for every accepted message at the sink (bounded), then a moment more to catch duplicates
    limit = drain_timeout if drain_timeout is not None else max(60.0, n / 10)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        sink.poll()
        if sum(1 for i in expect if i in sink.arrivals) >= len(expect):
            break
        time.sleep(0.05)
    t_done = time.monotonic()
    cpu1, gen1 = tree_cpu(roots), self_cpu()
    time.sleep(1.0)
    sink.poll()
    arrivals = {k: v for k, v in sink.arrivals.items() if k.startswith(tag + "-")}
    report.sent = sum(1 for s in result.sent if s.code)
    report.accepted = len(accepted)
    report.refused = sum(1 for s in result.sent if not (200 <= s.code < 300))
    report.delivered = sum(1 for i in expect if i in arrivals)
    report.missing = len(expect) - report.delivered
    report.duplicates = sum(len(v) - 1 for v in arrivals.values() if len(v) > 1)
    report.unexpected = sum(1 for k in arrivals if k not in expect)
    report.errors = result.errors[:20] + [f"{s.bench_id}: {s.code} {s.reply}" for s in result.sent
                                          if s.code and not 200 <= s.code < 300][:20]
    last_arrival = max((min(arrivals[i]) for i in expect if i in arrivals), default=t_done)
    report.seconds = round(last_arrival - result.t_begin, 3)
    report.msgs_per_s = round(report.delivered / report.seconds, 1) if report.seconds > 0 else 0.0
    last_accept = max((s.t_accept for s in accepted if s.t_accept), default=result.t_end)
    report.accept_per_s = round(len(accepted) / max(1e-6, last_accept - result.t_begin), 1)
    lat = [min(arrivals[s.bench_id]) - s.t_start for s in accepted if s.bench_id in arrivals]
    after = [min(arrivals[s.bench_id]) - s.t_accept for s in accepted if s.bench_id in arrivals and s.t_accept]
    report.latency_ms = _stats_ms(lat)
    report.after_accept_ms = _stats_ms(after)
    if rate:
        lags = [s.t_start - s.scheduled for s in result.sent if s.scheduled is not None and s.t_start]
        report.schedule_lag_ms = round(max(lags) * 1000, 1) if lags else None
    report.cpu_s = {k: round(cpu1.get(k, 0) - cpu0.get(k, 0), 2) for k in cpu0}
    report.cpu_s["generator"] = round(gen1 - gen0, 2)
    report.load_after = loadavg()
    if not quiet:
        say("  " + describe(report))
        if not report.ok:
            loud(report)
    return report


def describe(r: RunReport) -> str:
    lat = r.latency_ms
    base = (f"{r.label:<18} {r.size // 1024:>4} KB  n={r.n:<5} c={r.concurrency:<3} "
            f"{'rate=' + str(r.rate) + '/s ' if r.rate else ''}"
            f"delivered {r.delivered}/{r.accepted}  {r.msgs_per_s:7.1f} msg/s  (accept {r.accept_per_s:.1f}/s)  "
            f"p50/p95/p99 {lat.get('p50')}/{lat.get('p95')}/{lat.get('p99')} ms")
    return base


def loud(r: RunReport) -> None:
    bar = "!" * 78
    say(bar)
    say(f"!! {r.label} {r.size // 1024} KB {r.kind}: MAIL NOT DELIVERED AS SENT")
    say(f"!!   requested {r.n}, sent {r.sent}, accepted {r.accepted}, refused {r.refused}, "
        f"delivered {r.delivered}, MISSING {r.missing}, DUPLICATES {r.duplicates}, unexpected {r.unexpected}")
    for err in r.errors[:10]:
        say(f"!!   {err[:200]}")
    say(bar)


def warm_up(system: System, sink: Sink) -> None:
    r = measure(system, sink, size=5 * 1024, n=30, concurrency=5, kind="warmup", drain_timeout=90, quiet=True)
    if not r.ok:
        loud(r)
        raise RuntimeError(f"{system.label()} did not deliver its warm-up messages")


# ---------------------------------------------------------------------------
# The whole benchmark


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small N and a short steady-rate run (smoke test)")
    parser.add_argument("--only", choices=["platform", "postfix", "simple"], action="append",
                        help="measure only this system (repeatable)")
    parser.add_argument("--concurrency", "-c", type=int, default=20, help="concurrent SMTP sessions (20)")
    parser.add_argument("--workers", default="auto",
                        help="engine worker processes: a number, a comma list, or auto = try 2 and 4 (auto)")
    parser.add_argument("--n-5k", type=int, default=None, help="messages of 5 KB per full-speed run (2000)")
    parser.add_argument("--n-100k", type=int, default=None, help="messages of 100 KB per full-speed run (500)")
    parser.add_argument("--rate", type=float, default=50.0, help="steady rate in messages/s (50)")
    parser.add_argument("--rate-seconds", type=float, default=None, help="length of the steady-rate run (20)")
    parser.add_argument("--rate-concurrency", type=int, default=None,
                        help="sessions for the steady-rate run (default: --concurrency)")
    parser.add_argument("--no-rate", action="store_true", help="skip the steady-rate runs")
    parser.add_argument("--pairs", type=int, default=None,
                        help="alternating 5 KB runs of the platform and Postfix afterwards, for a median ratio "
                             "less exposed to the machine's drift (3; 1 with --quick; 0 to skip)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs, spool) afterwards")
    args = parser.parse_args(argv)
    args.n_5k = args.n_5k or (300 if args.quick else 2000)
    args.n_100k = args.n_100k or (100 if args.quick else 500)
    args.rate_seconds = args.rate_seconds or (5.0 if args.quick else 20.0)
    args.rate_concurrency = args.rate_concurrency or args.concurrency
    if args.pairs is None:
        args.pairs = 1 if args.quick else 3
    if args.workers == "auto":
        args.worker_choices = [2, 4]
    else:
        args.worker_choices = [int(w) for w in args.workers.split(",")]
    args.systems = args.only or ["platform", "postfix", "simple"]
    return args


def _code_version() -> str:
    """The commit measured, marked when the work tree had local changes (read-only git calls)."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{'+local changes' if dirty else ''}"


def fmt(v, width: int = 7) -> str:
    return f"{'-' if v is None else v:>{width}}"


def print_tables(reports: list[RunReport], ratios: dict, skipped: dict[str, str]) -> None:
    say("")
    say("Full speed (latency = sink arrival - client's MAIL FROM; 'after 250' = sink arrival - client got 250)")
    head = (f"{'size':>6} {'system':<18} {'n':>5} {'c':>3} {'deliv':>6} {'msg/s':>7} {'acc/s':>7} "
            f"{'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}  {'250->sink p50/p99':>18}  check")
    say(head)
    say("-" * len(head))
    for r in reports:
        if r.kind != "full":
            continue
        lat, aft = r.latency_ms, r.after_accept_ms
        say(f"{str(r.size // 1024) + ' KB':>6} {r.label:<18} {r.n:>5} {r.concurrency:>3} {r.delivered:>6} "
            f"{r.msgs_per_s:>7} {r.accept_per_s:>7} {fmt(lat['p50'])} {fmt(lat['p95'])} {fmt(lat['p99'])} "
            f"{fmt(lat['max'])}  {str(aft['p50']) + '/' + str(aft['p99']):>18}  {'ok' if r.ok else 'LOST/DUP!'}")
    rate_runs = [r for r in reports if r.kind == "rate"]
    if rate_runs:
        say("")
        say("Steady rate (latency in ms)")
        head = (f"{'size':>6} {'system':<18} {'rate':>5} {'n':>5} {'deliv':>6} {'p50':>7} {'p95':>7} {'p99':>7} "
                f"{'max':>7} {'gen lag':>8}  check")
        say(head)
        say("-" * len(head))
        for r in rate_runs:
            lat = r.latency_ms
            say(f"{str(r.size // 1024) + ' KB':>6} {r.label:<18} {r.rate:>5g} {r.n:>5} {r.delivered:>6} "
                f"{fmt(lat['p50'])} {fmt(lat['p95'])} {fmt(lat['p99'])} {fmt(lat['max'])} "
                f"{fmt(r.schedule_lag_ms, 8)}  {'ok' if r.ok else 'LOST/DUP!'}")
    if ratios:
        say("")
        say("Ratios of end-to-end throughput (platform / baseline)")
        for key, value in ratios.items():
            say(f"  {key:<32} {value}")
    say("")
    say("CPU seconds used during each full-speed run (shared services include other users of the machine)")
    for r in reports:
        if r.kind == "full":
            parts = ", ".join(f"{k} {v}" for k, v in r.cpu_s.items())
            say(f"  {r.label:<18} {r.size // 1024:>4} KB: {parts}")
    for name, why in skipped.items():
        say(f"\n{name} NOT MEASURED: {why}")


def run_pairs(plat: System, pf: System, sink: Sink, args: argparse.Namespace) -> list[dict]:
    """Alternate 5 KB runs of the platform and Postfix; each pair's ratio, both systems warm and running.

    The machine's speed drifts between the minutes the main runs take; a
    pair measured back to back shares the same conditions, and the median
    of a few pairs is the steadier figure.
    """
    pairs = []
    for n in range(args.pairs):
        probe = speed_probe()
        rp = measure(plat, sink, size=5 * 1024, n=args.n_5k, concurrency=args.concurrency, kind="pair")
        rq = measure(pf, sink, size=5 * 1024, n=args.n_5k, concurrency=args.concurrency, kind="pair")
        ratio = round(rp.msgs_per_s / rq.msgs_per_s, 2) if rq.msgs_per_s else 0.0
        say(f"  pair {n + 1}: platform {rp.msgs_per_s} msg/s, postfix {rq.msgs_per_s} msg/s, ratio {ratio} "
            f"(speed probe {probe} µs)")
        pairs.append({"platform": rp.msgs_per_s, "postfix": rq.msgs_per_s, "ratio": ratio, "speed_probe_us": probe,
                      "reports": [rp, rq]})
    return pairs


def main(argv: list[str]) -> int:
    if argv[:1] == ["_sink"]:
        sink_args = argparse.ArgumentParser()
        sink_args.add_argument("--port", type=int)
        sink_args.add_argument("--out", type=Path)
        a = sink_args.parse_args(argv[1:])
        asyncio.run(_sink_main(a.port, a.out))
        return 0
    args = parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="spe-mailpath-bench-", dir="/var/tmp"))
    base.chmod(0o755)
    probes = {"start": speed_probe()}
    say(f"work directory {base}; code {_code_version()}; {os.cpu_count()} CPUs; load average {loadavg()}; "
        f"speed probe {probes['start']} µs (lower is faster)")
    reports: list[RunReport] = []
    skipped: dict[str, str] = {}
    worker_trials: list[dict] = []
    started_at = time.time()
    sink = Sink(base)
    sizes = [(5 * 1024, args.n_5k), (100 * 1024, args.n_100k)]
    rate_n = max(1, int(args.rate * args.rate_seconds))
    pairs_wanted = args.pairs > 0 and {"platform", "postfix"} <= set(args.systems)
    live: dict[str, System] = {}  # systems kept running for the paired runs
    pairs: list[dict] = []
    try:
        if "platform" in args.systems:
            say("platform: preparing database, customer and Redis")
            plat = Platform(base, sink.port, args.worker_choices[0])
            try:
                plat.prepare()
                plat.start()
                warm_up(plat, sink)
                best: RunReport | None = None
                for i, workers in enumerate(args.worker_choices):
                    if i:
                        plat.restart_worker(workers)
                        warm_up(plat, sink)
                    r = measure(plat, sink, size=5 * 1024, n=args.n_5k, concurrency=args.concurrency)
                    worker_trials.append({"workers": workers, "msgs_per_s": r.msgs_per_s, "ok": r.ok})
                    if best is None or r.msgs_per_s > best.msgs_per_s:
                        best = r
                reports.append(best)
                if plat.workers != best.workers:
                    plat.restart_worker(best.workers)
                    warm_up(plat, sink)
                say(f"platform: using {plat.workers} worker processes "
                    f"({', '.join(str(t['workers']) + ': ' + str(t['msgs_per_s']) for t in worker_trials)} msg/s)")
                reports.append(measure(plat, sink, size=100 * 1024, n=args.n_100k, concurrency=args.concurrency))
                if not args.no_rate:
                    reports.append(measure(plat, sink, size=5 * 1024, n=rate_n, concurrency=args.rate_concurrency,
                                           rate=args.rate, kind="rate"))
                left = plat.spool_count()
                if left:
                    say(f"!! platform spool still holds {left} entries after the runs")
                live["platform"] = plat
            except Exception as exc:  # report what we have, say loudly what failed
                skipped["platform"] = f"{type(exc).__name__}: {exc}"
                say(f"!! platform failed: {exc}")
            finally:
                if "platform" not in live or not pairs_wanted:
                    plat.stop()
        if "postfix" in args.systems:
            why = Postfix.unavailable()
            if why:
                skipped["postfix"] = why
                say(f"postfix: skipped: {why}")
                if "platform" in live:
                    live.pop("platform").stop()
            else:
                pf = Postfix(base, sink.port)
                try:
                    say("postfix: starting a private instance")
                    pf.start()
                    warm_up(pf, sink)
                    for size, n in sizes:
                        reports.append(measure(pf, sink, size=size, n=n, concurrency=args.concurrency))
                    if not args.no_rate:
                        reports.append(measure(pf, sink, size=5 * 1024, n=rate_n, concurrency=args.rate_concurrency,
                                               rate=args.rate, kind="rate"))
                    live["postfix"] = pf
                    if "platform" in live and pairs_wanted:
                        pairs = run_pairs(live["platform"], pf, sink, args)
                except Exception as exc:
                    skipped["postfix"] = f"{type(exc).__name__}: {exc}"
                    say(f"!! postfix failed: {exc}")
                finally:
                    pf.stop()
                    if "platform" in live:
                        live.pop("platform").stop()
        if "simple" in args.systems:
            simple = SimpleRelay(base, sink.port)
            try:
                say("simple relay: starting")
                simple.start()
                warm_up(simple, sink)
                for size, n in sizes:
                    reports.append(measure(simple, sink, size=size, n=n, concurrency=args.concurrency))
            except Exception as exc:
                skipped["simple"] = f"{type(exc).__name__}: {exc}"
                say(f"!! simple relay failed: {exc}")
            finally:
                simple.stop()
    finally:
        for system in live.values():
            system.stop()
        sink.stop()
    ratios = {}
    full = {(r.system, r.size): r for r in reports if r.kind == "full"}
    for size in (5 * 1024, 100 * 1024):
        p = full.get(("platform", size))
        for other in ("postfix", "simple"):
            o = full.get((other, size))
            if p and o and o.msgs_per_s:
                ratios[f"{size // 1024} KB platform/{other}"] = round(p.msgs_per_s / o.msgs_per_s, 2)
    probes["end"] = speed_probe()
    print_tables(reports, ratios, skipped)
    say(f"\nspeed probe {probes['start']} µs at the start, {probes['end']} µs at the end (lower is faster)")
    if pairs:
        values = sorted(p["ratio"] for p in pairs)
        ratios["5 KB platform/postfix, median of pairs"] = values[len(values) // 2]
        say("")
        say("Paired 5 KB runs, platform then Postfix, one after the other (both kept running):")
        for n, p in enumerate(pairs, 1):
            say(f"  pair {n}: platform {p['platform']} msg/s, postfix {p['postfix']} msg/s, ratio {p['ratio']} "
                f"(speed probe {p['speed_probe_us']} µs)")
        say(f"  median ratio {ratios['5 KB platform/postfix, median of pairs']}")
    reports.extend(r for p in pairs for r in p["reports"])
    failed = [r for r in reports if not r.ok]
    if failed:
        say("")
        for r in failed:
            loud(r)
    if args.json:
        doc = {
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started_at)),
            "code": _code_version(),
            "machine": {"cpus": os.cpu_count(), "python": platform_mod.python_version(),
                        "kernel": platform_mod.release(), "load_at_end": loadavg(),
                        "speed_probe_us": probes},
            "settings": {"concurrency": args.concurrency, "n_5k": args.n_5k, "n_100k": args.n_100k,
                         "rate": args.rate, "rate_seconds": args.rate_seconds,
                         "worker_choices": args.worker_choices},
            "latency_definition": "sink arrival time minus the time the client wrote MAIL FROM "
                                  "(CLOCK_MONOTONIC on both sides); after_accept = sink arrival minus the time "
                                  "the client read the 250 reply to the message",
            "worker_trials": worker_trials,
            "runs": [r.__dict__ | {"ok": r.ok} for r in reports],
            "ratios": ratios,
            "pairs": [{k: v for k, v in p.items() if k != "reports"} for p in pairs],
            "not_measured": skipped,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(doc, indent=2) + "\n")
        say(f"\nJSON written to {args.json}")
    if args.keep:
        say(f"work directory kept: {base}")
    else:
        shutil.rmtree(base, ignore_errors=True)
    return 1 if failed or skipped else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
