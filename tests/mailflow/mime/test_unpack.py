"""Archive unpacking: formats, nesting, encryption, bombs and limits."""

from __future__ import annotations

import time

from mailflow.mime import Limits, parse_message
from mailflow.mime.classify import classify
from mailflow.mime.types import ParsedMessage, Part
from mailflow.mime.unpack import unpack
from tests.mailflow.mime import samples
from tests.mailflow.mime.zipcrypto import encrypted_zip


def _parse_attachment(data: bytes, name: str, limits: Limits | None = None) -> ParsedMessage:
    return parse_message(samples.with_attachment(data, name), limits or Limits())


def _member(parsed: ParsedMessage, path: str):
    return next(p for p in parsed.parts if p.path == path)


def test_zip_members_are_listed_with_data():
    parsed = _parse_attachment(samples.make_zip({"a.txt": b"alpha", "dir/b.pdf": samples.minimal_pdf()}), "x.zip")
    assert [p.path for p in parsed.attachments] == ["2", "2/a.txt", "2/dir/b.pdf"]
    assert _member(parsed, "2/a.txt").data == b"alpha"
    pdf = _member(parsed, "2/dir/b.pdf")
    assert (pdf.family, pdf.depth, pdf.parent, pdf.extension) == ("pdf", 1, "2", "pdf")
    assert parsed.archive_facts == []


def test_eicar_in_zip_in_zip_is_scannable_data():
    inner = samples.make_zip({"eicar.com": samples.EICAR})
    outer = samples.make_zip({"inner.zip": inner})
    parsed = _parse_attachment(outer, "outer.zip")
    member = _member(parsed, "2/inner.zip/eicar.com")
    assert member.data == samples.EICAR
    assert member.depth == 2
    assert any(p.data == samples.EICAR for p in parsed.parts)


def test_container_is_found_by_content_not_name():
    parsed = _parse_attachment(samples.make_zip({"evil.exe": samples.minimal_pe()}), "invoice.pdf")
    outer = _member(parsed, "2")
    assert outer.family == "archive" and outer.type_mismatch
    assert _member(parsed, "2/evil.exe").family == "executable"


def test_tar_gz_inside_zip():
    tgz = samples.gz(samples.make_tar({"bin/run.exe": samples.minimal_pe(), "notes.txt": b"hi"}))
    parsed = _parse_attachment(samples.make_zip({"bundle.tar.gz": tgz}), "a.zip")
    exe = _member(parsed, "2/bundle.tar.gz/bundle.tar/bin/run.exe")
    assert exe.family == "executable" and exe.depth == 3
    assert _member(parsed, "2/bundle.tar.gz/bundle.tar/notes.txt").data == b"hi"


def test_7z_members():
    parsed = _parse_attachment(samples.make_7z({"a.txt": b"seven", "b/eicar.com": samples.EICAR}), "a.7z")
    assert _member(parsed, "2/a.txt").data == b"seven"
    assert _member(parsed, "2/b/eicar.com").data == samples.EICAR


def test_single_stream_compressors():
    for compress, name, inner in (
        (samples.gz, "r.txt.gz", "r.txt"),
        (samples.bz, "r.txt.bz2", "r.txt"),
        (samples.xz, "r.txt.xz", "r.txt"),
    ):
        parsed = _parse_attachment(compress(b"report text " * 50), name)
        assert _member(parsed, f"2/{inner}").data == b"report text " * 50, name


def test_encrypted_zip_is_a_fact_and_member_listed():
    parsed = _parse_attachment(encrypted_zip("payload.exe", samples.minimal_pe(), b"infected"), "doc.zip")
    outer = _member(parsed, "2")
    assert outer.family == "encrypted" and outer.encrypted
    member = _member(parsed, "2/payload.exe")
    assert member.encrypted and member.family == "encrypted" and member.extension == "exe"
    assert [f.kind for f in parsed.archive_facts] == ["encrypted"]


