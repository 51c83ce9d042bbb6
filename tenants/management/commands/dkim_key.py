"""Generate a DKIM key for a hosted mail domain and print the DNS record to publish.

    manage.py dkim_key DOMAIN [--selector NAME]
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from audit.services import Actor
from tenants import services
from tenants.models import MailDomain


class Command(BaseCommand):
    help = "Generate (or rotate) the DKIM signing key of a mail domain and show its DNS record."

    def add_arguments(self, parser) -> None:
        parser.add_argument("domain")
        parser.add_argument("--selector", default="")

    def handle(self, *args, **opts) -> None:
        try:
            mail_domain = MailDomain.objects.get(domain=opts["domain"].lower().rstrip("."))
        except MailDomain.DoesNotExist:
            raise CommandError(f"{opts['domain']!r} is not a hosted mail domain") from None
        try:
            name, value = services.generate_dkim_key(mail_domain, selector=opts["selector"],
                                                     actor=Actor.system("dkim_key"))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"Publish this TXT record, then outbound mail from {mail_domain.domain} is signed:")
        self.stdout.write(f"{name}. IN TXT \"{value}\"")
