"""YARA engine: the project's own rules for what signature scanners miss.

The shipped rules in ``mailflow/av/rules/*.yar`` cover auto-executing Office
macros, HTML smuggling and phishing forms, and script droppers.  Rules are
compiled once per process and rules folder.  OOXML documents (``.docm``,
``.xlsm``...) keep their macros deflated inside the zip, so the engine also
scans each ``vbaProject.bin`` member of such a zip, bounded in size and
count.  See docs/antivirus.md.
"""

from __future__ import annotations

import functools
import io
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import yara

from mailflow.av.base import Finding, ScanItem, ScannerUnavailable

RULES_DIR = Path(__file__).resolve().parent / "rules"
MAX_MEMBER_BYTES = 32 * 1024 * 1024
MAX_MACRO_MEMBERS = 16


@functools.lru_cache(maxsize=8)
def compile_rules(rules_dir: str) -> yara.Rules:
    """Compile every ``*.yar`` in ``rules_dir`` (namespaced by file stem), once."""
    paths = sorted(Path(rules_dir).glob("*.yar"))
    if not paths:
        raise FileNotFoundError(f"no YARA rules (*.yar) in {rules_dir}")
    return yara.compile(filepaths={path.stem: str(path) for path in paths}, error_on_warning=True)


def _macro_members(item: ScanItem) -> Iterator[ScanItem]:
    """Yield the ``vbaProject.bin`` members of an OOXML zip, if any."""
    if not item.data.startswith(b"PK\x03\x04"):
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(item.data))
        infos = [
            info
            for info in archive.infolist()
            if info.filename.lower().endswith("vbaproject.bin")
            and info.file_size <= MAX_MEMBER_BYTES
        ]
        for info in infos[:MAX_MACRO_MEMBERS]:
            yield ScanItem(f"{item.path}/{info.filename}", archive.read(info))
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, ValueError):
        return  # not a readable zip: the item itself is still scanned


class YaraScanner:
    """The ``yara`` engine.  Thread-safe: compiled rules are shared read-only."""

    in_process = True  # CPU work in this process: MultiScanner runs it without a thread hand-off

    def __init__(
        self,
        rules_dir: str | Path = RULES_DIR,
        *,
        timeout: float = 10.0,
        name: str = "yara",
    ) -> None:
        self.name = name
        self.timeout = timeout
        self.rules = compile_rules(str(Path(rules_dir).resolve()))

    def scan(self, items: Sequence[ScanItem]) -> list[Finding]:
        """Match the rules against every item and its macro members."""
        findings: list[Finding] = []
        for item in items:
            findings.extend(self._match(item))
            for member in _macro_members(item):
                findings.extend(self._match(member))
        return findings

    def _match(self, item: ScanItem) -> list[Finding]:
        try:
            matches = self.rules.match(data=item.data, timeout=max(1, round(self.timeout)))
        except yara.TimeoutError as exc:
            raise ScannerUnavailable(f"yara timed out on {item.path}") from exc
        except yara.Error as exc:
            raise ScannerUnavailable(f"yara failed on {item.path}: {exc}") from exc
        return [Finding(self.name, item.path, f"YARA.{match.rule}") for match in matches]
