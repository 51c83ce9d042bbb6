"""Quarantine index, permissions, sender allow-list and feedback, per customer schema (docs/quarantine.md).

The raw message lives in the message store (``mailflow.store``) under
``store_key``; one ``QuarantineItem`` per held recipient points at it.
Items are written by the message log flusher (``mailflow.msglog``) from the
worker's log record, never by the worker itself.
"""

from __future__ import annotations

from django.db import models

CATEGORY_SPAM = "spam"
CATEGORY_VIRUS = "virus"
CATEGORY_POLICY = "policy"
CATEGORY_ATTACHMENT = "attachment"
CATEGORY_UNSCANNABLE = "unscannable"
STANDARD_CATEGORIES = (CATEGORY_SPAM, CATEGORY_VIRUS, CATEGORY_POLICY, CATEGORY_ATTACHMENT, CATEGORY_UNSCANNABLE)


class QuarantineItem(models.Model):
    """One held message for one recipient, in a folder (``category``)."""

    class Status(models.TextChoices):
        HELD = "held", "Held"
        RELEASED = "released", "Released"
        DELETED = "deleted", "Deleted"

    spool_id = models.CharField(max_length=32)
    recipient = models.CharField(max_length=254)
    store_key = models.CharField(max_length=64)
    category = models.SlugField(max_length=40)
    reason = models.CharField(max_length=500, blank=True)
    rule = models.CharField(max_length=200, blank=True)  # the rule that held it, if a rule did
    direction = models.CharField(max_length=8, default="inbound")
    mail_from = models.CharField(max_length=254, blank=True)
    from_header = models.CharField(max_length=300, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    size = models.PositiveIntegerField(default=0)
    score = models.FloatField(default=0.0)
    received = models.DateTimeField()
    held_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    handled_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["-received", "-id"]
        constraints = [models.UniqueConstraint(fields=["spool_id", "recipient"], name="quarantine_item_once")]
        indexes = [
            models.Index(fields=["recipient", "status"], name="quarantine_rcpt_status"),
            models.Index(fields=["category", "status"], name="quarantine_cat_status"),
            models.Index(fields=["store_key"], name="quarantine_store_key"),
        ]

    def __str__(self) -> str:
        return f"{self.spool_id} for {self.recipient} ({self.category})"


class QuarantinePermission(models.Model):
    """Whether a role may take an action on a folder; missing rows fall back to safe defaults."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Customer administrator"
        SUB_ADMIN = "sub_admin", "Sub-administrator"
        END_USER = "end_user", "End user"

    class Action(models.TextChoices):
        VIEW = "view", "View headers and safe rendering"
        RELEASE = "release", "Release"
        ALLOW_SENDER = "allow_sender", "Release and allow-list the sender"
        REPORT = "report", "Report as spam / not spam"
        DELETE = "delete", "Delete"
        FORWARD = "forward", "Forward a copy"
        DOWNLOAD = "download", "Download .eml"

    category = models.SlugField(max_length=40)
    role = models.CharField(max_length=10, choices=Role.choices)
    action = models.CharField(max_length=16, choices=Action.choices)
    allowed = models.BooleanField(default=False)

    class Meta:
        ordering = ["category", "role", "action"]
        constraints = [models.UniqueConstraint(fields=["category", "role", "action"], name="quarantine_perm_once")]

    def __str__(self) -> str:
        return f"{self.role} {self.action} {self.category}: {'yes' if self.allowed else 'no'}"


class QuarantineFeedback(models.Model):
    """A spam / not-spam report on a held message, for the classifier to learn from."""

    class Label(models.TextChoices):
        SPAM = "spam", "Spam"
        HAM = "ham", "Not spam"

    spool_id = models.CharField(max_length=32)
    store_key = models.CharField(max_length=64)
    recipient = models.CharField(max_length=254)
    label = models.CharField(max_length=4, choices=Label.choices)
    reported_by = models.CharField(max_length=254, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    learned = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created"]
        constraints = [models.UniqueConstraint(fields=["spool_id", "recipient"], name="quarantine_feedback_once")]

    def __str__(self) -> str:
        return f"{self.spool_id} reported {self.label}"


class QuarantineSettings(models.Model):
    """The customer's digest schedule (one row per schema)."""

    digest_enabled = models.BooleanField(default=True)
    digest_interval_hours = models.PositiveIntegerField(default=24)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "quarantine settings"

    def __str__(self) -> str:
        return "Quarantine settings"

    @classmethod
    def get(cls) -> QuarantineSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj
