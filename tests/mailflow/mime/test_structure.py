"""MIME structure: bodies, attachments, paths, headers and defects."""

from __future__ import annotations

import base64
from email.message import EmailMessage

from mailflow.mime import Limits, parse_message
from tests.mailflow.mime import samples


def test_plain_message_headers_and_body():
    parsed = parse_message(samples.message("Hello Bob\n").as_bytes())
    assert parsed.subject == "Test"
    assert parsed.from_ == "alice@example.com"
    assert parsed.to == ["bob@example.net", "carol@example.org"]
    assert parsed.message_id == "<test-1@example.com>"
    assert parsed.text_bodies == ["Hello Bob\n"]
    assert parsed.attachments == []
    assert [p.path for p in parsed.parts] == ["1"]
    assert parsed.parts[0].is_body_text and parsed.parts[0].family == "text"
    assert ("Subject", "Test") in parsed.headers


def test_encoded_subject_is_decoded():
    raw = b"From: a@example.com\r\nSubject: =?utf-8?b?R3LDvMOfZQ==?=\r\n\r\nx\r\n"
    assert parse_message(raw).subject == "Grüße"


def test_alternative_gives_text_and_html_bodies():
    msg = samples.message("plain words")
    msg.add_alternative("<p>html words</p>", subtype="html")
    parsed = parse_message(msg.as_bytes())
    assert parsed.text_bodies == ["plain words\n"]
    assert parsed.html_bodies == ["<p>html words</p>\n"]
    assert [p.path for p in parsed.parts] == ["1", "2"]
    assert parsed.attachments == []


def test_nested_multipart_paths_and_attachment():
    msg = samples.message("body")
    msg.add_alternative("<b>body</b>", subtype="html")
    msg.add_attachment(samples.minimal_pdf(), maintype="application", subtype="pdf", filename="a.pdf")
    parsed = parse_message(msg.as_bytes())
    assert [p.path for p in parsed.parts] == ["1.1", "1.2", "2"]
    (pdf,) = parsed.attachments
    assert (pdf.filename, pdf.family, pdf.true_type) == ("a.pdf", "pdf", "application/pdf")
    assert pdf.data == samples.minimal_pdf()


def test_attached_message_parts_are_walked():
    inner = samples.message("inner text")
    inner.add_attachment(samples.minimal_pdf(), maintype="application", subtype="pdf", filename="in.pdf")
    outer = samples.message("outer text")
    outer.add_attachment(inner)
    parsed = parse_message(outer.as_bytes())
    paths = [p.path for p in parsed.parts]
    assert paths == ["1", "2.1", "2.2"]
    assert parsed.text_bodies == ["outer text\n"]
    assert any(p.filename == "in.pdf" and p.family == "pdf" for p in parsed.attachments)
    assert any(p.data == b"inner text\n" for p in parsed.attachments)


def test_base64_encoded_attached_message_is_walked():
    inner = samples.message("hidden text")
    inner.add_attachment(samples.minimal_pe(), maintype="application", subtype="octet-stream", filename="a.exe")
    raw = (
        b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nouter\r\n"
        b"--b\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(inner.as_bytes())
        + b"--b--\r\n"
    )
    parsed = parse_message(raw)
    exe = next(p for p in parsed.attachments if p.filename == "a.exe")
    assert exe.path == "2.2" and exe.family == "executable"


def test_rfc2231_and_rfc2047_filenames_are_decoded():
    raw = (
        b"From: a@example.com\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
        b"--b\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename*=UTF-8''Rechnung%20M%C3%A4rz.PDF\r\n\r\n%PDF-1.4\r\n"
        b'--b\r\nContent-Type: application/octet-stream;\r\n name="=?utf-8?q?caf=C3=A9.txt?="\r\n'
        b"Content-Disposition: attachment\r\n\r\nplain\r\n--b--\r\n"
    )
    parsed = parse_message(raw)
    names = [p.filename for p in parsed.attachments]
    assert names == ["Rechnung März.PDF", "café.txt"]
    assert parsed.attachments[0].extension == "pdf"


