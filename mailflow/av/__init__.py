"""Antivirus engines behind one scanner interface; see docs/antivirus.md."""

from mailflow.av.base import Finding, ScanItem, Scanner, ScannerUnavailable, ScanReport
from mailflow.av.multi import MultiScanner

__all__ = [
    "Finding",
    "MultiScanner",
    "ScanItem",
    "ScanReport",
    "Scanner",
    "ScannerUnavailable",
]
