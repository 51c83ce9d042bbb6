"""Actions that change who gets the message: copy, redirect, group-only delivery, notify, classify.

See docs/policy.md. They record intentions on the context; the worker
carries them out when the message's fate is settled, so reprocessing after
a crash does not send twice what was never sent once.
"""

from __future__ import annotations

import email.utils
import re
import string
import time
from typing import Any

from mailflow.actions.base import Action, ActionError
from mailflow.addresses import AddressError, validate_address
from mailflow.engine.context import ExtraMessage, MessageContext


def _addresses(params: dict[str, Any], key: str = "to") -> list[str]:
    value = params.get(key, [])
    value = [value] if isinstance(value, str) else value
    if not isinstance(value, list) or not value:
        raise ActionError(f"'{key}' needs at least one address")
    try:
        return [validate_address(str(v).strip()) for v in value]
    except AddressError as exc:
        raise ActionError(f"'{key}': {exc}") from None


class CopyTo(Action):
    name = "copy_to"
    description = "Send a copy of the message to other addresses (e.g. a compliance mailbox)"

    def validate(self, params):
        return {"to": _addresses(params)}

    def apply(self, ctx: MessageContext, params: dict[str, Any]) -> None:
        ctx.extra_messages.append(ExtraMessage(self.validate(params)["to"], reason="copy"))


class Redirect(Action):
    name = "redirect"
    description = "Deliver to these addresses instead of the original recipients"

    def validate(self, params):
        return {"to": _addresses(params)}

    def apply(self, ctx: MessageContext, params: dict[str, Any]) -> None:
        ctx.redirect_to = self.validate(params)["to"]


class DeliverToGroup(Action):
    name = "deliver_to_group"
    description = "Deliver only to recipients who are members of a group; the others do not get it"

    def validate(self, params):
        group = str(params.get("group", "")).strip()
        if not group:
            raise ActionError("name the 'group'")
        return {"group": group}

    def apply(self, ctx: MessageContext, params: dict[str, Any]) -> None:
        members = ctx.facts.get("groups", {}).get(self.validate(params)["group"], frozenset())
        allowed = {r for r in ctx.envelope.recipients if r.lower() in members}
        ctx.only_recipients = allowed if ctx.only_recipients is None else ctx.only_recipients & allowed


class Classify(Action):
    name = "classify"
    description = "Label the message with a category that reports count"

    def validate(self, params):
        label = str(params.get("label", "")).strip()
        if not re.fullmatch(r"[\w .-]{1,60}", label):
            raise ActionError("the 'label' is 1-60 letters, digits, spaces, dots or dashes")
        return {"label": label}

    def apply(self, ctx: MessageContext, params: dict[str, Any]) -> None:
        label = self.validate(params)["label"]
        if label not in ctx.classifications:
            ctx.classifications.append(label)


class Notify(Action):
    name = "notify"
    description = "Send a notification to the recipient, the sender or an administrator from a template"

    FIELDS = ("sender", "recipients", "subject", "rule", "date", "spool_id")

    def validate(self, params):
        who = params.get("who", "admin")
        if who not in ("recipient", "sender", "admin"):
            raise ActionError("'who' is recipient, sender or admin")
        out: dict[str, Any] = {"who": who}
        if who == "admin":
            out["to"] = _addresses(params)
        template = str(params.get("body", "A message from {sender} to {recipients} ({subject}) "
                                          "was handled by the rule '{rule}'."))
        subject = str(params.get("subject", "Mail security notice: {subject}"))
        for text in (template, subject):
            try:
                fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
            except ValueError as exc:
                raise ActionError(f"template: {exc}") from None
            unknown = fields - set(self.FIELDS)
            if unknown:
                raise ActionError(f"unknown template fields {sorted(unknown)}; use {list(self.FIELDS)}")
        if any(ch in subject for ch in "\r\n"):
            raise ActionError("the subject is a single line")
        return {**out, "body": template[:4000], "subject": subject[:200]}

    def apply(self, ctx: MessageContext, params: dict[str, Any]) -> None:
        rule = str(params.get("rule", ""))
        params = self.validate(params)
        values = {"sender": ctx.envelope.mail_from or "<>", "recipients": ", ".join(ctx.envelope.recipients),
                  "subject": ctx.subject, "rule": rule, "spool_id": ctx.spool_id,
                  "date": email.utils.formatdate(ctx.envelope.received_at)}
        to = {"recipient": ctx.envelope.recipients, "sender": [ctx.envelope.mail_from] if ctx.envelope.mail_from
              else [], "admin": params.get("to", [])}[params["who"]]
        if not to:
            return
        body = params["body"].format(**values)
        subject = params["subject"].format(**values).replace("\r", " ").replace("\n", " ")
        data = (f"From: Mail Security <postmaster@{_host()}>\r\nTo: {', '.join(to)}\r\nSubject: {subject}\r\n"
                f"Date: {email.utils.formatdate(time.time())}\r\nAuto-Submitted: auto-generated\r\n"
                "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                "Content-Transfer-Encoding: 8bit\r\n\r\n" + body.replace("\n", "\r\n") + "\r\n").encode()
        ctx.extra_messages.append(ExtraMessage(list(to), data=data, reason="notification"))


def _host() -> str:
    from django.conf import settings

    return settings.SPE_HOSTNAME
