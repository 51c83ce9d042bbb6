"""MIME parsing, recursive archive unpacking and true file types.

The engine calls :func:`parse_message` once per message; every check reads
the resulting :class:`ParsedMessage`. See ``docs/mime.md``.
"""

from mailflow.mime.parse import parse_message
from mailflow.mime.types import ArchiveFact, Limits, ParsedMessage, Part

__all__ = ["ArchiveFact", "Limits", "ParsedMessage", "Part", "parse_message"]
