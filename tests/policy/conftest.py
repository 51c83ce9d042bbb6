"""Fixtures for policy tests: messages run through the in-process engine (``engine`` in tests/conftest.py)."""

from __future__ import annotations

import pytest

from audit.services import Actor
from mailflow import spool as spool_mod
from mailflow import worker

ACTOR = Actor(type="provider", id="1", name="noc")


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
