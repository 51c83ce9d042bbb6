"""The antivirus check against the real clamd and YARA: what a user's mail gets."""

from __future__ import annotations

import pytest

from mailflow.checks.antivirus import Antivirus
from mailflow.checks.base import CheckTemporaryFailure
from mailflow.engine import pipeline
from tests.mailflow.checks.conftest import context, symbol_names
from tests.mailflow.checks.samples import EICAR_WRAPPINGS, eicar_message, harmless_zip_message


@pytest.mark.parametrize("wrapping", sorted(EICAR_WRAPPINGS))
def test_eicar_is_found_however_it_is_wrapped(node, wrapping):
    raw, inner = eicar_message(wrapping)
    ctx = context(raw)
    Antivirus().run(ctx)
    assert ctx.facts["virus_found"] is True
    [virus] = [s for s in ctx.symbols if s.name == "VIRUS_FOUND"]
    assert virus.score == 100.0
    assert "Eicar-Test-Signature" in virus.detail
    assert "VIRUS_CLAMAV" in symbol_names(ctx)
    clamav_paths = [v["path"] for v in ctx.facts["virus"] if v["engine"] == "clamav"]
    assert inner in clamav_paths, clamav_paths
    assert set(ctx.facts["av_engines"]) == {"clamav", "yara"}


def test_clean_message_with_a_harmless_zip_has_no_virus_facts(node):
    ctx = context(harmless_zip_message())
    Antivirus().run(ctx)
    assert ctx.facts["virus"] == []
    assert ctx.facts["virus_found"] is False
    assert set(ctx.facts["av_engines"]) == {"clamav", "yara"}
    assert ctx.symbols == []


def test_test_marker_in_a_member_is_named_by_its_path(node):
    from tests.mailflow.checks.samples import with_file
    from tests.mailflow.mime.samples import make_zip

    raw = with_file(make_zip({"docs/setup.bin": b"xx SPE-TEST-MALWARE-MARKER-7f3a xx"}), "setup.zip")
    ctx = context(raw)
    Antivirus().run(ctx)
    assert {"engine": "clamav", "path": "2/docs/setup.bin",
            "signature": "SPE.Test.Marker.UNOFFICIAL"} in ctx.facts["virus"]


def test_scanner_down_defers_the_message_instead_of_passing_it(node, tmp_path):
    node.SPE_CLAMD_SOCKET = str(tmp_path / "no-clamd.sock")
    ctx = context(harmless_zip_message())
    with pytest.raises(CheckTemporaryFailure, match="not scanned"):
        Antivirus().run(ctx)
    with pytest.raises(pipeline.RetryLater, match="antivirus"):
        pipeline.run_checks(context(harmless_zip_message()), [Antivirus])


def test_scanner_down_after_the_last_retry_marks_it_unscannable(node, tmp_path):
    node.SPE_CLAMD_SOCKET = str(tmp_path / "no-clamd.sock")
    node.SPE_AV_MAX_DEFERRALS = 3
    ctx = context(harmless_zip_message(), attempts=3)
    Antivirus().run(ctx)
    assert ctx.facts["unscannable"] is True
    assert ctx.facts["virus_found"] is False
    assert symbol_names(ctx) == ["AV_UNSCANNABLE"]
    assert "clamav" in ctx.facts["av_failed"]


def test_a_virus_found_by_one_engine_counts_when_the_other_is_down(node, tmp_path):
    """YARA still answers when clamd is down: its finding is reported, nothing is deferred."""
    from tests.mailflow.av.samples import JS_DROPPER  # a WSH dropper the YARA rules catch
    from tests.mailflow.checks.samples import with_file

    node.SPE_CLAMD_SOCKET = str(tmp_path / "no-clamd.sock")
    ctx = context(with_file(JS_DROPPER, "invoice.js"))
    Antivirus().run(ctx)
    assert ctx.facts["virus_found"] is True
    assert "VIRUS_YARA" in symbol_names(ctx)
    assert ctx.facts["av_engines"] == ["yara"]


def test_clamd_finds_malware_in_a_text_body_through_the_raw_message(node):
    """Text bodies go to clamd inside the raw message only; it still finds what they carry."""
    import base64

    from mailflow.av.base import ScanItem
    from mailflow.av.clamd import ClamdScanner
    from mailflow.av.multi import MultiScanner
    from tests.mailflow.av.samples import eicar

    raw = (b"From: a@example.net\r\nTo: b@acme.test\r\nSubject: body\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\n"
           + base64.b64encode(eicar()) + b"\r\n")
    scanner = MultiScanner([ClamdScanner(socket_path=node.SPE_CLAMD_SOCKET)])
    report = scanner.scan([ScanItem("message", raw), ScanItem("1", eicar(), in_raw_text=True)])
    assert [f.path for f in report.findings] == ["message"]  # found by clamd in the raw message
