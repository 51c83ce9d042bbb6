"""Event type constants for the audit log (docs/audit.md)."""

CUSTOMER_CREATED = "customer.created"
CUSTOMER_SUSPENDED = "customer.suspended"
CUSTOMER_REACTIVATED = "customer.reactivated"
CUSTOMER_EXPIRED = "customer.expired"
CUSTOMER_DELETION_SCHEDULED = "customer.deletion_scheduled"
CUSTOMER_DELETED = "customer.deleted"
MAIL_DOMAIN_ADDED = "mail_domain.added"
CONSOLE_USER_CREATED = "console_user.created"

ALL = frozenset(value for name, value in dict(globals()).items() if name.isupper() and name != "ALL")
