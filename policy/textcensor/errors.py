"""Errors raised while parsing and compiling TextCensor scripts.

See docs/textcensor.md ("Errors").
"""

from __future__ import annotations


class TextCensorError(Exception):
    """Base class for every TextCensor error."""


class TextCensorSyntaxError(TextCensorError):
    """A script cannot be parsed or compiled.

    ``line`` and ``column`` are 1-based and point at the offending character
    so a console can underline it; ``script`` names the script when the error
    comes from :func:`compile_scripts`.
    """

    def __init__(self, message: str, line: int, column: int, script: str | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        self.script = script
        super().__init__(self._render())

    def _render(self) -> str:
        where = f"line {self.line}, column {self.column}: {self.message}"
        return f"{self.script}: {where}" if self.script else where

    def with_script(self, script: str) -> TextCensorSyntaxError:
        """Return a copy of this error naming the script it came from."""
        return TextCensorSyntaxError(self.message, self.line, self.column, script)

    def __reduce__(self) -> tuple[object, ...]:
        return (TextCensorSyntaxError, (self.message, self.line, self.column, self.script))
