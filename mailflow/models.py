"""A customer's mail directory, in the customer's schema (docs/mailflow.md).

Mailboxes, aliases and groups: who the customer's users are, used to refuse
unknown recipients at the SMTP edge and by rules that target groups.
"""

from __future__ import annotations

from django.db import models


class Mailbox(models.Model):
    """One end user's mailbox address."""

    address = models.EmailField(max_length=254, unique=True)
    display_name = models.CharField(max_length=200, blank=True)
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["address"]

    def __str__(self) -> str:
        return self.address

    def save(self, *args, **kwargs) -> None:
        self.address = self.address.strip().lower()
        super().save(*args, **kwargs)


class Alias(models.Model):
    """Another address that delivers to a mailbox."""

    address = models.EmailField(max_length=254, unique=True)
    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        ordering = ["address"]
        verbose_name_plural = "aliases"

    def __str__(self) -> str:
        return self.address

    def save(self, *args, **kwargs) -> None:
        self.address = self.address.strip().lower()
        super().save(*args, **kwargs)


class Group(models.Model):
    """A named set of mailboxes that rules can target."""

    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(Mailbox, related_name="mail_groups", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
