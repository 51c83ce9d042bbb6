"""Recursive, in-memory archive unpacking under hard limits.

Containers are recognised by their true type (never by name), opened by
the reader registered for that type in :mod:`mailflow.mime.readers`, and
every member is classified and, if it is itself a container, opened in
turn up to ``Limits.max_depth``. Nothing is written to disk. Whatever
could not be looked inside becomes an :class:`ArchiveFact`. See
``docs/mime.md``.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field

from mailflow.mime.classify import classify
from mailflow.mime.extraction import Budget, Extraction, Member, StopContainer
from mailflow.mime.readers import reader_for
from mailflow.mime.types import ArchiveFact, Limits, Part


@dataclass(slots=True)
class Unpacked:
    """Members (depth-first, in archive order) and facts of one part."""

    members: list[Part] = field(default_factory=list)
    facts: list[ArchiveFact] = field(default_factory=list)


def unpack(part: Part, limits: Limits | None = None, budget: Budget | None = None) -> Unpacked:
    """Unpack ``part`` if it is a container; a no-op for anything else.

    Pass one ``budget`` for all parts of a message so the totals apply
    to the message as a whole.
    """
    budget = budget or Budget(limits or Limits())
    result = Unpacked()
    _expand(part, budget, result)
    return result


def _expand(part: Part, budget: Budget, result: Unpacked) -> None:
    reader = reader_for(part.true_type)
    if reader is None:
        if part.family == "archive":
            result.facts.append(ArchiveFact(part.path, "unscannable", f"no reader for {part.true_type}"))
        return
    if budget.bomb_at:
        _note_stop(part, budget, result)
        return
    if part.depth >= budget.limits.max_depth:
        detail = f"archive nested deeper than {budget.limits.max_depth} levels"
        result.facts.append(ArchiveFact(part.path, "depth_exceeded", detail))
        return
    ex = Extraction(part.path, len(part.data), budget)
    try:
        reader(ex, part.data, part.filename)
    except StopContainer:
        pass
    except Exception as exc:  # corrupt input can fail in any library
        ex.fact("unscannable", f"corrupt {part.true_type}: {type(exc).__name__}: {exc}")
    result.facts.extend(ex.facts)
    _mark_encrypted(part, ex)
    for member in ex.members:
        child = _member_part(part, member)
        result.members.append(child)
        _expand(child, budget, result)


def _note_stop(part: Part, budget: Budget, result: Unpacked) -> None:
    """After a bomb, containers stay closed; say so once per message."""
    if not budget.stop_noted:
        budget.stop_noted = True
        detail = f"not opened: decompression bomb found at {budget.bomb_at}"
        result.facts.append(ArchiveFact(part.path, "unscannable", detail))


def _mark_encrypted(part: Part, ex: Extraction) -> None:
    own = any(f.kind == "encrypted" and f.path == part.path for f in ex.facts)
    if own or any(member.encrypted for member in ex.members):
        part.encrypted = True
        part.family = "encrypted"


def _member_part(parent: Part, member: Member) -> Part:
    name = member.name.replace("\\", "/").lstrip("/") or "unnamed"
    guessed, _ = mimetypes.guess_type(name, strict=False)
    part = Part(
        path=f"{parent.path}/{name}",
        data=member.data,
        filename=member.name,
        content_type=guessed or "application/octet-stream",
        disposition="attachment",
        depth=parent.depth + 1,
        parent=parent.path,
        encrypted=member.encrypted,
    )
    classify(part)
    if member.encrypted:
        part.true_type, part.true_desc = "application/octet-stream", "encrypted archive member"
        part.family = "encrypted"
    return part
