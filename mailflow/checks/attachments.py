"""Attachment and archive facts from the shared parse (docs/mailflow.md).

Turns the parse's archive findings and true types into symbols and facts
that policy rules act on: archive bombs, encrypted or unscannable content,
and files whose true type disagrees with their name.
"""

from __future__ import annotations

from mailflow.checks.base import Check, SymbolSpec
from mailflow.engine.context import MessageContext

_KIND_SYMBOL = {
    "bomb": "ARCHIVE_BOMB",
    "too_large": "ARCHIVE_BOMB",
    "too_many_members": "ARCHIVE_BOMB",
    "depth_exceeded": "ARCHIVE_TOO_DEEP",
    "encrypted": "ARCHIVE_ENCRYPTED",
    "unscannable": "UNSCANNABLE",
}


class AttachmentFacts(Check):
    name = "attachments"
    description = "True types of every part and archive member; archive limits"
    symbols = (
        SymbolSpec("ARCHIVE_BOMB", 0.0, "An archive exceeds the expansion, ratio or member limits"),
        SymbolSpec("ARCHIVE_TOO_DEEP", 0.0, "Archives nested deeper than the limit"),
        SymbolSpec("ARCHIVE_ENCRYPTED", 0.0, "An archive or member is encrypted and cannot be scanned"),
        SymbolSpec("UNSCANNABLE", 0.0, "A part or archive could not be read"),
        SymbolSpec("TYPE_MISMATCH", 1.0, "A file's true type disagrees with its name or declared type"),
        SymbolSpec("EXECUTABLE_ATTACHED", 2.0, "An executable file is attached (possibly inside an archive)"),
    )
    time_budget = 2.0

    def run(self, ctx: MessageContext) -> None:
        parsed = ctx.parsed
        seen: set[str] = set()
        for fact in parsed.archive_facts:
            symbol = _KIND_SYMBOL.get(fact.kind, "UNSCANNABLE")
            if symbol not in seen:
                self.hit(ctx, symbol, f"{fact.path}: {fact.detail}"[:200])
                seen.add(symbol)
        attachments = []
        for part in parsed.attachments:
            attachments.append({
                "path": part.path, "name": part.filename, "declared": part.content_type,
                "true_type": part.true_type, "family": part.family, "size": part.size,
                "depth": part.depth, "mismatch": part.type_mismatch,
            })
            if part.type_mismatch and "TYPE_MISMATCH" not in seen:
                self.hit(ctx, "TYPE_MISMATCH", f"{part.filename or part.path} is {part.true_type}")
                seen.add("TYPE_MISMATCH")
            if part.family == "executable" and "EXECUTABLE_ATTACHED" not in seen:
                self.hit(ctx, "EXECUTABLE_ATTACHED", part.filename or part.path)
                seen.add("EXECUTABLE_ATTACHED")
        ctx.facts["attachments"] = attachments
        ctx.facts["archive_facts"] = [(f.path, f.kind) for f in parsed.archive_facts]
        ctx.facts["max_depth"] = max((p.depth for p in parsed.parts), default=0)
