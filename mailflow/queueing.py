"""Handing a spool entry to the engine: one Celery task carrying the spool id.

See docs/mailflow.md. The task goes to the queue of the customer's array.
Publishing retries briefly; if the broker stays unreachable the caller gets
an exception (the receiver then answers 4xx and removes the entry).
"""

from __future__ import annotations

PROCESS_TASK = "mailflow.process_message"
RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def enqueue(spool_id: str, queue: str) -> None:
    from spe.celery import app

    # argsrepr given: Celery would otherwise run its safe-repr machinery on every publish (an eighth of it)
    app.send_task(PROCESS_TASK, args=[spool_id], queue=queue, retry=True, retry_policy=RETRY_POLICY,
                  argsrepr=repr([spool_id]), kwargsrepr="{}")
