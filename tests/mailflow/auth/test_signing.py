"""Outbound DKIM signing: keys, the record to publish, and sign-then-verify."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization

from mailflow.auth import SigningError, dns_record, sign
from tests.mailflow.auth.messages import message, publish_key


def test_keypair_and_record_to_publish(keypair):
    private_pem, public_b64 = keypair
    assert private_pem.startswith(b"-----BEGIN RSA PRIVATE KEY-----")
    public = serialization.load_der_public_key(base64.b64decode(public_b64))
    assert public.key_size == 2048
    name, value = dns_record("s2026", "Example.COM.", public_b64)
    assert name == "s2026._domainkey.example.com"
    assert value == f"v=DKIM1; k=rsa; p={public_b64}"


def test_signature_is_relaxed_rsa_sha256_and_prepended(keypair):
    raw = message()
    signed = sign(raw, domain="example.com", selector="s1", private_pem=keypair[0])
    assert signed.startswith(b"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com;")
    assert signed.endswith(raw)
    header = signed[: -len(raw)].decode()
    assert "s=s1;" in header
    for field in ("from", "to", "subject", "date", "message-id"):
        assert field in header.split("h=")[1].split(";")[0]


@pytest.mark.parametrize("linesep", [b"\r\n", b"\n"])
def test_sign_then_verify_round_trip(dns_server, keypair, check, linesep):
    publish_key(dns_server, "out", "example.com", keypair[1])
    raw = message(body=b"Line one.\r\nLine two.\r\n").replace(b"\r\n", linesep)
    signed = sign(raw, domain="example.com", selector="out", private_pem=keypair[0])
    assert check(signed).dkim[0].result == "pass"


def test_pkcs8_private_keys_are_accepted(dns_server, keypair, check):
    key = serialization.load_pem_private_key(keypair[0], password=None)
    pkcs8 = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    publish_key(dns_server, "p8", "example.com", keypair[1])
    assert check(sign(message(), domain="example.com", selector="p8", private_pem=pkcs8)).dkim[0].result == "pass"


def test_explicit_header_list_is_signed(dns_server, keypair, check):
    publish_key(dns_server, "h", "example.com", keypair[1])
    signed = sign(message(), domain="example.com", selector="h", private_pem=keypair[0], headers=["From", "Subject"])
    assert b"h=from : subject;" in signed
    changed_to = signed.replace(b"To: bob@example.net", b"To: carol@example.net")
    assert check(changed_to).dkim[0].result == "pass"  # To was not signed


@pytest.mark.parametrize(
    "bad_key", [b"", b"not a key", b"-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"]
)
def test_garbage_key_raises_signing_error(bad_key):
    with pytest.raises(SigningError):
        sign(message(), domain="example.com", selector="s", private_pem=bad_key)


def test_from_must_be_signed(keypair):
    with pytest.raises(SigningError):
        sign(message(), domain="example.com", selector="s", private_pem=keypair[0], headers=["Subject"])
