"""Keep the Node rows (provider-wide status) in step with the heartbeats nodes publish (docs/mailflow.md)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django_tenants.utils import schema_context

from tenants.models import Array, Node


def record_heartbeats(rows: list[dict]) -> int:
    """Upsert one Node per node name seen in the heartbeats; returns how many were updated."""
    latest: dict[str, dict] = {}
    for row in rows:
        if row["node"] not in latest or row["ts"] > latest[row["node"]]["ts"]:
            latest[row["node"]] = row
    roles = {}
    for row in rows:
        roles.setdefault(row["node"], set()).add(row["role"])
    with schema_context("public"):
        array, _ = Array.objects.get_or_create(slug=settings.SPE_DEFAULT_ARRAY,
                                               defaults={"name": settings.SPE_DEFAULT_ARRAY.title()})
        for name, row in latest.items():
            role = Node.Role.ALL if roles[name] >= {"receiver", "engine"} else (
                Node.Role.RECEIVER if "receiver" in roles[name] else Node.Role.ENGINE)
            values = {"last_heartbeat": datetime.fromtimestamp(row["ts"], tz=UTC), "role": role,
                      "version": row.get("version", "")}
            Node.objects.update_or_create(hostname=name, defaults=values, create_defaults={**values, "array": array})
    return len(latest)
