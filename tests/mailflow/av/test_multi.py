"""MultiScanner: several engines on the same items, merged into one report."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from mailflow.av.base import Finding, ScanItem, ScannerUnavailable
from mailflow.av.clamd import ClamdScanner
from mailflow.av.engines import build_default_scanner
from mailflow.av.hashlist import HashListScanner
from mailflow.av.multi import MultiScanner
from mailflow.av.yara_engine import YaraScanner
from tests.mailflow.av import samples


class SlowEngine:
    name = "slow"

    def scan(self, items: Sequence[ScanItem]) -> list[Finding]:
        time.sleep(1.5)
        return []


class BrokenEngine:
    name = "broken"

    def scan(self, items: Sequence[ScanItem]) -> list[Finding]:
        raise KeyError("bug in engine")


def test_findings_from_two_engines_are_merged(clamd: ClamdScanner) -> None:
    multi = MultiScanner([clamd, YaraScanner()], timeout=10)
    items = [
        ScanItem("1", b"Hi, see attached."),
        ScanItem("2/eicar.com", samples.eicar()),
        ScanItem("3/scan.html", samples.SMUGGLING_HTML),
    ]
    report = multi.scan(items)
    assert set(report.findings) == {
        Finding("clamav", "2/eicar.com", "Eicar-Test-Signature.UNOFFICIAL"),
        Finding("yara", "3/scan.html", "YARA.SPE_HTML_Smuggling_Blob_Download"),
    }
    assert report.infected and not report.unscanned
    assert set(report.engines_ok) == {"clamav", "yara"}
    assert set(report.timings) == {"clamav", "yara"}


def test_clean_message_is_clean_only_when_every_engine_answered(clamd: ClamdScanner) -> None:
    report = MultiScanner([clamd, YaraScanner()], timeout=10).scan([ScanItem("1", b"hello")])
    assert report.clean and not report.unscanned and report.engines_failed == {}


def test_clamd_down_and_nothing_found_means_unscanned(tmp_path: Path) -> None:
    down = ClamdScanner(socket_path=str(tmp_path / "gone.sock"), timeout=1)
    report = MultiScanner([down, YaraScanner()], timeout=5).scan([ScanItem("1", b"hello")])
    assert report.unscanned and not report.clean
    assert list(report.engines_failed) == ["clamav"]
    assert "unreachable" in report.engines_failed["clamav"]
    assert report.engines_ok == ("yara",)


def test_failed_engine_does_not_hide_another_engines_finding(tmp_path: Path) -> None:
    down = ClamdScanner(socket_path=str(tmp_path / "gone.sock"), timeout=1)
    hashes = HashListScanner({hashlib.sha256(b"bad").hexdigest(): "Outbreak.X"})
    report = MultiScanner([down, hashes], timeout=5).scan([ScanItem("2", b"bad")])
    assert report.infected and not report.unscanned
    assert "clamav" in report.engines_failed


def test_partial_findings_of_a_failed_engine_are_kept(clamd: ClamdScanner) -> None:
    limited = ClamdScanner(socket_path=str(clamd.address), max_stream=100, timeout=5)
    items = [ScanItem("1", samples.eicar()), ScanItem("2", b"x" * 500)]
    report = MultiScanner([limited], timeout=5).scan(items)
    assert [f.path for f in report.findings] == ["1"]
    assert "clamav" in report.engines_failed and not report.unscanned


def test_engine_past_the_timeout_counts_as_failed() -> None:
    multi = MultiScanner([SlowEngine(), HashListScanner()], timeout=0.3)
    started = time.monotonic()
    report = multi.scan([ScanItem("1", b"hello")])
    assert time.monotonic() - started < 1.0
    assert report.unscanned and "no answer" in report.engines_failed["slow"]


def test_crashing_engine_is_never_clean() -> None:
    report = MultiScanner([BrokenEngine()], timeout=1).scan([ScanItem("1", b"hello")])
    assert report.unscanned and "bug in engine" in report.engines_failed["broken"]


def test_engine_names_must_be_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        MultiScanner([HashListScanner(), HashListScanner()])


def test_default_stack_scans_with_clamd_yara_and_hashlist(
    clamd_socket: str, tmp_path: Path
) -> None:
    listing = tmp_path / "hashes.txt"
    listing.write_text(hashlib.sha256(b"outbreak").hexdigest() + " Outbreak.Test\n")
    multi = build_default_scanner(clamd_socket=clamd_socket, hashlist_path=listing, timeout=10)
    report = multi.scan([ScanItem("1", samples.MARKER), ScanItem("2", b"outbreak")])
    assert report.engines_ok == ("clamav", "yara", "hashlist")
    assert {f.engine for f in report.findings} == {"clamav", "hashlist"}


def test_scanner_unavailable_carries_partial_results() -> None:
    error = ScannerUnavailable("down", findings=[Finding("e", "p", "s")], unscanned_paths=["q"])
    assert error.findings == (Finding("e", "p", "s"),) and error.unscanned_paths == ("q",)


def test_scanner_keeps_working_in_a_forked_worker() -> None:
    hashes = HashListScanner({hashlib.sha256(b"bad").hexdigest(): "Outbreak.X"})
    multi = MultiScanner([hashes], timeout=2)
    assert multi.scan([ScanItem("1", b"bad")]).infected  # parent's threads now exist
    pid = os.fork()
    if pid == 0:  # the child, as in a prefork Celery worker
        report = multi.scan([ScanItem("1", b"bad")])
        os._exit(0 if report.infected and not report.engines_failed else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
