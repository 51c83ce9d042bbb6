"""Terminal actions that hold or drop a message: quarantine, delete, delay (docs/policy.md)."""

from __future__ import annotations

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mailflow.actions.base import Action, ActionError
from mailflow.engine.context import Disposition, MessageContext

_CATEGORY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


class Quarantine(Action):
    name = "quarantine"
    description = "Hold the message in a quarantine folder (category)"
    terminal = True

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        category = str(params.get("category", "policy")).strip().lower()
        if not _CATEGORY.match(category):
            raise ActionError("the category is a short name of letters, digits, - and _")
        return {"category": category, "reason": str(params.get("reason", ""))[:200]}

    def apply(self, ctx: MessageContext, params: dict[str, Any]) -> None:
        rule = str(params.get("rule", ""))
        params = self.validate(params)
        ctx.dispositions.append(Disposition("quarantine", category=params["category"],
                                            reason=params["reason"] or f"held by policy ({params['category']})",
                                            rule=rule))


class Delete(Action):
    name = "delete"
    description = "Delete the message (it is logged, not delivered)"
    terminal = True

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"reason": str(params.get("reason", "deleted by policy"))[:200]}

    def apply(self, ctx: MessageContext, params: dict[str, Any]) -> None:
        ctx.dispositions.append(Disposition("delete", reason=self.validate(params)["reason"]))


class DelayUntilOffPeak(Action):
    name = "delay"
    description = "Hold delivery until an off-peak window starts (e.g. large messages after 19:00)"
    terminal = True

    def validate(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            start = datetime.time.fromisoformat(str(params.get("start", "19:00")))
            end = datetime.time.fromisoformat(str(params.get("end", "07:00")))
            ZoneInfo(str(params.get("timezone", "UTC")))
        except (ValueError, ZoneInfoNotFoundError):
            raise ActionError("'start'/'end' are times like 19:00 and 'timezone' a zone name") from None
        return {"start": start.isoformat(), "end": end.isoformat(), "timezone": str(params.get("timezone", "UTC"))}

    @staticmethod
    def next_window(now: datetime.datetime, start: datetime.time, end: datetime.time) -> datetime.datetime:
        t = now.time()
        inside = start <= t < end if start <= end else (t >= start or t < end)
        if inside:
            return now
        candidate = now.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
        return candidate if candidate > now else candidate + datetime.timedelta(days=1)

    def apply(self, ctx: MessageContext, params: dict[str, Any]) -> None:
        params = self.validate(params)
        tz = ZoneInfo(params["timezone"])
        now = datetime.datetime.fromtimestamp(ctx.envelope.received_at, tz)
        until = self.next_window(now, datetime.time.fromisoformat(params["start"]),
                                 datetime.time.fromisoformat(params["end"]))
        if until > now:
            ctx.dispositions.append(Disposition("delay", reason=f"delayed until {until:%Y-%m-%d %H:%M %Z}",
                                                until=until.timestamp()))
