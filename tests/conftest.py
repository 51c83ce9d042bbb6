"""Shared fixtures: real PostgreSQL (one schema per customer) and Redis.

The two-customer world is built once per test session (schemas are costly
to create); tests run in transactions rolled back afterwards, so what a test
writes is gone before the next one. Pure modules' tests (parsers, scanners)
need no database and run without Django too. See docs/testing.md.
"""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def world(django_db_setup, django_db_blocker):
    """Two customers (acme.test, globex.test), each with a schema, admin and domain."""
    from tests.factories import build_two_customer_world

    with django_db_blocker.unblock():
        return build_two_customer_world()


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
