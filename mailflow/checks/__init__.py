"""The checks registry, in the order checks run (docs/mailflow.md, docs/checks.md).

Adding a check: one module in this folder, one line in ``CHECKS``, one test.
Antivirus runs first: when it cannot scan, the message is retried before any
DNS lookup is spent on it.
"""

from mailflow.checks.antivirus import Antivirus
from mailflow.checks.attachments import AttachmentFacts
from mailflow.checks.base import Check
from mailflow.checks.country import Country
from mailflow.checks.dnsbl import Dnsbl
from mailflow.checks.fuzzy import BulkSignatures
from mailflow.checks.impersonation import Impersonation
from mailflow.checks.newdomains import NewDomains
from mailflow.checks.sender_auth import SenderAuth
from mailflow.checks.spam import SpamContent
from mailflow.checks.urls import UrlCensor
from mailflow.registry import Registry

CHECKS: tuple[type[Check], ...] = (
    Antivirus,
    AttachmentFacts,
    SenderAuth,
    Impersonation,
    Dnsbl,
    Country,
    UrlCensor,
    NewDomains,
    BulkSignatures,
    SpamContent,
)

registry: Registry[Check] = Registry("check", CHECKS)
