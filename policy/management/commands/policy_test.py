"""Dry run: how a customer's policy would treat a message (docs/policy.md).

    manage.py policy_test --customer SLUG FILE.eml [--direction inbound|outbound]
        [--sender ADDRESS] [--recipient ADDRESS ...] [--client-ip IP]
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from policy.dryrun import dry_run
from tenants.models import Customer


class Command(BaseCommand):
    help = "Evaluate a message against a customer's policy without sending anything."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--customer", required=True)
        parser.add_argument("--direction", choices=["inbound", "outbound"], default="inbound")
        parser.add_argument("--sender", default="")
        parser.add_argument("--recipient", action="append", default=[])
        parser.add_argument("--client-ip", default="192.0.2.1")

    def handle(self, *args, **opts) -> None:
        try:
            customer = Customer.objects.get(slug=opts["customer"])
        except Customer.DoesNotExist:
            raise CommandError(f"no customer {opts['customer']!r}") from None
        try:
            raw = opts["file"].read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {opts['file']}: {exc.strerror}") from None
        report = dry_run(customer, raw, direction=opts["direction"], sender=opts["sender"],
                         recipients=opts["recipient"] or None, client_ip=opts["client_ip"])
        w = self.stdout.write
        w(f"Disposition: {report.disposition}" + (f" ({report.category})" if report.category else "")
          + (f" - {report.reason}" if report.reason else ""))
        w(f"Score: {report.score:.2f}")
        for name, score, detail in report.symbols:
            w(f"  symbol {name:<28} {score:>7.2f}  {detail}")
        w("Rules:")
        for rule in report.rules:
            state = "BROKEN: " + rule.broken if rule.broken else ("fired" if rule.fired else "not fired")
            w(f"  [{rule.level}] {rule.name}: {state}")
            for ctype, ok in rule.conditions:
                w(f"      {ctype}: {'yes' if ok else 'no'}")
        for action in report.actions:
            w(f"  action {action}")
        for name, value in report.headers_added:
            w(f"  header {name}: {value}")
        for check, error in report.check_errors.items():
            w(f"  check error {check}: {error}")
        w("Facts: " + json.dumps(report.facts, default=str, sort_keys=True)[:4000])
