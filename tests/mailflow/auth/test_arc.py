"""ARC: a message sealed by a forwarder validates; altering it breaks the chain."""

from __future__ import annotations

import pytest

from mailflow.auth import SigningError, arc_seal, authentication_results_header
from tests.mailflow.auth.messages import message, publish_key

RELAY = "relay.example.org"


def _sealed(check, private_pem: bytes) -> bytes:
    raw = message()
    header = authentication_results_header(check(raw, mail_from="alice@example.com"), RELAY)
    stamped = f"Authentication-Results: {header}\r\n".encode() + raw
    return arc_seal(stamped, domain=RELAY, selector="arc", private_pem=private_pem, authserv_id=RELAY)


def test_sealed_message_passes(dns_server, keypair, check):
    publish_key(dns_server, "arc", RELAY, keypair[1])
    sealed = _sealed(check, keypair[0])
    assert sealed.startswith(b"ARC-Seal: i=1; cv=none")
    arc = check(sealed).arc
    assert (arc.result, arc.instances) == ("pass", 1)


def test_altered_sealed_message_fails(dns_server, keypair, check):
    publish_key(dns_server, "arc", RELAY, keypair[1])
    sealed = _sealed(check, keypair[0]).replace(b"Hello Bob.", b"Hello Eve.")
    assert check(sealed).arc.result == "fail"


def test_seal_with_unpublished_key_fails(dns_server, keypair, other_keypair, check):
    publish_key(dns_server, "arc", RELAY, keypair[1])
    assert check(_sealed(check, other_keypair[0])).arc.result == "fail"


def test_message_without_chain_is_none(dns_server, check):
    assert check(message()).arc.result == "none"


def test_sealing_needs_our_authentication_results(keypair):
    with pytest.raises(SigningError):
        arc_seal(message(), domain=RELAY, selector="arc", private_pem=keypair[0], authserv_id=RELAY)


def test_chain_claiming_more_than_fifty_sets_fails_without_lookups(dns_server, keypair, check):
    publish_key(dns_server, "arc", RELAY, keypair[1])
    sealed = _sealed(check, keypair[0])
    renumbered = sealed.replace(b"i=1;", b"i=51;")
    arc = check(renumbered).arc
    assert arc.result == "fail" and "i=51, more than the 50" in arc.reason
    assert dns_server.query_count("arc._domainkey.relay.example.org") == 0


def test_seal_with_a_long_blank_run_fails_without_lookups(dns_server, keypair, check):
    publish_key(dns_server, "arc", RELAY, keypair[1])
    sealed = _sealed(check, keypair[0])
    folded = sealed.replace(b"ARC-Seal: i=1;", b"ARC-Seal: i=1;" + b"\r\n " * 200, 1)
    arc = check(folded).arc
    assert arc.result == "fail" and "more than 256 white-space characters in a row" in arc.reason
    assert dns_server.query_count("arc._domainkey.relay.example.org") == 0
    assert check(sealed).arc.result == "pass"
