"""Links inside QR codes in images (docs/checks.md).

"Scan the code to keep your mailbox" puts the phishing link where nothing
that reads text can see it, and sends the reader to a phone outside the
company's protection. QR codes in image parts and archive members are
decoded with zxing-cpp (a maintained C++ decoder with its own wheels) from
images Pillow opens. Work is bounded: images over ``MAX_BYTES`` or
``MAX_PIXELS`` are skipped, large ones are scaled down to ``MAX_SIDE``
pixels first, and a broken image gives no links rather than an error.
"""

from __future__ import annotations

import io
import logging

log = logging.getLogger(__name__)

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 1600
MIN_SIDE = 21  # the smallest QR code is 21 modules square


def qr_texts(data: bytes) -> list[str]:
    """The text of every QR code in the image ``data``; [] for anything unreadable."""
    if not data or len(data) > MAX_BYTES:
        return []
    try:
        import zxingcpp
        from PIL import Image

        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS or min(width, height) < MIN_SIDE:
                return []
            image.draft("L", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a reduced size straight away
            gray = image.convert("L")
        if max(gray.size) > MAX_SIDE:
            gray.thumbnail((MAX_SIDE, MAX_SIDE))
        found = zxingcpp.read_barcodes(gray, formats=zxingcpp.BarcodeFormat.QRCode)
    except Exception as exc:  # hostile or broken images: no links, never an error on the message
        log.debug("no QR codes read from an image: %s", exc)
        return []
    return [b.text for b in found if b.text]


def qr_urls(data: bytes) -> list[str]:
    """The http(s) links carried by QR codes in the image ``data``."""
    urls: list[str] = []
    for text in qr_texts(data):
        text = text.strip()
        if text.lower().startswith(("http://", "https://", "www.")) and text not in urls:
            urls.append(text[:2000])
    return urls
