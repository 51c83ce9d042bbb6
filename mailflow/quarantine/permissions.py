"""Who may do what with held mail, per folder (docs/quarantine.md).

A customer administrator sets rows of ``QuarantinePermission`` (category x
role x action); a missing row falls back to ``DEFAULTS``. Some combinations
are never allowed whatever the rows say (``NEVER``): an end user can never
release, forward or download a message held as a virus.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from mailflow.models.quarantine import CATEGORY_VIRUS, QuarantinePermission

Role = QuarantinePermission.Role
Action = QuarantinePermission.Action

CUSTOMER_ADMINS = "Customer administrators"  # tenants.services.CUSTOMER_ADMINS
SUB_ADMINS = "Customer sub-administrators"

ALL_ACTIONS = frozenset(Action.values)
_END_USER = frozenset({Action.VIEW, Action.RELEASE, Action.ALLOW_SENDER, Action.REPORT, Action.DELETE})
_SUB_ADMIN = frozenset({Action.VIEW, Action.RELEASE, Action.ALLOW_SENDER, Action.REPORT, Action.DELETE})

# (category or "*", role) -> actions allowed when no row says otherwise
DEFAULTS: dict[tuple[str, str], frozenset[str]] = {
    ("*", Role.ADMIN): ALL_ACTIONS,
    ("*", Role.SUB_ADMIN): _SUB_ADMIN,
    ("*", Role.END_USER): _END_USER,
    (CATEGORY_VIRUS, Role.SUB_ADMIN): frozenset({Action.VIEW, Action.DELETE}),
    (CATEGORY_VIRUS, Role.END_USER): frozenset({Action.VIEW, Action.DELETE}),
    ("policy", Role.END_USER): frozenset({Action.VIEW}),
}

# never allowed, whatever an administrator configures
NEVER: frozenset[tuple[str, str, str]] = frozenset(
    (CATEGORY_VIRUS, Role.END_USER, action)
    for action in (Action.RELEASE, Action.ALLOW_SENDER, Action.FORWARD, Action.DOWNLOAD)
)


def default_allowed(category: str, role: str, action: str) -> bool:
    actions = DEFAULTS.get((category, role), DEFAULTS.get(("*", role), frozenset()))
    return action in actions


def allowed(category: str, role: str, action: str) -> bool:
    """Whether ``role`` may take ``action`` on items of folder ``category`` (in the current schema)."""
    if (category, role, action) in NEVER:
        return False
    row = QuarantinePermission.objects.filter(category=category, role=role, action=action).first()
    return row.allowed if row is not None else default_allowed(category, role, action)


def allowed_actions(category: str, role: str) -> set[str]:
    rows = {r.action: r.allowed for r in QuarantinePermission.objects.filter(category=category, role=role)}
    return {a for a in ALL_ACTIONS if (category, role, a) not in NEVER
            and rows.get(a, default_allowed(category, role, a))}


def console_role(user: AbstractBaseUser) -> str | None:
    """The quarantine role of a customer console user, or None for no quarantine access."""
    if not user.is_authenticated:
        return None
    names = set(user.groups.values_list("name", flat=True))
    if CUSTOMER_ADMINS in names:
        return Role.ADMIN
    if SUB_ADMINS in names:
        return Role.SUB_ADMIN
    return None
