"""Archive index and legal holds, per customer schema (docs/archive.md).

One ``ArchiveMessage`` per delivered spool entry of a customer whose plan
includes archiving; the raw message is in the message store under
``store_key``. Rows are written in batches by the message log flusher,
which also fills ``search_vector`` (subject and body text).
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models

FTS_CONFIG = "english"


class ArchiveMessage(models.Model):
    spool_id = models.CharField(max_length=32, unique=True)
    store_key = models.CharField(max_length=64)
    direction = models.CharField(max_length=8)
    received = models.DateTimeField()
    mail_from = models.CharField(max_length=254, blank=True)
    sender_domain = models.CharField(max_length=253, blank=True)
    from_header = models.CharField(max_length=300, blank=True)
    recipients = ArrayField(models.CharField(max_length=254), default=list)
    subject = models.CharField(max_length=998, blank=True)
    size = models.PositiveIntegerField(default=0)
    attachment_names = ArrayField(models.CharField(max_length=255), default=list, blank=True)
    search_vector = SearchVectorField(null=True)
    subject_vector = models.GeneratedField(
        expression=SearchVector("subject", config=FTS_CONFIG), output_field=SearchVectorField(), db_persist=True,
    )
    archived_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received", "-id"]
        indexes = [
            models.Index(fields=["-received", "-id"], name="archive_received"),
            models.Index(fields=["mail_from", "-received"], name="archive_sender"),
            models.Index(fields=["sender_domain", "-received"], name="archive_sender_domain"),
            models.Index(fields=["size"], name="archive_size"),
            models.Index(fields=["store_key"], name="archive_store_key"),
            GinIndex(fields=["recipients"], name="archive_recipients"),
            GinIndex(fields=["attachment_names"], name="archive_attachments"),
            GinIndex(fields=["search_vector"], name="archive_fts"),
            GinIndex(fields=["subject_vector"], name="archive_subject_fts"),
        ]

    def __str__(self) -> str:
        return f"{self.spool_id} {self.subject[:60]}"


class LegalHold(models.Model):
    """While active, archived mail of the customer (``address`` blank) or of one mailbox is never purged."""

    address = models.CharField(max_length=254, blank=True, help_text="Blank: the whole customer")
    reason = models.CharField(max_length=300)
    active = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=254, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"legal hold on {self.address or 'the whole customer'}"


class ArchiveSettings(models.Model):
    """A customer's override of its plan's archive retention (one row per schema)."""

    retention_days = models.PositiveIntegerField(null=True, blank=True, help_text="Blank: the plan's retention")
    end_users_may_search = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "archive settings"

    def __str__(self) -> str:
        return "Archive settings"

    @classmethod
    def get(cls) -> ArchiveSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj
