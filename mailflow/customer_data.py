"""What a customer leaves outside its schema, dropped when the customer is purged (docs/tenancy.md).

Dropping the schema removes the customer's rows. Three things live elsewhere
and go with them: its messages in the message store (quarantine and archive
bytes, under the schema as namespace), its spam feedback layer file, and its
reports in the platform's bulk signatures. Without this, a deleted
customer's mail would stay on disk, and a new customer given the same
schema name would inherit the old one's learned layer and reports.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def drop(schema: str) -> dict[str, int]:
    """Remove ``schema``'s stored messages, feedback layer and bulk-signature reports; raises if any cannot be.

    Called before the schema is dropped: if this fails, the customer stays
    pending deletion and the next purge tries again.
    """
    from mailflow import spam_feedback
    from mailflow.checks import fuzzy
    from mailflow.store import get_store

    messages = get_store().drop_namespace(schema)
    layer = int(spam_feedback.drop_layer(schema))
    reports = fuzzy.forget_reporter(schema)
    log.info("customer data of %s dropped: %d stored messages, %d feedback layer, %d bulk-signature reports",
             schema, messages, layer, reports)
    return {"messages": messages, "layer": layer, "reports": reports}
