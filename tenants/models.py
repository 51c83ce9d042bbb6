"""Provider-wide data in the public schema: customers, domains, plans, arrays.

See docs/tenancy.md. Each :class:`Customer` owns a PostgreSQL schema that holds
its own data (users, rules, message log, quarantine); everything here is
shared by the whole platform and written only through ``tenants.services``.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin

from tenants.validators import validate_cidr, validate_hostname, validate_mail_domain


class Array(models.Model):
    """A named group of mail nodes; maps to one Celery queue."""

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name

    @property
    def queue(self) -> str:
        """The Celery queue that this array's engine workers consume."""
        return f"array.{self.slug}"


class Node(models.Model):
    """One machine running a receiver and/or engine workers in an array."""

    class Role(models.TextChoices):
        ALL = "all", "Receiver and engine"
        RECEIVER = "receiver", "Receiver"
        ENGINE = "engine", "Engine"

    hostname = models.CharField(max_length=253, unique=True)
    array = models.ForeignKey(Array, on_delete=models.PROTECT, related_name="nodes")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.ALL)
    last_heartbeat = models.DateTimeField(null=True, blank=True)
    version = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["hostname"]

    def __str__(self) -> str:
        return self.hostname


class Plan(models.Model):
    """A service tier: which services a subscription includes."""

    class Reporting(models.TextChoices):
        NONE = "none", "None"
        BASIC = "basic", "Basic"
        FULL = "full", "Full"

    class ExpiredMail(models.TextChoices):
        PASS_THROUGH = "pass", "Pass through unfiltered"
        TEMPFAIL = "tempfail", "Refuse temporarily (4xx)"

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    filtering = models.BooleanField(default=True, help_text="Virus and spam filtering")
    policy_compliance = models.BooleanField(default=False, help_text="Policy and compliance packages")
    archiving = models.BooleanField(default=False)
    archive_retention_days = models.PositiveIntegerField(default=0)
    reporting = models.CharField(max_length=8, choices=Reporting.choices, default=Reporting.BASIC)
    tls = models.BooleanField(default=True, help_text="TLS policies per domain")
    customer_rules = models.BooleanField(default=False, help_text="Customer-defined rules allowed")
    end_user_quarantine = models.BooleanField(default=True, help_text="End users manage their own held mail")
    expired_mail = models.CharField(max_length=8, choices=ExpiredMail.choices, default=ExpiredMail.TEMPFAIL)
    max_message_bytes = models.PositiveIntegerField(default=50 * 1024 * 1024)
    max_recipients = models.PositiveIntegerField(default=500)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class Customer(TenantMixin):
    """A customer company. Owns one PostgreSQL schema (``schema_name``)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        EXPIRED = "expired", "Expired"
        PENDING_DELETION = "pending_deletion", "Pending deletion"

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    contact_email = models.EmailField(blank=True)
    array = models.ForeignKey(Array, on_delete=models.PROTECT, related_name="customers")
    branding = models.JSONField(default=dict, blank=True, help_text="Overrides of the provider's branding")
    outbound_relays = models.JSONField(
        default=list, blank=True, help_text="IP addresses or CIDRs allowed to relay outbound mail"
    )
    created = models.DateTimeField(auto_now_add=True)
    status_changed = models.DateTimeField(null=True, blank=True)
    delete_after = models.DateTimeField(null=True, blank=True)

    auto_create_schema = True
    auto_drop_schema = True

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        for cidr in self.outbound_relays:
            validate_cidr(cidr)


class ConsoleDomain(DomainMixin):
    """A hostname that routes web requests to one customer's console."""

    def clean(self) -> None:
        super().clean()
        validate_hostname(self.domain)


class MailDomain(models.Model):
    """An email domain hosted for one customer, with its inbound route."""

    class TLSPolicy(models.TextChoices):
        NONE = "none", "No TLS"
        OPPORTUNISTIC = "opportunistic", "TLS when offered"
        REQUIRED = "required", "TLS required"

    domain = models.CharField(max_length=253, unique=True, validators=[validate_mail_domain])
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="mail_domains")
    delivery_host = models.CharField(max_length=253, validators=[validate_hostname])
    delivery_port = models.PositiveIntegerField(
        default=25, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    validate_recipients = models.BooleanField(default=False)
    tls_policy = models.CharField(max_length=16, choices=TLSPolicy.choices, default=TLSPolicy.OPPORTUNISTIC)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs) -> None:
        self.domain = self.domain.strip().lower().rstrip(".")
        super().save(*args, **kwargs)


class Subscription(models.Model):
    """A customer's plan, licence count and term."""

    customer = models.OneToOneField(Customer, on_delete=models.CASCADE, related_name="subscription")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    licensed_users = models.PositiveIntegerField(default=25)
    starts = models.DateField()
    expires = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.customer} on {self.plan}"


class DkimKey(models.Model):
    """The key the platform signs a mail domain's outbound mail with (DKIM, RFC 6376).

    The private key is stored encrypted with a key derived from the Django
    secret key (``tenants.secrets``); the public half is what the customer
    publishes at ``<selector>._domainkey.<domain>``.
    """

    mail_domain = models.OneToOneField(MailDomain, on_delete=models.CASCADE, related_name="dkim_key")
    selector = models.CharField(max_length=63)
    private_key_encrypted = models.TextField()
    public_key = models.TextField()
    enabled = models.BooleanField(default=True)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.selector}._domainkey.{self.mail_domain.domain}"
