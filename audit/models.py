"""One audit model, in the public schema and in every customer schema.

Provider events (customers created, suspended...) land in public; a
customer's own events land in its schema, because the row is written in
whichever schema the connection is on (docs/audit.md).
"""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    """Who did what to which object, with the state before and after."""

    class ActorType(models.TextChoices):
        PROVIDER = "provider", "Provider staff"
        CUSTOMER = "customer", "Customer user"
        END_USER = "end_user", "End user"
        SYSTEM = "system", "System"
        API = "api", "API token"

    event_type = models.CharField(max_length=64, db_index=True)
    occurred = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_type = models.CharField(max_length=16, choices=ActorType.choices)
    actor_id = models.CharField(max_length=64, blank=True)
    actor_name = models.CharField(max_length=254, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=254, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["-occurred", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.occurred:%Y-%m-%d %H:%M} {self.actor_name or self.actor_type} {self.event_type}"
