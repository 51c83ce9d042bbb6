"""Links in QR codes inside images; broken, tiny and oversized images cost nothing and never raise."""

from __future__ import annotations

import struct
import zlib

from mailflow.mime.qrlinks import qr_texts, qr_urls
from tests.mailflow.mime.samples import minimal_png, qr_image

LURE = "https://mailbox-keep.example.net/verify?u=bob"


def test_a_qr_code_link_is_read_from_png_and_jpeg():
    assert qr_urls(qr_image(LURE)) == [LURE]
    assert qr_urls(qr_image(LURE, fmt="JPEG", scale=6)) == [LURE]


def test_a_qr_code_in_a_large_picture_is_still_found():
    assert qr_urls(qr_image(LURE, scale=8, canvas=3000)) == [LURE]  # scaled down first


def test_codes_that_are_not_links_give_no_url():
    wifi = "WIFI:T:WPA;S:office;P:secret;;"
    assert qr_texts(qr_image(wifi)) == [wifi]
    assert qr_urls(qr_image(wifi)) == []


def test_broken_tiny_and_oversized_images_give_nothing():
    assert qr_urls(b"\x89PNG\r\n\x1a\n garbage") == []
    assert qr_urls(b"not an image at all") == []
    assert qr_urls(minimal_png()) == []  # 1 x 1 pixel
    huge = _png_header_only(100_000, 100_000)  # 10 billion pixels claimed: never decoded
    assert qr_urls(huge) == []


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
