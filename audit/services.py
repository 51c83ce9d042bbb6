"""Writing the audit log: one function, called inside the caller's transaction.

See docs/audit.md. ``record`` writes to the schema the connection is on, so
provider services call it in public and customer services inside
``tenant_context``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from audit import events
from audit.models import AuditEvent


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted: a provider or customer user, an end user, the system or a token."""

    type: str
    id: str = ""
    name: str = ""
    ip: str | None = None

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(type=AuditEvent.ActorType.SYSTEM, name=name)

    @classmethod
    def from_user(cls, user: Any, *, actor_type: str, ip: str | None = None) -> Actor:
        return cls(type=actor_type, id=str(user.pk), name=user.get_username(), ip=ip)


def record(
    event_type: str,
    *,
    actor: Actor,
    target: Any = None,
    before: dict | None = None,
    after: dict | None = None,
    detail: str = "",
) -> AuditEvent:
    """Write one audit row for ``event_type`` (an ``audit.events`` constant)."""
    if event_type not in events.ALL:
        raise ValueError(f"unknown audit event type {event_type!r}")
    return AuditEvent.objects.create(
        event_type=event_type,
        actor_type=actor.type,
        actor_id=actor.id,
        actor_name=actor.name,
        ip=actor.ip,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "") or ""),
        target_repr=str(target)[:254] if target is not None else "",
        before=before,
        after=after,
        detail=detail,
    )
