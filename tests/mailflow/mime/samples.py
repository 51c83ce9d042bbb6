"""Builders for test messages, archives and file headers (see docs/mime.md)."""

from __future__ import annotations

import base64
import bz2
import gzip
import io
import lzma
import struct
import tarfile
import zipfile
import zlib
from email.message import EmailMessage

import py7zr

# The EICAR test string, kept encoded so no file carries it literally.
EICAR = base64.b64decode("WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo=")


def message(body: str = "Hello,\nsee attached.\n", subject: str = "Test") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "Alice Example <alice@example.com>"
    msg["To"] = "bob@example.net, Carol <carol@example.org>"
    msg["Subject"] = subject
    msg["Message-ID"] = "<test-1@example.com>"
    msg.set_content(body)
    return msg


def with_attachment(data: bytes, filename: str, mime: str = "application/octet-stream") -> bytes:
    msg = message()
    maintype, subtype = mime.split("/", 1)
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def make_zip(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buf.getvalue()


def make_tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def make_7z(files: dict[str, bytes], password: str | None = None) -> bytes:
    buf = io.BytesIO()
    with py7zr.SevenZipFile(buf, "w", password=password) as archive:
        for name, data in files.items():
            archive.writestr(data, name)
    return buf.getvalue()


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def bz(data: bytes) -> bytes:
    return bz2.compress(data)


def xz(data: bytes) -> bytes:
    return lzma.compress(data)


def zero_gzip(gib: int) -> bytes:
    """A valid multi-member gzip that expands to ``gib`` GiB of zeros."""
    one_mib = gzip.compress(bytes(1024 * 1024), compresslevel=9, mtime=0)
    return one_mib * (1024 * gib)


def minimal_pe() -> bytes:
    """A PE32 header libmagic recognises as a Windows executable."""
    dos = b"MZ" + bytes(58) + struct.pack("<I", 64)
    coff = b"PE\x00\x00" + struct.pack("<HHIIIHH", 0x14C, 1, 0, 0, 0, 0xE0, 0x0102)
    optional = bytearray(struct.pack("<H", 0x10B) + bytes(0xE0 - 2))
    struct.pack_into("<H", optional, 68, 2)  # subsystem: Windows GUI
    return dos + coff + bytes(optional) + bytes(512)


def minimal_elf() -> bytes:
    ident = b"\x7fELF\x02\x01\x01" + bytes(9)
    return ident + struct.pack("<HHI", 2, 62, 1) + bytes(100)


def minimal_png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def minimal_pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def macro_docx() -> bytes:
    return make_zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document/>",
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64),
        }
    )


def plain_docx() -> bytes:
    return make_zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document/>",
        }
    )


JAVASCRIPT = (
    b"var shell = new ActiveXObject('WScript.Shell');\n"
    b"function run(cmd) { shell.Run(cmd, 0); }\n"
    b"run('powershell -nop -w hidden');\n"
)


def pdf_with_link(uri: str, *, compressed: bool = False, hex_string: bool = False) -> bytes:
    """A one-page PDF whose only content is a link annotation to ``uri``.

    ``compressed`` keeps the annotation in a Flate-compressed object stream,
    as PDF 1.5+ writers do; ``hex_string`` writes the URI as a hex string.
    """
    value = f"<{uri.encode().hex()}>" if hex_string else "(" + uri.replace("(", "\\(").replace(")", "\\)") + ")"
    annot = f"<< /Type /Annot /Subtype /Link /Rect [72 600 300 640] /A << /S /URI /URI {value} >> >>".encode()
    head = (b"%PDF-1.5\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
            b"2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
            b"3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [4 0 R] >>\nendobj\n")
    if compressed:
        body = zlib.compress(b"4 0 " + annot)
        objects = (b"5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length "
                   + str(len(body)).encode() + b" >>\nstream\n" + body + b"\nendstream\nendobj\n")
    else:
        objects = b"4 0 obj\n" + annot + b"\nendobj\n"
    return head + objects + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def qr_image(text: str, fmt: str = "PNG", scale: int = 4, canvas: int = 0) -> bytes:
    """An image holding a QR code of ``text`` (on a white ``canvas`` of that size when given)."""
    import zxingcpp
    from PIL import Image

    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=scale)
    height, width = code.shape[:2]
    image = Image.frombytes("L", (width, height), memoryview(code).tobytes())
    if canvas:
        page = Image.new("L", (canvas, canvas), 255)
        page.paste(image, ((canvas - width) // 2, (canvas - height) // 2))
        image = page
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()
