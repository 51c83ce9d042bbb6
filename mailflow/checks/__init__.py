"""The checks registry, in the order checks run (docs/mailflow.md).

Adding a check: one module in this folder, one line in ``CHECKS``, one test.
"""

from mailflow.checks.attachments import AttachmentFacts
from mailflow.checks.base import Check
from mailflow.registry import Registry

CHECKS: tuple[type[Check], ...] = (AttachmentFacts,)

registry: Registry[Check] = Registry("check", CHECKS)
