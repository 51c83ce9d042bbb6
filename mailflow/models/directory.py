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
