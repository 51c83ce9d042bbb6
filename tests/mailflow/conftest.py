"""Fixtures for end-to-end mail tests: the real receiver, workers and beat as processes."""

from __future__ import annotations

import pytest


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
    }


@pytest.fixture(scope="session")
def mailpath(mailpath_env, tmp_path_factory):
    from tests.mailflow.mailpath_support import MailPath

    path = MailPath(tmp_path_factory.mktemp("mailpath"), mailpath_env).start()
    yield path
    path.stop()


@pytest.fixture
def committed(django_db_blocker):
    """Database access outside a test transaction: what is written is visible to the processes."""
    with django_db_blocker.unblock():
        yield
