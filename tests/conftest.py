"""Shared fixtures: real PostgreSQL (one schema per customer), Redis, an SMTP sink, DNS.

The two-customer world is built once per test session (schemas are costly
to create); tests run in transactions rolled back afterwards, so what a test
writes is gone before the next one. The world's mail domains deliver to a
real SMTP sink on loopback, and a DNS server on loopback answers MX and
sender-authentication lookups. Pure modules' tests (parsers, scanners) need
no database and run without Django too. See docs/testing.md.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    """Always create the test database, even when no collected test carries a db mark.

    pytest-django creates it only for marked tests; session fixtures that use
    the database through ``django_db_blocker`` would otherwise reach the
    development database.
    """
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set())
    yield
    with django_db_blocker.unblock():
        teardown_databases(config, verbosity=0)


@pytest.fixture(scope="session")
def sink():
    """A real SMTP server on loopback standing in for every customer's mail server."""
    from spe_testing.smtpsink import SMTPSink

    with SMTPSink() as server:
        yield server


@pytest.fixture
def clean_sink(sink):
    sink.handler.reset()
    yield sink
    sink.handler.reset()


@pytest.fixture(scope="session")
def dns_server(sink):
    """Authoritative DNS on loopback: example.net's MX is the sink's address."""
    from spe_testing.dnsserver import DNSTestServer

    records = [
        ("example.net", "MX", "10 mx.example.net"),
        ("mx.example.net", "A", "127.0.0.1"),
        ("example.org", "MX", "10 mx.example.org"),
        ("mx.example.org", "A", "127.0.0.1"),
        ("nomail.example.net", "MX", "0 ."),
        ("slow.example.net", "MX", "10 mx.slow.example.net"),
    ]
    with DNSTestServer(records) as server:
        server.fail("mx.slow.example.net", "timeout")
        yield server


@pytest.fixture(scope="session")
def world(django_db_setup, django_db_blocker, sink):
    """Two customers (acme.test, globex.test), each with a schema, admin and domain."""
    from tests.factories import build_two_customer_world

    with django_db_blocker.unblock():
        return build_two_customer_world(sink_port=sink.port)


@pytest.fixture(scope="session")
def mailpath_env(world, sink, dns_server, django_db_blocker):
    """Environment for mail-path processes: the test database, Redis db, DNS and sink."""
    from django.conf import settings
    from django.db import connection

    from tenants.cache import client
    from tenants.models import Customer

    with django_db_blocker.unblock():
        # client 127.0.0.2 is Acme's outbound relay (inbound tests connect from 127.0.0.1)
        Customer.objects.filter(pk=world.acme.pk).update(outbound_relays=["127.0.0.2/32"])
        client().flushdb()
        db = connection.settings_dict
    return {
        "SPE_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "SPE_REDIS_URL": settings.REDIS_URL,
        "SPE_DNS_NAMESERVERS": "127.0.0.1",
        "SPE_DNS_PORT": str(dns_server.port),
        "SPE_DNS_TIMEOUT": "1",
        "SPE_OUTBOUND_PORT": str(sink.port),
        "SPE_HOSTNAME": "gateway.spe.test",
        "SPE_CONFIG_CHECK_EVERY": "0.2",
        # shortened links lead to a test shortener on loopback (tests/mailflow/checks/test_end_to_end.py)
        "SPE_URL_EXPAND_ALLOW_PRIVATE": "true",
        "SPE_URL_BLOCKLIST": "blocked-landing.test",
    }


@pytest.fixture(scope="session")
def mailpath(mailpath_env, tmp_path_factory):
    from tests.mailflow.mailpath_support import MailPath

    path = MailPath(tmp_path_factory.mktemp("mailpath"), mailpath_env).start()
    yield path
    path.stop()


@pytest.fixture
def engine(settings, tmp_path, world, committed, clean_sink, dns_server):
    """The engine in this process (worker.process_entry) on its own spool, store and caches.

    Customers' routes lead to the real sink; outbound mail finds example.net's
    MX on the loopback DNS server; policy is emptied before and after.
    """
    from mailflow import worker
    from policy import engine as policy_engine
    from tests.factories import clear_policy

    settings.SPE_DNS_NAMESERVERS = ["127.0.0.1"]
    settings.SPE_DNS_PORT = dns_server.port
    settings.SPE_OUTBOUND_PORT = clean_sink.port
    settings.SPE_SPOOL_DIR = tmp_path / "spool"
    settings.SPE_STORE_DIR = tmp_path / "store"
    settings.VAR_DIR = tmp_path / "var"
    settings.SPE_CONFIG_CHECK_EVERY = 0  # every message checks the config version, as after a pub/sub push
    worker._gateway = None
    policy_engine._cache = None
    clear_policy(world)
    yield worker.gateway()
    worker.gateway().smtp.close_all()
    worker._gateway = None
    policy_engine._cache = None
    clear_policy(world)


@pytest.fixture
def committed(django_db_blocker):
    """Database access outside a test transaction: what is written is visible to other processes."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture(autouse=True)
def _public_schema_between_tests():
    from django.conf import settings

    if not settings.configured:
        yield
        return
    from django.db import connection

    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()
