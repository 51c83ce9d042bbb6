"""Per-customer mail data, in each customer's schema (docs/mailflow.md).

One module per concern; every model is imported here so Django finds it.
"""

from mailflow.models.directory import Alias, Group, Mailbox
from mailflow.models.messagelog import MessageLog

__all__ = ["Alias", "Group", "Mailbox", "MessageLog"]
