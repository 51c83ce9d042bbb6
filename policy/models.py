"""Policy data: rules, packages, TextCensor scripts, allow/block lists, settings.

See docs/policy.md. The ``policy`` app lives in both the public schema and
every customer schema. In public, rows belong to the provider: global and
array rules, rule packages with their rules, provider scripts and the
provider-wide lists. In a customer's schema, rows belong to that customer:
its own rules, the packages it switched on, its scripts, lists and
per-user lists, and its settings. Rows are written only through
``policy.services``; workers read them only through compiled snapshots.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models


class Level(models.TextChoices):
    GLOBAL = "global", "Global (every customer)"
    ARRAY = "array", "Array (customers on one array)"
    PACKAGE = "package", "Package (customers who switch it on)"
    CUSTOMER = "customer", "Customer-defined"
    PREDELIVERY = "predelivery", "Before final delivery (global or array)"


PROVIDER_LEVELS = {Level.GLOBAL, Level.ARRAY, Level.PACKAGE, Level.PREDELIVERY}


class RulePackage(models.Model):
    """A named rule set the provider defines once and customers switch on (public schema)."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Rule(models.Model):
    """When the conditions match a message, apply the actions (docs/policy.md)."""

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"
        BOTH = "both", "Both"

    class Match(models.TextChoices):
        ALL = "all", "All conditions"
        ANY = "any", "Any condition"

    name = models.CharField(max_length=120)
    level = models.CharField(max_length=12, choices=Level.choices, default=Level.CUSTOMER)
    array_slug = models.SlugField(max_length=50, blank=True, help_text="Array and pre-delivery array rules")
    package = models.ForeignKey(RulePackage, null=True, blank=True, on_delete=models.CASCADE, related_name="rules")
    enabled = models.BooleanField(default=True)
    order = models.IntegerField(default=100)
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.BOTH)
    match = models.CharField(max_length=3, choices=Match.choices, default=Match.ALL)
    conditions = models.JSONField(default=list, blank=True)  # [{"type": ..., "negate": bool, ...params}]
    actions = models.JSONField(default=list)  # [{"type": ..., ...params}]
    applies_to = models.JSONField(default=dict, blank=True)  # users/groups/domains and except_* lists
    stop_processing = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["level", "order", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from policy.validation import validate_rule

        super().clean()
        if self.level == Level.PACKAGE and self.package_id is None:
            raise ValidationError({"package": "A package rule belongs to a package."})
        if self.level in (Level.ARRAY,) and not self.array_slug:
            raise ValidationError({"array_slug": "An array rule names its array."})
        validate_rule(self)


class PackageSubscription(models.Model):
    """A package a customer switched on (customer schema)."""

    package_slug = models.SlugField(max_length=50, unique=True)
    enabled_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.package_slug


class Script(models.Model):
    """A TextCensor script: provider-wide in public, a customer's own in its schema."""

    name = models.SlugField(max_length=60, unique=True)
    description = models.CharField(max_length=200, blank=True)
    source = models.TextField()
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from policy.textcensor import TextCensorSyntaxError, parse_script

        super().clean()
        try:
            parse_script(self.source)
        except TextCensorSyntaxError as exc:
            raise ValidationError({"source": str(exc)}) from exc


class ListEntry(models.Model):
    """An allow or block list entry: provider-wide (public), customer-wide or one user's."""

    class Kind(models.TextChoices):
        ALLOW = "allow", "Allow"
        BLOCK = "block", "Block"

    kind = models.CharField(max_length=5, choices=Kind.choices)
    value = models.CharField(max_length=254, help_text="An address, a domain, or an IP address/CIDR")
    owner = models.EmailField(blank=True, help_text="A mailbox, for a user's own list; empty for everyone")
    comment = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "value"]
        constraints = [models.UniqueConstraint(fields=["kind", "value", "owner"], name="unique_list_entry")]

    def __str__(self) -> str:
        return f"{self.kind} {self.value}"

    def clean(self) -> None:
        from policy.lists import classify_value

        super().clean()
        self.value = self.value.strip().lower()
        self.owner = self.owner.strip().lower()
        try:
            classify_value(self.value)
        except ValueError as exc:
            raise ValidationError({"value": str(exc)}) from exc


class CustomerPolicy(models.Model):
    """One row per customer schema: the customer's thresholds and limits."""

    class DmarcEnforcement(models.TextChoices):
        OFF = "off", "Do not act on DMARC"
        QUARANTINE = "quarantine", "Quarantine mail failing a p=reject or p=quarantine policy"
        DELETE = "delete", "Delete mail failing a p=reject policy; quarantine p=quarantine"

    spam_tag_score = models.FloatField(default=5.0)
    spam_quarantine_score = models.FloatField(default=9.0)
    spam_delete_score = models.FloatField(default=15.0)
    spam_subject_tag = models.CharField(max_length=40, blank=True, default="[SPAM]")
    dmarc_enforcement = models.CharField(max_length=10, choices=DmarcEnforcement.choices,
                                         default=DmarcEnforcement.QUARANTINE)
    quarantine_retention_days = models.PositiveIntegerField(default=30, validators=[MinValueValidator(1)])
    max_message_bytes = models.PositiveIntegerField(null=True, blank=True, help_text="Overrides the plan")
    max_recipients = models.PositiveIntegerField(null=True, blank=True, help_text="Overrides the plan")
    footer_text = models.TextField(blank=True, help_text="The customer's disclaimer for footer actions")
    footer_html = models.TextField(blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "customer policy"

    def __str__(self) -> str:
        return "Customer policy"

    def clean(self) -> None:
        super().clean()
        if not self.spam_tag_score <= self.spam_quarantine_score <= self.spam_delete_score:
            raise ValidationError("Spam thresholds must rise: tag <= quarantine <= delete.")

    @classmethod
    def get(cls) -> CustomerPolicy:
        """The schema's single row, created with defaults when missing."""
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj
