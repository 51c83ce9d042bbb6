"""Seed a demo provider: plans, an array, two customers and their logins.

Idempotent: running it again changes nothing and prints the same login
details (kept in var/demo-credentials.json). See docs/tenancy.md.
"""

from __future__ import annotations

import json
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from audit.services import Actor
from tenants import services
from tenants.models import Array, Customer, Plan

PLANS = [
    dict(slug="standard", name="Standard filtering", filtering=True, policy_compliance=False, archiving=False,
         reporting=Plan.Reporting.BASIC, customer_rules=False),
    dict(slug="premium", name="Premium: filtering, compliance and archive", filtering=True,
         policy_compliance=True, archiving=True, archive_retention_days=7 * 365,
         reporting=Plan.Reporting.FULL, customer_rules=True),
]
CUSTOMERS = [("acme", "Acme Corporation", "acme.test", "premium"),
             ("globex", "Globex Inc.", "globex.test", "standard")]


class Command(BaseCommand):
    help = "Create the demo provider, plans, array and two customers (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--deliver-to-port", type=int, default=settings.SPE_SINK_PORT)

    def handle(self, *args, **opts) -> None:
        creds = self._credentials()
        with transaction.atomic():
            for plan in PLANS:
                Plan.objects.update_or_create(slug=plan["slug"], defaults=plan)
            array, _ = Array.objects.get_or_create(slug=settings.SPE_DEFAULT_ARRAY,
                                                   defaults={"name": "Default array"})
            self._provider_admin(creds["provider"])
        for slug, name, domain, plan in CUSTOMERS:
            if Customer.objects.filter(slug=slug).exists():
                continue
            services.create_customer(
                name=name, slug=slug, plan=Plan.objects.get(slug=plan), array=array,
                contact_email=f"it@{domain}",
                mail_domains=((domain, "127.0.0.1", opts["deliver_to_port"]),),
                admin_email=f"admin@{domain}", admin_password=creds[slug],
                actor=Actor.system("seed_demo"),
            )
        self._print(creds)

    def _credentials(self) -> dict[str, str]:
        path = settings.VAR_DIR / "demo-credentials.json"
        if path.exists():
            return json.loads(path.read_text())
        creds = {"provider": secrets.token_urlsafe(9)} | {slug: secrets.token_urlsafe(9) for slug, *_ in CUSTOMERS}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(creds))
        path.chmod(0o600)
        return creds

    def _provider_admin(self, password: str) -> None:
        User = get_user_model()
        if not User.objects.filter(username="provider").exists():
            User.objects.create_superuser("provider", "noc@provider.test", password)

    def _print(self, creds: dict[str, str]) -> None:
        web = f"http://127.0.0.1:{settings.SPE_WEB_PORT}"
        self.stdout.write("Demo logins:")
        self.stdout.write(f"  provider console  {web}/            provider / {creds['provider']}")
        for slug, _name, domain, _plan in CUSTOMERS:
            self.stdout.write(f"  {slug:<17} {web}/c/{slug}/     admin@{domain} / {creds[slug]}")
