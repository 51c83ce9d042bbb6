"""The YARA engine with the shipped rules in mailflow/av/rules/."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailflow.av.base import ScanItem, ScannerUnavailable
from mailflow.av.yara_engine import YaraScanner, compile_rules
from tests.mailflow.av import samples


@pytest.fixture(scope="module")
def yara_scanner() -> YaraScanner:
    return YaraScanner()


def signatures(scanner: YaraScanner, path: str, data: bytes) -> set[tuple[str, str]]:
    return {(f.path, f.signature) for f in scanner.scan([ScanItem(path, data)])}


def test_docm_with_auto_executing_dropper_macro_is_found(yara_scanner: YaraScanner) -> None:
    found = signatures(yara_scanner, "2/invoice.docm", samples.macro_docm(samples.DROPPER_MACRO))
    assert ("2/invoice.docm/word/vbaProject.bin", "YARA.SPE_Office_AutoExec_Macro_Dropper") in found


def test_legacy_ole_document_with_dropper_macro_is_found(yara_scanner: YaraScanner) -> None:
    found = signatures(yara_scanner, "invoice.doc", samples.vba_project(samples.DROPPER_MACRO))
    assert ("invoice.doc", "YARA.SPE_Office_AutoExec_Macro_Dropper") in found


def test_auto_macro_that_only_shows_a_message_is_not_found(yara_scanner: YaraScanner) -> None:
    assert signatures(yara_scanner, "hi.docm", samples.macro_docm(samples.HARMLESS_MACRO)) == set()


def test_clean_docx_is_not_found(yara_scanner: YaraScanner) -> None:
    assert signatures(yara_scanner, "report.docx", samples.clean_docx()) == set()


def test_html_smuggling_is_found(yara_scanner: YaraScanner) -> None:
    found = signatures(yara_scanner, "3/scan.html", samples.SMUGGLING_HTML)
    assert found == {("3/scan.html", "YARA.SPE_HTML_Smuggling_Blob_Download")}


def test_phishing_form_posting_elsewhere_is_found(yara_scanner: YaraScanner) -> None:
    found = signatures(yara_scanner, "login.htm", samples.PHISHING_HTML)
    assert found == {("login.htm", "YARA.SPE_HTML_Phishing_Credential_Form")}


def test_ordinary_html_newsletter_is_not_found(yara_scanner: YaraScanner) -> None:
    assert signatures(yara_scanner, "1", samples.NEWSLETTER_HTML) == set()


def test_script_droppers_are_found(yara_scanner: YaraScanner) -> None:
    assert signatures(yara_scanner, "a.js", samples.JS_DROPPER) == {
        ("a.js", "YARA.SPE_Script_Dropper_WSH")
    }
    utf16 = samples.POWERSHELL_LNK_TEXT.decode().encode("utf-16-le")
    assert signatures(yara_scanner, "a.lnk", utf16) == {
        ("a.lnk", "YARA.SPE_PowerShell_Encoded_Command")
    }


def test_broken_zip_is_still_scanned_as_bytes(yara_scanner: YaraScanner) -> None:
    truncated = samples.macro_docm(samples.DROPPER_MACRO)[:200]
    assert signatures(yara_scanner, "x.docm", truncated) == set()
    assert signatures(yara_scanner, "y.js", b"PK\x03\x04junk" + samples.JS_DROPPER) == {
        ("y.js", "YARA.SPE_Script_Dropper_WSH")
    }


def test_rules_are_compiled_once_per_process() -> None:
    assert YaraScanner().rules is YaraScanner().rules


def test_rules_folder_without_rules_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        compile_rules(str(tmp_path))


def test_yara_timeout_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "slow.yar").write_text(
        'rule slow { strings: $a = "abc" condition: '
        "for all i in (1..#a) : (for all j in (1..#a) : (@a[i] + @a[j] >= 0)) }"
    )
    scanner = YaraScanner(tmp_path, timeout=1)
    with pytest.raises(ScannerUnavailable, match="timed out"):
        scanner.scan([ScanItem("big", b"abc" * 400_000)])


def test_rules_that_would_slow_scanning_are_rejected(tmp_path: Path) -> None:
    (tmp_path / "slow.yar").write_text("rule slow { strings: $a = /a.*b/ condition: $a }")
    with pytest.raises(Exception, match="slow down scanning"):
        compile_rules(str(tmp_path))