def test_encrypted_7z_is_a_fact():
    parsed = _parse_attachment(samples.make_7z({"x.exe": samples.minimal_pe()}, password="pw"), "a.7z")
    assert parsed.facts_of("encrypted")
    assert _member(parsed, "2/x.exe").encrypted


def test_zip_bomb_detected_quickly():
    bomb = samples.make_zip({f"zeros{i}.bin": bytes(8 * 1024 * 1024) for i in range(3)})
    start = time.perf_counter()
    parsed = _parse_attachment(bomb, "bomb.zip")
    assert time.perf_counter() - start < 1.0
    assert parsed.facts_of("bomb")
    assert sum(p.size for p in parsed.parts) < 2 * 1024 * 1024


def test_ten_gib_gzip_of_zeros_is_a_bomb_without_expanding():
    bomb = samples.zero_gzip(10)
    part = classify(Part(path="2", data=bomb, filename="disk.img.gz"))
    start = time.perf_counter()
    result = unpack(part)
    assert time.perf_counter() - start < 0.5
    assert [f.kind for f in result.facts] == ["bomb"]
    assert sum(len(m.data) for m in result.members) == 0
    parsed = _parse_attachment(bomb, "disk.img.gz")
    assert [f.path for f in parsed.facts_of("bomb")] == ["2/disk.img"]


def test_nested_bomb_like_42_zip_stops_early():
    layer = samples.make_zip({f"{i}.bin": bytes(4 * 1024 * 1024) for i in range(16)})
    for level in range(3):
        layer = samples.make_zip({f"l{level}_{i}.zip": layer for i in range(16)})
    start = time.perf_counter()
    parsed = _parse_attachment(layer, "42.zip")
    assert time.perf_counter() - start < 1.0
    assert len(parsed.facts_of("bomb")) == 1
    assert parsed.facts_of("unscannable")[0].detail.startswith("not opened: decompression bomb")
    assert sum(p.size for p in parsed.parts) < 4 * 1024 * 1024


def test_nesting_past_max_depth_is_a_fact():
    data = b"bottom"
    for level in range(4):
        data = samples.make_zip({f"level{level}.zip" if level else "bottom.txt": data})
    parsed = _parse_attachment(data, "deep.zip", Limits(max_depth=2))
    (fact,) = parsed.facts_of("depth_exceeded")
    assert fact.path == "2/level3.zip/level2.zip"
    assert not any(p.data == b"bottom" for p in parsed.parts)


def test_too_many_members_is_a_fact():
    archive = samples.make_zip({f"f{i}.txt": b"x" for i in range(50)})
    parsed = _parse_attachment(archive, "many.zip", Limits(max_members=10))
    assert len([p for p in parsed.parts if p.depth == 1]) == 10
    assert parsed.facts_of("too_many_members")


def test_member_over_size_limit_is_a_fact():
    archive = samples.make_zip({"big.bin": bytes(range(256)) * 4096, "small.txt": b"ok"})
    parsed = _parse_attachment(archive, "a.zip", Limits(max_member_size=100_000))
    (fact,) = parsed.facts_of("too_large")
    assert fact.path == "2/big.bin"
    assert _member(parsed, "2/small.txt").data == b"ok"


def test_corrupt_zip_is_unscannable_but_kept():
    archive = samples.make_zip({"a.txt": b"hello world " * 100})
    broken = archive[:30] + b"\x00" * 40 + archive[70:]
    parsed = _parse_attachment(broken, "a.zip")
    assert parsed.facts_of("unscannable")
    assert _member(parsed, "2").data == broken


def test_truncated_zip_is_unscannable():
    archive = samples.make_zip({"a.txt": b"hello world " * 100})
    parsed = _parse_attachment(archive[: len(archive) // 2], "a.zip")
    assert parsed.facts_of("unscannable")


def test_path_traversal_names_are_only_names():
    parsed = _parse_attachment(samples.make_zip({"../../etc/passwd": b"root"}), "a.zip")
    member = next(p for p in parsed.parts if p.depth == 1)
    assert member.filename == "../../etc/passwd" and member.data == b"root"
