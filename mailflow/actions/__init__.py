"""The actions registry (docs/mailflow.md, docs/policy.md).

Adding an action: one module in this folder, one line in ``ACTIONS``, one test.
"""

from mailflow.actions.add_header import AddHeader
from mailflow.actions.base import Action
from mailflow.actions.bounce import Bounce
from mailflow.actions.deliver import Deliver
from mailflow.actions.dispose import DelayUntilOffPeak, Delete, Quarantine
from mailflow.actions.rewrite import Footer, StripAttachments, TagSubject
from mailflow.actions.routing import Classify, CopyTo, DeliverToGroup, Notify, Redirect
from mailflow.registry import Registry

ACTIONS: tuple[type[Action], ...] = (
    Deliver, Bounce, AddHeader, Quarantine, Delete, DelayUntilOffPeak, TagSubject, Footer, StripAttachments,
    CopyTo, Redirect, DeliverToGroup, Classify, Notify,
)

registry: Registry[Action] = Registry("action", ACTIONS)
