"""Real .eml fixtures with their expected parse beside them.

Each ``tests/fixtures/mail/mime/NAME.eml`` has ``NAME.expected.json``; a
change in what the parser reports shows up as a reviewable diff. To
refresh after an intended change: ``python -m tests.mailflow.mime.test_fixtures``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mailflow.mime import parse_message

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "mail" / "mime"
CASES = sorted(FIXTURES.glob("*.eml"))


def summary(raw: bytes) -> dict[str, Any]:
    parsed = parse_message(raw)
    return {
        "subject": parsed.subject,
        "from": parsed.from_,
        "to": parsed.to,
        "text_bodies": parsed.text_bodies,
        "html_bodies": parsed.html_bodies,
        "parts": [
            {
                "path": p.path,
                "filename": p.filename,
                "true_type": p.true_type,
                "family": p.family,
                "body": p.is_body_text,
                "size": p.size,
                "type_mismatch": p.type_mismatch,
                "has_macros": p.has_macros,
                "encrypted": p.encrypted,
            }
            for p in parsed.parts
        ],
        "archive_facts": [[f.path, f.kind] for f in parsed.archive_facts],
        "defects": parsed.defects,
    }


def _expected_path(eml: Path) -> Path:
    return eml.with_suffix(".expected.json")


def test_every_fixture_has_an_expectation():
    assert CASES
    assert all(_expected_path(eml).exists() for eml in CASES)


@pytest.mark.parametrize("eml", CASES, ids=lambda p: p.stem)
def test_fixture_parses_as_expected(eml: Path):
    expected = json.loads(_expected_path(eml).read_text())
    assert summary(eml.read_bytes()) == expected


def _refresh() -> None:
    for eml in CASES:
        text = json.dumps(summary(eml.read_bytes()), indent=2, ensure_ascii=False)
        _expected_path(eml).write_text(text + "\n")


if __name__ == "__main__":
    _refresh()
