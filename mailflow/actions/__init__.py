"""The actions registry (docs/mailflow.md).

Adding an action: one module in this folder, one line in ``ACTIONS``, one test.
"""

from mailflow.actions.add_header import AddHeader
from mailflow.actions.base import Action
from mailflow.actions.bounce import Bounce
from mailflow.actions.deliver import Deliver
from mailflow.registry import Registry

ACTIONS: tuple[type[Action], ...] = (Deliver, Bounce, AddHeader)

registry: Registry[Action] = Registry("action", ACTIONS)
