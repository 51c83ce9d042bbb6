"""factory_boy factories and the two-customer scenario builder (docs/testing.md)."""

from __future__ import annotations

from dataclasses import dataclass

import factory
from django.contrib.auth import get_user_model

from audit.services import Actor
from tenants import services
from tenants.models import Array, Customer, Plan


class ArrayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Array
        django_get_or_create = ("slug",)

    slug = "default"
    name = "Default array"


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ("slug",)

    slug = "standard"
    name = "Standard"
    policy_compliance = True
    customer_rules = True
    archiving = True
    archive_retention_days = 365


class ProviderStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()


@dataclass
class TwoCustomerWorld:
    acme: Customer
    globex: Customer
    acme_admin: tuple[str, str]
    globex_admin: tuple[str, str]
    plan: Plan
    array: Array


def build_two_customer_world(sink_port: int = 2526) -> TwoCustomerWorld:
    """Two customers with the same shapes of data, for isolation tests."""
    plan, array = PlanFactory(), ArrayFactory()
    made = {}
    for slug, name in (("acme", "Acme Corporation"), ("globex", "Globex Inc.")):
        existing = Customer.objects.filter(slug=slug).first()
        if existing:
            made[slug] = (existing, (f"admin@{slug}.test", "correct horse battery"))
            continue
        new = services.create_customer(
            name=name, slug=slug, plan=plan, array=array,
            mail_domains=((f"{slug}.test", "127.0.0.1", sink_port),),
            admin_email=f"admin@{slug}.test", admin_password="correct horse battery",
            actor=Actor.system("tests"),
        )
        made[slug] = (new.customer, (new.admin_username, new.admin_password))
    return TwoCustomerWorld(acme=made["acme"][0], globex=made["globex"][0], acme_admin=made["acme"][1],
                            globex_admin=made["globex"][1], plan=plan, array=array)


def clear_policy(world: TwoCustomerWorld) -> None:
    """Remove every rule, script, list entry and package of the provider and both customers."""
    from django_tenants.utils import schema_context

    from policy.models import ListEntry, PackageSubscription, Rule, RulePackage, Script
    from tenants import cache

    for schema in ("public", world.acme.schema_name, world.globex.schema_name):
        with schema_context(schema):
            for model in (Rule, Script, ListEntry, PackageSubscription, RulePackage):
                model.objects.all().delete()
    cache.publish_change()
