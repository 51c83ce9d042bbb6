"""The condition types rules can use (docs/policy.md, "Conditions").

Adding one: a class in this folder, one line in ``CONDITIONS``, one test.
"""

from mailflow.registry import Registry
from policy.conditions.addresses import Recipient, RecipientGroup, Sender
from policy.conditions.attachments import ArchiveFact, AttachmentName, AttachmentSize, AttachmentType
from policy.conditions.base import Condition, ConditionError, Env
from policy.conditions.content import HeaderMatch, TextCensor
from policy.conditions.envelope import ClientIP, MessageSize, RecipientCount, TimeOfDay
from policy.conditions.verdicts import (
    Always,
    AuthResult,
    Country,
    Impersonation,
    SpamScore,
    Unscannable,
    UrlCondition,
    VirusFound,
)

CONDITIONS: tuple[type[Condition], ...] = (
    Always, Sender, Recipient, RecipientGroup, MessageSize, RecipientCount, ClientIP, TimeOfDay, HeaderMatch,
    TextCensor, AttachmentType, AttachmentName, AttachmentSize, ArchiveFact, SpamScore, VirusFound, Unscannable,
    UrlCondition, Country, AuthResult, Impersonation,
)

registry: Registry[Condition] = Registry("condition", CONDITIONS)

__all__ = ["CONDITIONS", "Condition", "ConditionError", "Env", "registry"]
