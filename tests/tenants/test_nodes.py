"""Nodes appear in the provider's data with their last heartbeat."""

from __future__ import annotations

import time

import pytest

from mailflow import heartbeat
from tenants.cache import client
from tenants.models import Node
from tenants.nodes import record_heartbeats

pytestmark = pytest.mark.django_db


def test_heartbeats_become_node_rows(settings):
    settings.SPE_NODE_NAME = "mx1.provider.test"
    heartbeat.publish(client(), "receiver", {"received": 3})
    heartbeat.publish(client(), "engine", {"queue_depth": 0})
    rows = [r for r in heartbeat.read_all(client()) if r["node"] == "mx1.provider.test"]
    assert record_heartbeats(rows) == 1
    node = Node.objects.get(hostname="mx1.provider.test")
    assert node.role == Node.Role.ALL
    assert node.version == heartbeat.VERSION
    assert time.time() - node.last_heartbeat.timestamp() < 30
