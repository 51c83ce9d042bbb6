"""The clamd engine against the real private clamd (scripts/clamav.sh)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from mailflow.av.base import Finding, ScanItem, ScannerUnavailable
from mailflow.av.clamd import ClamdScanner
from tests.mailflow.av import samples


def test_eicar_is_detected(clamd: ClamdScanner) -> None:
    findings = clamd.scan([ScanItem("1/eicar.com", samples.eicar())])
    assert findings == [Finding("clamav", "1/eicar.com", "Eicar-Test-Signature.UNOFFICIAL")]


def test_eicar_inside_a_larger_part_is_detected(clamd: ClamdScanner) -> None:
    data = b"Dear customer,\r\n" * 500 + samples.eicar() + b"\r\nregards\r\n"
    assert clamd.scan_bytes(data) == "Eicar-Test-Signature.UNOFFICIAL"


def test_project_marker_and_hash_signatures_are_detected(clamd: ClamdScanner) -> None:
    marker = b"harmless text " + samples.MARKER + b" more text"
    findings = clamd.scan([ScanItem("2", marker), ScanItem("3", samples.HASH_SAMPLE)])
    assert [f.signature for f in findings] == [
        "SPE.Test.Marker.UNOFFICIAL",
        "SPE.Test.HashSample.UNOFFICIAL",
    ]


def test_clean_item_is_clean(clamd: ClamdScanner) -> None:
    assert clamd.scan([ScanItem("1", b"Hello Bob, lunch on Friday?\r\n")]) == []
    assert clamd.scan_bytes(b"") is None


def test_many_items_in_one_call_keep_their_order_and_paths(clamd: ClamdScanner) -> None:
    items = [ScanItem(f"part{i}", b"clean body %d" % i) for i in range(20)]
    items[3] = ScanItem("part3", samples.eicar())
    items[17] = ScanItem("part17", samples.MARKER)
    findings = clamd.scan(items)
    assert [(f.path, f.signature) for f in findings] == [
        ("part3", "Eicar-Test-Signature.UNOFFICIAL"),
        ("part17", "SPE.Test.Marker.UNOFFICIAL"),
    ]


def test_large_attachment_is_streamed_in_chunks(clamd: ClamdScanner) -> None:
    data = b"A" * (3 * 1024 * 1024) + samples.MARKER
    assert clamd.scan_bytes(data) == "SPE.Test.Marker.UNOFFICIAL"


def test_tcp_listener_scans_too(clamd_socket: str) -> None:
    port = int(os.environ.get("SPE_CLAMD_PORT", "53310"))
    client = ClamdScanner(host="127.0.0.1", port=port, timeout=10)
    client.ping()
    assert client.scan_bytes(samples.eicar()) == "Eicar-Test-Signature.UNOFFICIAL"


def test_ping_and_version(clamd: ClamdScanner) -> None:
    clamd.ping()
    assert clamd.version().startswith("ClamAV ")


def test_item_over_client_limit_is_a_failure_not_clean(clamd: ClamdScanner) -> None:
    client = ClamdScanner(socket_path=str(clamd.address), max_stream=1024, timeout=10)
    items = [ScanItem("small", samples.MARKER), ScanItem("big.iso", b"x" * 2048)]
    with pytest.raises(ScannerUnavailable) as caught:
        client.scan(items)
    assert caught.value.unscanned_paths == ("big.iso",)
    assert [f.path for f in caught.value.findings] == ["small"]


def test_item_over_clamd_stream_max_length_is_a_failure(small_clamd: str) -> None:
    client = ClamdScanner(socket_path=small_clamd, timeout=10)
    with pytest.raises(ScannerUnavailable) as caught:
        client.scan([ScanItem("big.zip", b"x" * 4096)])
    assert "big.zip" in caught.value.unscanned_paths
    assert caught.value.findings == ()


def test_missing_socket_is_unavailable(tmp_path: Path) -> None:
    client = ClamdScanner(socket_path=str(tmp_path / "nope.sock"), timeout=2)
    with pytest.raises(ScannerUnavailable, match="unreachable"):
        client.scan([ScanItem("1", b"hello")])


def test_refused_tcp_port_is_unavailable(closed_port: int) -> None:
    client = ClamdScanner(host="127.0.0.1", port=closed_port, timeout=2)
    with pytest.raises(ScannerUnavailable, match="unreachable"):
        client.ping()


def test_silent_server_times_out_as_unavailable(silent_listener: int) -> None:
    client = ClamdScanner(host="127.0.0.1", port=silent_listener, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(ScannerUnavailable, match="timed out"):
        client.scan([ScanItem("1", b"hello")])
    assert time.monotonic() - started < 3


def test_constructor_rejects_half_a_tcp_address() -> None:
    with pytest.raises(ValueError, match="host and port"):
        ClamdScanner(host="127.0.0.1")
