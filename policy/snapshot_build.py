"""Read one customer's effective policy from PostgreSQL into a ``Snapshot`` (docs/policy.md).

Runs when the config version moves, never per message. Order of rules:
global, the customer's array, the packages it switched on (when its plan
includes policy and compliance), its own rules (when its plan allows
customer-defined rules); pre-delivery rules (global, then array) apart.
"""

from __future__ import annotations

from django.db.models import Q
from django_tenants.utils import schema_context

from policy.models import CustomerPolicy, Level, ListEntry, PackageSubscription, Rule, Script
from policy.snapshot import Snapshot
from tenants.models import Customer

RULE_FIELDS = ("name", "level", "direction", "match", "conditions", "actions", "applies_to", "stop_processing")
LEVEL_ORDER = {Level.GLOBAL: 0, Level.ARRAY: 1, Level.PACKAGE: 2, Level.CUSTOMER: 3}


def _rules(queryset) -> list[dict]:
    fields = (*RULE_FIELDS, "package__slug", "array_slug")
    return list(queryset.filter(enabled=True).order_by("order", "id").values(*fields))


def build_snapshot(slug: str, version: int) -> Snapshot:
    with schema_context("public"):
        customer = Customer.objects.select_related("array", "subscription__plan").get(slug=slug)
        plan = customer.subscription.plan if hasattr(customer, "subscription") else None
        array = customer.array.slug
        provider_rules = _rules(Rule.objects.filter(
            Q(level=Level.GLOBAL) | Q(level=Level.ARRAY, array_slug=array) | Q(level=Level.PACKAGE)
            | Q(level=Level.PREDELIVERY, array_slug__in=["", array])))
        provider_scripts = dict(Script.objects.values_list("name", "source"))
        provider_lists = list(ListEntry.objects.values_list("kind", "value", "owner"))
    with schema_context(customer.schema_name):
        from mailflow.models import Group

        settings = CustomerPolicy.get()
        packages = set(PackageSubscription.objects.values_list("package_slug", flat=True))
        own_rules = _rules(Rule.objects.filter(level=Level.CUSTOMER)) if plan is None or plan.customer_rules else []
        scripts = {**provider_scripts, **dict(Script.objects.values_list("name", "source"))}
        lists = provider_lists + list(ListEntry.objects.values_list("kind", "value", "owner"))
        groups = {g.name: [m.address for m in g.members.all()] for g in Group.objects.prefetch_related("members")}
    if plan is not None and not plan.policy_compliance:
        packages = set()
    main = [r for r in provider_rules if r["level"] != Level.PREDELIVERY
            and (r["level"] != Level.PACKAGE or r["package__slug"] in packages)] + own_rules
    main.sort(key=lambda r: LEVEL_ORDER[r["level"]])  # stable: keeps each level's own order
    predelivery = sorted((r for r in provider_rules if r["level"] == Level.PREDELIVERY),
                         key=lambda r: r.get("array_slug", "") != "")
    return Snapshot(
        customer=slug, version=version,
        settings={
            "spam_tag_score": settings.spam_tag_score, "spam_quarantine_score": settings.spam_quarantine_score,
            "spam_delete_score": settings.spam_delete_score, "spam_subject_tag": settings.spam_subject_tag,
            "dmarc_enforcement": settings.dmarc_enforcement, "footer_text": settings.footer_text,
            "footer_html": settings.footer_html, "filtering": plan.filtering if plan else True,
        },
        rules=[{k: r[k] for k in RULE_FIELDS} for r in main],
        predelivery=[{k: r[k] for k in RULE_FIELDS} for r in predelivery],
        scripts=scripts, groups=groups, lists=[tuple(x) for x in lists],
    )
