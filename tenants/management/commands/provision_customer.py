"""Create a customer with one mail domain and its delivery route.

    manage.py provision_customer --name NAME --domain DOMAIN --deliver-to HOST:PORT
        [--plan SLUG] [--validate-recipients] [--slug SLUG] [--array SLUG]

Prints the new customer's id. See docs/tenancy.md.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from audit.services import Actor
from tenants import services
from tenants.models import Array, Plan
from tenants.validators import parse_route, validate_mail_domain


def validation_message(exc: ValidationError) -> str:
    """Flatten a ValidationError into one readable line."""
    if hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


class Command(BaseCommand):
    help = "Create a customer with a mail domain and its inbound delivery route."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--domain", required=True, help="The customer's mail domain, e.g. example.com")
        parser.add_argument("--deliver-to", required=True, metavar="HOST:PORT",
                            help="The customer's mail server for inbound mail")
        parser.add_argument("--plan", default="", help="Plan slug (default: the first plan)")
        parser.add_argument("--slug", default="")
        parser.add_argument("--array", default="", help="Array slug (default: the default array)")
        parser.add_argument("--contact-email", default="")
        parser.add_argument("--validate-recipients", action="store_true",
                            help="Refuse mail for addresses not in the customer's directory")

    def handle(self, *args, **opts) -> str:
        try:
            validate_mail_domain(opts["domain"])
            host, port = parse_route(opts["deliver_to"])
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from exc
        plan = self._plan(opts["plan"])
        array = self._array(opts["array"])
        try:
            created = services.create_customer(
                name=opts["name"], slug=opts["slug"], plan=plan, array=array,
                contact_email=opts["contact_email"],
                mail_domains=((opts["domain"], host, port),),
                validate_recipients=opts["validate_recipients"],
                actor=Actor.system("provision_customer"),
            )
        except ValidationError as exc:
            raise CommandError(validation_message(exc)) from exc
        self.stderr.write(
            f"Created customer {created.customer.slug!r} (schema {created.customer.schema_name}); "
            f"console admin {created.admin_username} / {created.admin_password}"
        )
        return str(created.customer.pk)

    def _plan(self, slug: str) -> Plan:
        plans = Plan.objects.all()
        if not slug:
            plan = plans.first()
            if plan is None:
                raise CommandError("No plans exist yet; create one (or run seed_demo) first.")
            return plan
        try:
            return plans.get(slug=slug)
        except Plan.DoesNotExist as exc:
            known = ", ".join(plans.values_list("slug", flat=True)) or "none"
            raise CommandError(f"Unknown plan {slug!r}. Known plans: {known}.") from exc

    def _array(self, slug: str) -> Array | None:
        if not slug:
            return None
        try:
            return Array.objects.get(slug=slug)
        except Array.DoesNotExist as exc:
            raise CommandError(f"Unknown array {slug!r}.") from exc
