"""The TextCensor scripts shipped with the gateway (``*.tcs`` files here).

See docs/textcensor.md ("Default scripts").
"""

from __future__ import annotations

from importlib import resources


def load_default_scripts() -> dict[str, str]:
    """Return ``{name: source}`` for every shipped script, e.g. ``"profanity"``."""
    folder = resources.files(__package__)
    scripts = {}
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.name.endswith(".tcs"):
            scripts[entry.name.removesuffix(".tcs")] = entry.read_text(encoding="utf-8")
    return scripts
