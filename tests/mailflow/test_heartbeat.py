"""Node status shows a broken scanner or a damaged spam model."""

from __future__ import annotations

from mailflow.checks import resources
from mailflow.heartbeat import engine_health


def test_health_reports_clamd_and_model_ok(settings):
    from pathlib import Path

    settings.SPE_CLAMD_SOCKET = str(Path(__file__).resolve().parents[2] / "var" / "clamav" / "clamd.sock")
    resources.reset_all()
    assert engine_health() == {"clamd": "ok", "spam_model": "ok", "html_parser": "ok"}


def test_health_reports_unreachable_clamd_and_damaged_model(settings, tmp_path):
    damaged = tmp_path / "model.bin"
    damaged.write_bytes(b"SPEM\x01" + b"\x00" * 40)
    settings.SPE_CLAMD_SOCKET = str(tmp_path / "nothing.sock")
    settings.SPE_SPAM_MODEL = str(damaged)
    resources.reset_all()
    try:
        health = engine_health()
    finally:
        resources.reset_all()
    assert health["clamd"].startswith("unreachable")
    assert health["spam_model"].startswith("unusable")


def test_health_reports_a_python_whose_html_parser_lacks_the_fix(settings, monkeypatch):
    from mailflow.spam import htmltext

    monkeypatch.setattr(htmltext, "stdlib_parser_is_linear", lambda: False)
    assert engine_health()["html_parser"] == "quadratic on unclosed tags (CVE-2025-6069)"


def test_this_python_has_the_html_parser_fix():
    """scripts/bootstrap.sh upgrades Debian's python3.11 until this holds (CVE-2025-6069)."""
    from mailflow.spam.htmltext import stdlib_parser_is_linear

    assert stdlib_parser_is_linear()
