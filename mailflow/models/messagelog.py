"""The message log, one row per spool entry, in the customer's schema (docs/mailflow.md)."""

from __future__ import annotations

from django.db import models


class MessageLog(models.Model):
    """One row per spooled message: what came in, what the checks saw, where it went.

    Written in batches by ``mailflow.msglog.flush`` (never per message on the
    mail path); a message's row is updated as it moves (deferred, then
    delivered or bounced).
    """

    class State(models.TextChoices):
        DELIVERED = "delivered", "Delivered"
        QUARANTINED = "quarantined", "Quarantined"
        BOUNCED = "bounced", "Bounced"
        DELETED = "deleted", "Deleted"
        DEFERRED = "deferred", "Deferred"
        PARTIAL = "partial", "Partly delivered"

    spool_id = models.CharField(max_length=32, unique=True)
    received = models.DateTimeField(db_index=True)
    direction = models.CharField(max_length=8)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    helo = models.CharField(max_length=255, blank=True)
    tls = models.BooleanField(default=False)
    mail_from = models.CharField(max_length=254, blank=True, db_index=True)
    recipients = models.JSONField(default=list)  # [{"address", "status", "code", "reply"}]
    subject = models.CharField(max_length=998, blank=True)
    size = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0.0)
    symbols = models.JSONField(default=list)  # [[name, score, detail], ...]
    facts = models.JSONField(default=dict)
    rules = models.JSONField(default=list)
    actions = models.JSONField(default=list)
    state = models.CharField(max_length=12, choices=State.choices, db_index=True)
    remote_reply = models.CharField(max_length=500, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=1)
    updated = models.DateTimeField()

    class Meta:
        ordering = ["-received"]

    def __str__(self) -> str:
        return f"{self.spool_id} {self.state}"
