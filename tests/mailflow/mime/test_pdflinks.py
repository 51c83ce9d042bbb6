"""Links inside PDF files, plain or in compressed object streams; hostile PDFs cost bounded work."""

from __future__ import annotations

import zlib

from mailflow.mime.pdflinks import MAX_INFLATED, pdf_uris
from tests.mailflow.mime.samples import minimal_pdf, pdf_with_link

LURE = "https://docs-viewer.example.net/view?id=8812"


def test_a_link_annotation_is_found_plain_compressed_and_hex_encoded():
    assert pdf_uris(pdf_with_link(LURE)) == [LURE]
    assert pdf_uris(pdf_with_link(LURE, compressed=True)) == [LURE]
    assert pdf_uris(pdf_with_link(LURE, hex_string=True)) == [LURE]


def test_escaped_characters_in_a_pdf_string_are_undone():
    uri = "https://login.example.net/a(1)/b"
    assert pdf_uris(pdf_with_link(uri)) == [uri]
    octal = pdf_with_link("https://x.example.net/PLACEHOLDER").replace(b"PLACEHOLDER", rb"p\141y")
    assert pdf_uris(octal) == ["https://x.example.net/pay"]


def test_files_without_links_and_other_schemes_give_nothing():
    assert pdf_uris(minimal_pdf()) == []
    assert pdf_uris(pdf_with_link("mailto:billing@example.net")) == []
    assert pdf_uris(b"PK\x03\x04 /URI (https://not-a-pdf.example.net/)") == []  # not a PDF at all


def test_broken_streams_and_garbage_never_raise():
    broken = pdf_with_link(LURE, compressed=True).replace(b"stream\n", b"stream\n\x00\x01garbage", 1)
    assert pdf_uris(broken) == []  # the stream cannot be inflated; nothing else holds a link
    assert pdf_uris(b"%PDF-1.7\n" + bytes(range(256)) * 100) == []
    assert pdf_uris(b"%PDF-1.4 /URI (unterminated https://x") == []


def test_a_compression_bomb_stream_is_inflated_only_so_far():
    bomb = zlib.compress(b"\x00" * (50 * MAX_INFLATED) + b"/URI (https://after-the-bomb.example.net/)", 9)
    data = (b"%PDF-1.5\n9 0 obj\n<< /Filter /FlateDecode /Length " + str(len(bomb)).encode()
            + b" >>\nstream\n" + bomb + b"\nendstream\nendobj\n" + pdf_with_link(LURE)[9:])
    assert pdf_uris(data) == [LURE]  # the link past the bomb's first MiB is not reached; the file's own is
