"""RAR archives: stored members, encryption and missing backends."""

from __future__ import annotations

import pytest

from mailflow.mime import parse_message
from mailflow.mime.readers import rar as rar_reader
from tests.mailflow.mime import samples
from tests.mailflow.mime.rar4 import stored_rar


def _parts(data: bytes):
    parsed = parse_message(samples.with_attachment(data, "files.rar"))
    return parsed, {p.path: p for p in parsed.parts}


def test_stored_rar_members_are_read():
    parsed, parts = _parts(stored_rar({"docs/eicar.com": samples.EICAR, "a.txt": b"plain"}))
    assert parts["2"].family == "archive"
    assert parts["2/docs/eicar.com"].data == samples.EICAR
    assert parts["2/a.txt"].data == b"plain"
    assert parsed.archive_facts == []


def test_encrypted_rar_member_is_a_fact():
    parsed, parts = _parts(stored_rar({"x.exe": samples.minimal_pe()}, encrypted=True))
    assert parts["2/x.exe"].encrypted
    assert parts["2"].family == "encrypted"
    assert [f.kind for f in parsed.archive_facts] == ["encrypted"]


def test_compressed_member_without_backend_is_unscannable(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(rar_reader, "_backend", False)
    parsed, parts = _parts(stored_rar({"packed.bin": b"\x01\x02\x03" * 10}, method=0x33))
    assert "2/packed.bin" in parts
    (fact,) = parsed.facts_of("unscannable")
    assert fact.path == "2/packed.bin" and "backend" in fact.detail


def test_damaged_compressed_member_never_raises():
    parsed, parts = _parts(stored_rar({"packed.bin": b"\x01\x02\x03" * 10}, method=0x33))
    assert "2/packed.bin" in parts
    assert parsed.facts_of("unscannable")
