"""Fixtures for policy tests: the in-process engine with rules written for real (committed)."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from audit.services import Actor
from mailflow import spool as spool_mod
from mailflow import worker
from policy import engine as policy_engine
from policy.models import ListEntry, PackageSubscription, Rule, RulePackage, Script
from tenants import cache

ACTOR = Actor(type="provider", id="1", name="noc")


def _clear_policy(world) -> None:
    for schema in ("public", world.acme.schema_name, world.globex.schema_name):
        with schema_context(schema):
            Rule.objects.all().delete()
            Script.objects.all().delete()
            ListEntry.objects.all().delete()
            PackageSubscription.objects.all().delete()
            RulePackage.objects.all().delete()
    cache.publish_change()


@pytest.fixture
def engine(settings, tmp_path, world, committed, clean_sink, dns_server):
    settings.SPE_DNS_NAMESERVERS = ["127.0.0.1"]  # outbound mail: example.net's MX is the sink
    settings.SPE_DNS_PORT = dns_server.port
    settings.SPE_OUTBOUND_PORT = clean_sink.port
    settings.SPE_SPOOL_DIR = tmp_path / "spool"
    settings.VAR_DIR = tmp_path / "var"
    settings.SPE_CONFIG_CHECK_EVERY = 0  # every message checks the config version, as after a pub/sub push
    worker._gateway = None
    policy_engine._cache = None
    _clear_policy(world)
    yield worker.gateway()
    worker.gateway().smtp.close_all()
    worker._gateway = None
    policy_engine._cache = None
    _clear_policy(world)


class Run:
    """Spool a message for the world's customers and process it as a worker would."""

    def __init__(self, gw, sink) -> None:
        self.gw, self.sink = gw, sink

    def __call__(self, data: bytes, *, sender: str = "someone@example.net", recipients=("bob@acme.test",),
                 direction: str = "inbound", customer: str = "acme", client_ip: str = "192.0.2.10"):
        spool_id = spool_mod.new_id()
        env = spool_mod.Envelope(mail_from=sender, recipients=list(recipients), customer=customer,
                                 direction=direction, client_ip=client_ip, helo="client.example.net")
        self.gw.spool.write(spool_id, env, data)
        outcome = worker.process_entry(spool_id)
        return outcome, spool_id

    def delivered(self, n: int = 1):
        return self.sink.handler.wait_for(n, timeout=15)


@pytest.fixture
def run(engine, clean_sink):
    return Run(engine, clean_sink)
