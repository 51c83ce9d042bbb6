"""Run the checks, decide, and apply actions for one message (docs/mailflow.md).

Checks are timed and isolated: an exception in a check marked ``skip`` is
recorded and the message goes on; one marked ``tempfail`` (or raising
``CheckTemporaryFailure``) stops processing so the message is retried, never
passed unchecked. Policy (rules at provider, array and customer level) plugs
in as ``decide``; without rules the message is delivered.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from mailflow import actions, checks
from mailflow.checks.base import Check, CheckTemporaryFailure
from mailflow.engine.context import Disposition, MessageContext

log = logging.getLogger(__name__)

Decider = Callable[[MessageContext], None]


class RetryLater(Exception):
    """Processing cannot finish now; the message stays spooled for a retry."""


def run_checks(ctx: MessageContext, enabled: Iterable[type[Check]] | None = None) -> None:
    for check_cls in enabled if enabled is not None else checks.registry:
        check = check_cls()
        if not check.applies(ctx):
            continue
        started = time.perf_counter()
        try:
            check.run(ctx)
        except CheckTemporaryFailure as exc:
            raise RetryLater(f"{check.name}: {exc}") from exc
        except Exception as exc:
            ctx.check_errors[check.name] = f"{type(exc).__name__}: {exc}"[:300]
            if check.on_error == "tempfail":
                raise RetryLater(f"{check.name} failed: {exc}") from exc
            log.exception("check %s failed on %s; continuing without it", check.name, ctx.spool_id)
        finally:
            elapsed = time.perf_counter() - started
            ctx.timings[check.name] = round(elapsed * 1000, 3)
            if elapsed > check.time_budget:
                log.warning("check %s took %.3fs (budget %.3fs) on %s", check.name, elapsed,
                            check.time_budget, ctx.spool_id)


def default_decide(ctx: MessageContext) -> None:
    """Without policy rules: deliver."""
    actions.registry["deliver"]().apply(ctx, {})


def process(ctx: MessageContext, decide: Decider = default_decide, prepare: Decider | None = None) -> Disposition:
    """Prepare (lists), observe (checks), decide (policy), act; returns the message's disposition."""
    if prepare is not None:
        prepare(ctx)
    run_checks(ctx)
    decide(ctx)
    if not ctx.dispositions:
        actions.registry["deliver"]().apply(ctx, {})
    if ctx.symbols:
        names = ", ".join(f"{s.name}({s.score:g})" for s in ctx.symbols)
        ctx.add_headers.append(("X-SPE-Symbols", names[:900]))
    return ctx.terminal() or ctx.dispositions[0]
