"""The archive reader registry is complete and refuses double claims."""

from __future__ import annotations

import pkgutil

import pytest

from mailflow.mime import readers


def test_every_reader_module_is_registered():
    registered = {reader.__module__ for reader in readers.READERS.values()}
    modules = {f"{readers.__name__}.{info.name}" for info in pkgutil.iter_modules(readers.__path__)}
    assert modules == registered


def test_reader_lookup_is_by_true_type():
    assert readers.reader_for("application/zip") is readers.READERS["application/zip"]
    assert readers.reader_for("application/vnd.ms-cab-compressed") is None


def test_a_type_claimed_twice_fails_at_import(monkeypatch: pytest.MonkeyPatch):
    doubled = (*readers._FORMATS, (readers.read_zip, ("application/x-tar",)))
    monkeypatch.setattr(readers, "_FORMATS", doubled)
    with pytest.raises(ValueError, match="application/x-tar"):
        readers._build()
