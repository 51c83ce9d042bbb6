"""Conditions on the envelope and the connection: size, recipient count, client IP, time of day."""

from __future__ import annotations

import datetime
import ipaddress
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mailflow.engine.context import MessageContext
from policy.conditions.base import Condition, ConditionError, Env, number, str_list


def _compare(value: float, params: dict[str, Any]) -> bool:
    if "at_least" in params and value < params["at_least"]:
        return False
    return not ("at_most" in params and value > params["at_most"])


def _bounds(params: dict[str, Any]) -> dict[str, float]:
    out = {k: number(params, k) for k in ("at_least", "at_most") if k in params}
    if not out:
        raise ConditionError("give 'at_least' and/or 'at_most'")
    return out


class MessageSize(Condition):
    name = "message_size"
    description = "The message size in bytes is within the bounds"

    def validate(self, params):
        return _bounds(params)

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        return _compare(len(ctx.raw), compiled)


class RecipientCount(Condition):
    name = "recipient_count"
    description = "The number of envelope recipients is within the bounds"

    def validate(self, params):
        return _bounds(params)

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        return _compare(len(ctx.envelope.recipients), compiled)


class ClientIP(Condition):
    name = "client_ip"
    description = "The connecting client's IP address is in one of the networks"

    def validate(self, params):
        networks = str_list(params, "networks")
        for n in networks:
            try:
                ipaddress.ip_network(n, strict=False)
            except ValueError:
                raise ConditionError(f"{n!r} is not an IP address or CIDR network") from None
        return {"networks": networks}

    def compile(self, params):
        return [ipaddress.ip_network(n, strict=False) for n in params["networks"]]

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        if "client_ip" not in env.cache:  # parsed once per message
            try:
                env.cache["client_ip"] = ipaddress.ip_address(ctx.envelope.client_ip)
            except ValueError:
                env.cache["client_ip"] = None
        ip = env.cache["client_ip"]
        return ip is not None and any(ip.version == n.version and ip in n for n in compiled)


class TimeOfDay(Condition):
    name = "time_of_day"
    description = "The message arrives between two times (optionally on given weekdays, in a time zone)"

    def validate(self, params):
        try:
            start = datetime.time.fromisoformat(str(params["start"]))
            end = datetime.time.fromisoformat(str(params["end"]))
        except (KeyError, ValueError):
            raise ConditionError("'start' and 'end' must be times like 18:00") from None
        days = params.get("weekdays", list(range(7)))
        if not isinstance(days, list) or not all(isinstance(d, int) and 0 <= d <= 6 for d in days):
            raise ConditionError("'weekdays' must be numbers 0 (Monday) to 6 (Sunday)")
        tz = str(params.get("timezone", "UTC"))
        try:
            ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConditionError(f"unknown time zone {tz!r}") from None
        return {"start": start.isoformat(), "end": end.isoformat(), "weekdays": days, "timezone": tz}

    def compile(self, params):
        return (datetime.time.fromisoformat(params["start"]), datetime.time.fromisoformat(params["end"]),
                frozenset(params["weekdays"]), ZoneInfo(params["timezone"]))

    def evaluate(self, ctx: MessageContext, compiled, env: Env) -> bool:
        start, end, days, tz = compiled
        now = datetime.datetime.fromtimestamp(ctx.envelope.received_at, tz)
        if now.weekday() not in days:
            return False
        t = now.time()
        return start <= t < end if start <= end else (t >= start or t < end)
