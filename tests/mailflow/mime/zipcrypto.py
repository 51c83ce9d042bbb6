"""A tiny ZipCrypto ("traditional PKWARE") writer for encrypted-zip tests."""

from __future__ import annotations

import struct
import zlib


def _table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xEDB88320 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _table()


class _Keys:
    def __init__(self, password: bytes) -> None:
        self.k0, self.k1, self.k2 = 0x12345678, 0x23456789, 0x34567890
        for byte in password:
            self.update(byte)

    def update(self, byte: int) -> None:
        self.k0 = (self.k0 >> 8) ^ _TABLE[(self.k0 ^ byte) & 0xFF]
        self.k1 = ((self.k1 + (self.k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        self.k2 = (self.k2 >> 8) ^ _TABLE[(self.k2 ^ (self.k1 >> 24)) & 0xFF]

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            temp = (self.k2 | 2) & 0xFFFF
            out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
            self.update(byte)
        return bytes(out)


def encrypted_zip(name: str, data: bytes, password: bytes) -> bytes:
    """A one-member, stored, ZipCrypto-encrypted zip archive."""
    crc = zlib.crc32(data)
    keys = _Keys(password)
    header = bytes(11) + bytes([crc >> 24])
    body = keys.encrypt(header) + keys.encrypt(data)
    raw_name = name.encode()
    fields = struct.pack("<HHHHHIII", 20, 0x1, 0, 0, 0, crc, len(body), len(data))
    local = b"PK\x03\x04" + fields + struct.pack("<HH", len(raw_name), 0) + raw_name
    central = (
        b"PK\x01\x02"
        + struct.pack("<H", 20)
        + fields
        + struct.pack("<HHHHHII", len(raw_name), 0, 0, 0, 0, 0, 0)
        + raw_name
    )
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 1, 1, len(central), len(local) + len(body), 0)
    return local + body + central + end