def test_unknown_charset_falls_back_and_is_reported():
    raw = (
        b"From: a@example.com\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\nCaf\xc3\xa9 ok\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.text_bodies == ["Café ok\r\n"]
    assert any("x-no-such-charset" in d for d in parsed.defects)


def test_pythons_escape_codecs_are_no_mail_charsets():
    """A body declaring ``unicode_escape`` is read as text, as a mail reader reads it, not its escapes decoded.

    ``idna`` and ``punycode`` refuse to decode with replacement characters:
    an 8-bit body declaring one once went unread (the part kept opaque), a
    way to hide a lure's text from every rule.
    """
    for charset in (b"unicode_escape", b"raw-unicode-escape", b"idna", b"punycode"):
        raw = (b"From: a@example.com\r\nContent-Type: text/plain; charset=" + charset
               + b"\r\nContent-Transfer-Encoding: 8bit\r\n\r\nVerify your p\\x61ssword \\c caf\xc3\xa9\r\n")
        parsed = parse_message(raw)
        assert parsed.text_bodies == ["Verify your p\\x61ssword \\c caf\u00e9\r\n"], charset


def test_non_text_codec_names_are_treated_as_unknown():
    for charset in (b"7bit", b"base64", b"zlib", b"rot13", b"\xff"):
        raw = b"From: a@example.com\r\nContent-Type: text/plain; charset=" + charset + b"\r\n\r\nCaf\xe9\r\n"
        parsed = parse_message(raw)
        assert parsed.text_bodies == ["Caf\xe9\r\n"], charset
        assert not any("parser failure" in d for d in parsed.defects)


def test_wrong_charset_bytes_become_replacement_text():
    raw = b"From: a@example.com\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbad \xff\xfe bytes\r\n"
    parsed = parse_message(raw)
    assert parsed.text_bodies[0].startswith("bad ")
    assert "\ufffd" in parsed.text_bodies[0]
    assert any("undecodable" in d for d in parsed.defects)


def test_broken_base64_keeps_what_decodes_and_reports():
    raw = (
        b"From: a@example.com\r\nContent-Type: text/plain\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29y!!bGQ\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.text_bodies[0].startswith("hello wor")
    assert any("base64" in d for d in parsed.defects)


def test_missing_closing_boundary_keeps_parts():
    raw = (
        b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=xyz\r\n\r\n"
        b"--xyz\r\nContent-Type: text/plain\r\n\r\nfirst\r\n"
        b"--xyz\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename=tail.bin\r\n\r\nTAILDATA\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.text_bodies == ["first"]
    assert parsed.attachments[0].filename == "tail.bin"
    assert b"TAILDATA" in parsed.attachments[0].data
    assert any("closing boundary" in d for d in parsed.defects)


def test_multipart_without_boundary_is_kept_as_one_part():
    raw = b"From: a@example.com\r\nContent-Type: multipart/mixed\r\n\r\nsome content MZ\r\n"
    parsed = parse_message(raw)
    assert len(parsed.parts) == 1
    assert b"some content" in parsed.parts[0].data
    assert any("malformed boundary" in d for d in parsed.defects)


def test_multipart_whose_boundary_never_appears_is_read_as_text_too():
    """Mail readers show such a body as text; the content checks read it, and it stays scanned as a part."""
    raw = (
        b"From: a@example.com\r\nSubject: Printer cartridges\r\n"
        b'Content-Type: multipart/alternative; boundary="=Multipart Boundary 0925"\r\n\r\n'
        b"--= Multipart Boundary 0925\r\nContent-Type: text/plain\r\n\r\n"
        b"<html><body>Printer cartridges as low as $1.21 each, order now</body></html>\r\n"
    )
    parsed = parse_message(raw)
    assert len(parsed.text_bodies) == 1 and "cartridges as low as $1.21" in parsed.text_bodies[0]
    assert [p.content_type for p in parsed.attachments] == ["multipart/alternative"]
    assert any("start boundary not found" in d for d in parsed.defects)


def test_raw_8bit_header_is_read_in_the_body_charset():
    raw = (
        b"From: a@example.com\r\nSubject: \xc4\xe3\xba\xc3 offer\r\n"
        b"Content-Type: text/plain; charset=gb2312\r\n\r\n\xc4\xe3\xba\xc3\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.subject == "\u4f60\u597d offer"
    assert parsed.text_bodies == ["\u4f60\u597d\r\n"]


def _deep(levels: int) -> bytes:
    head = b"From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b0\r\n\r\n"
    opening = b"".join(
        b"--b%d\r\nContent-Type: multipart/mixed; boundary=b%d\r\n\r\n" % (i, i + 1) for i in range(levels)
    )
    leaf = b"--b%d\r\nContent-Type: text/plain\r\n\r\ndeepest\r\n--b%d--\r\n" % (levels, levels)
    closing = b"".join(b"--b%d--\r\n" % i for i in reversed(range(levels)))
    return head + opening + leaf + closing


def test_two_hundred_deep_nesting_is_bounded_and_recorded():
    parsed = parse_message(_deep(200))
    assert [f.kind for f in parsed.archive_facts] == ["depth_exceeded"]
    assert any(p.data.startswith(b"deepest") for p in parsed.parts)


def test_absurd_nesting_never_raises_and_keeps_bytes():
    parsed = parse_message(_deep(3000))
    assert parsed.parts, "the message bytes must stay scannable"
    assert any(f.kind in ("depth_exceeded", "unscannable") for f in parsed.archive_facts)


def test_too_many_parts_is_a_fact():
    msg = samples.message("body")
    for i in range(12):
        msg.add_attachment(b"x%d" % i, maintype="application", subtype="octet-stream", filename=f"{i}.bin")
    parsed = parse_message(msg.as_bytes(), Limits(max_parts=5))
    assert len(parsed.parts) == 5
    assert parsed.facts_of("too_many_members")[0].detail.startswith("8 MIME parts")


def test_binary_garbage_never_raises():
    garbage = bytes(range(256)) * 40 + b"\r\n\r\n\x00\xff" * 100
    parsed = parse_message(garbage)
    assert parsed.size == len(garbage)
    assert sum(len(p.data) for p in parsed.parts) > 0


def test_truncated_inputs_never_raise():
    msg = samples.message("body")
    msg.add_attachment(
        samples.make_zip({"a.txt": b"hello" * 100}), maintype="application", subtype="zip", filename="a.zip"
    )
    raw = msg.as_bytes()
    for cut in range(0, len(raw), 37):
        parse_message(raw[:cut])


def test_tnef_is_kept_opaque():
    tnef = b"\x78\x9f\x3e\x22" + bytes(60)
    parsed = parse_message(samples.with_attachment(tnef, "winmail.dat", "application/ms-tnef"))
    (part,) = parsed.attachments
    assert part.true_type == "application/vnd.ms-tnef"
    assert part.data == tnef


def test_message_object_is_policy_default():
    parsed = parse_message(samples.message().as_bytes())
    assert isinstance(parsed.message, EmailMessage)
    assert parsed.message["Subject"] == "Test"
