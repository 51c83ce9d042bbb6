"""provision_customer and seed_demo, as a provider runs them."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django_tenants.utils import schema_exists

from tenants.models import Customer, MailDomain
from tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


def provision(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("provision_customer", *args, stdout=out, stderr=err)
    return out.getvalue().strip()


def test_provision_customer_prints_id_and_creates_route():
    PlanFactory()
    customer_id = provision("--name", "Initrode", "--domain", "initrode.test", "--deliver-to", "mail.initrode.test:25")
    customer = Customer.objects.get(pk=int(customer_id))
    assert customer.name == "Initrode"
    assert schema_exists(customer.schema_name)
    route = MailDomain.objects.get(domain="initrode.test")
    assert (route.delivery_host, route.delivery_port, route.validate_recipients) == ("mail.initrode.test", 25, False)


def test_provision_customer_with_recipient_validation_and_plan():
    PlanFactory(slug="gold", name="Gold")
    provision("--name", "Vandelay", "--domain", "vandelay.test", "--deliver-to", "[::1]:2526",
              "--plan", "gold", "--validate-recipients")
    route = MailDomain.objects.get(domain="vandelay.test")
    assert route.validate_recipients
    assert route.delivery_host == "::1"
    assert route.customer.subscription.plan.slug == "gold"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--domain", "acme.test", "--deliver-to", "127.0.0.1:25"), "already belongs"),
        (("--domain", "bad_domain!", "--deliver-to", "127.0.0.1:25"), "not a valid mail domain"),
        (("--domain", "ok.test", "--deliver-to", "127.0.0.1"), "is not HOST:PORT"),
        (("--domain", "ok.test", "--deliver-to", "127.0.0.1:70000"), "out of range"),
        (("--domain", "ok.test", "--deliver-to", "127.0.0.1:25", "--plan", "platinum"), "Unknown plan 'platinum'"),
    ],
)
def test_provision_customer_refuses_bad_input_clearly(world, args, message):
    before = Customer.objects.count()
    with pytest.raises(CommandError, match=message):
        provision("--name", "Someone", *args)
    assert Customer.objects.count() == before


def test_seed_demo_is_idempotent_and_prints_logins(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out1, out2 = io.StringIO(), io.StringIO()
    call_command("seed_demo", stdout=out1)
    call_command("seed_demo", stdout=out2)
    assert out1.getvalue() == out2.getvalue()
    assert "admin@acme.test" in out1.getvalue() and "admin@globex.test" in out1.getvalue()
    assert Customer.objects.filter(slug__in=["acme", "globex"]).count() == 2
    assert schema_exists("c_acme") and schema_exists("c_globex")
