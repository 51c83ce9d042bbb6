"""Per-customer mail data, in each customer's schema (docs/mailflow.md).

One module per concern; every model is imported here so Django finds it.
"""

from mailflow.models.archive import ArchiveMessage, ArchiveSettings, LegalHold
from mailflow.models.directory import Alias, Group, Mailbox
from mailflow.models.messagelog import MessageLog
from mailflow.models.quarantine import (
    QuarantineFeedback,
    QuarantineItem,
    QuarantinePermission,
    QuarantineSettings,
)

__all__ = [
    "Alias", "ArchiveMessage", "ArchiveSettings", "Group", "LegalHold", "Mailbox", "MessageLog",
    "QuarantineFeedback", "QuarantineItem", "QuarantinePermission", "QuarantineSettings",
]
