"""A customer's policy settings, in the customer's schema (docs/policy.md).

The rules, lists and TextCensor scripts come with the policy engine; this
module holds the per-customer settings every message needs: spam
thresholds, retention, and limits that override the plan's.
"""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models


class CustomerPolicy(models.Model):
    """One row per customer schema: the customer's thresholds and limits."""

    spam_tag_score = models.FloatField(default=5.0)
    spam_quarantine_score = models.FloatField(default=8.0)
    spam_delete_score = models.FloatField(default=15.0)
    spam_subject_tag = models.CharField(max_length=40, blank=True, default="[SPAM]")
    quarantine_retention_days = models.PositiveIntegerField(default=30, validators=[MinValueValidator(1)])
    max_message_bytes = models.PositiveIntegerField(null=True, blank=True, help_text="Overrides the plan")
    max_recipients = models.PositiveIntegerField(null=True, blank=True, help_text="Overrides the plan")
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "customer policy"

    def __str__(self) -> str:
        return "Customer policy"

    @classmethod
    def get(cls) -> CustomerPolicy:
        """The schema's single row, created with defaults when missing."""
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj
