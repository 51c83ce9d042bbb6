"""The provider-managed SHA-256 blocklist engine."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from mailflow.av.base import Finding, ScanItem
from mailflow.av.hashlist import HashListScanner

OUTBREAK = b"%PDF-1.7 payload seen in this morning's campaign"
DIGEST = hashlib.sha256(OUTBREAK).hexdigest()


def test_listed_attachment_is_found_and_others_are_not() -> None:
    scanner = HashListScanner({DIGEST: "Outbreak.2025-06-01"})
    findings = scanner.scan([ScanItem("1", b"hello"), ScanItem("2/doc.pdf", OUTBREAK)])
    assert findings == [Finding("hashlist", "2/doc.pdf", "HashList.Outbreak.2025-06-01")]


def test_plain_set_of_hashes_uses_a_default_label() -> None:
    scanner = HashListScanner({DIGEST.upper()})
    assert scanner.scan([ScanItem("a", OUTBREAK)])[0].signature == "HashList.blocked"
    assert DIGEST in scanner
    assert scanner.scan([ScanItem("b", OUTBREAK + b" ")]) == []


def test_hash_list_file_with_comments_and_labels(tmp_path: Path) -> None:
    other = hashlib.sha256(b"other").hexdigest()
    listing = tmp_path / "blocklist.txt"
    listing.write_text(
        f"# outbreak response list\n\n{DIGEST}\tOutbreak.Qakbot  # from the abuse desk\n{other}\n"
    )
    scanner = HashListScanner.from_file(listing)
    assert len(scanner) == 2
    found = scanner.scan([ScanItem("x", OUTBREAK), ScanItem("y", b"other")])
    assert [f.signature for f in found] == ["HashList.Outbreak.Qakbot", "HashList.blocked"]


def test_typo_in_hash_list_is_rejected_with_its_line(tmp_path: Path) -> None:
    listing = tmp_path / "blocklist.txt"
    listing.write_text(f"{DIGEST}\nd41d8cd98f00b204e9800998ecf8427e md5-not-sha256\n")
    with pytest.raises(ValueError, match=r"blocklist.txt:2: not a SHA-256"):
        HashListScanner.from_file(listing)
