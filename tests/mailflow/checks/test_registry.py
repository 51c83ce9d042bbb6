"""The checks registry: every module registered, every symbol described, facts always set."""

from __future__ import annotations

import pkgutil

import mailflow.checks
from mailflow.checks import CHECKS, registry
from mailflow.engine import pipeline
from tests.mailflow.checks.conftest import context
from tests.mailflow.checks.samples import mail

NOT_CHECKS = {"base", "resources"}


def test_every_check_module_is_registered():
    modules = {m.name for m in pkgutil.iter_modules(mailflow.checks.__path__)} - NOT_CHECKS
    registered = {cls.__module__.rsplit(".", 1)[-1] for cls in CHECKS}
    assert modules == registered


def test_every_symbol_has_a_description_and_names_are_unique():
    seen: dict[str, str] = {}
    for cls in registry:
        assert cls.description
        for spec in cls.symbols:
            assert spec.description, spec.name
            assert spec.name not in seen, f"{spec.name} declared by {seen.get(spec.name)} and {cls.name}"
            seen[spec.name] = cls.name


def test_a_clean_message_gets_every_fact_policy_reads(node):
    ctx = context(mail(body="Hello Bob, see https://docs.example.test/minutes\n").as_bytes())
    pipeline.run_checks(ctx)
    assert ctx.check_errors == {}
    for key in ("virus", "virus_found", "av_engines", "spf", "dkim", "dmarc", "dmarc_policy", "arc", "dnsbl",
                "country", "received_countries", "urls", "url_hosts", "spam_probability", "lookalike_of"):
        assert key in ctx.facts, key
    assert ctx.facts["virus_found"] is False
    assert ctx.facts["url_hosts"] == ["docs.example.test"]
    assert [h for h, _ in ctx.add_headers] == ["Authentication-Results"]
