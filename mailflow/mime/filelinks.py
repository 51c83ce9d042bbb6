"""Links carried by attached files: PDF link annotations and QR codes in images.

One walk over a parsed message's parts, shared by URLCensor (which marks
each link with its file) and the spam view built from raw bytes (training
and the accuracy benchmark).  Nothing is fetched.  See docs/checks.md.
"""

from __future__ import annotations

from collections.abc import Iterator

from mailflow.mime.pdflinks import pdf_uris
from mailflow.mime.qrlinks import qr_urls
from mailflow.mime.types import ParsedMessage, Part

MAX_QR_IMAGES = 5  # images per message searched for QR codes


def file_links(parsed: ParsedMessage) -> Iterator[tuple[Part, list[str], bool]]:
    """(part, its http(s) links, whether they came from a QR code) for each PDF or image that has links."""
    images = 0
    for part in parsed.parts:
        if not part.data:
            continue
        if part.true_type == "application/pdf":
            links, in_qr = pdf_uris(part.data), False
        elif part.true_type.startswith("image/") and images < MAX_QR_IMAGES:
            images += 1
            links, in_qr = qr_urls(part.data), True
        else:
            continue
        if links:
            yield part, links, in_qr
