"""DKIM signing of outbound mail, key generation, and ARC sealing.

Keys are made with ``cryptography``; signatures with dkimpy (relaxed/
relaxed, rsa-sha256). Signing problems are configuration errors and raise
``SigningError``. See docs/sender-auth.md.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

DEFAULT_SIGNED_HEADERS = (
    "from",
    "sender",
    "reply-to",
    "subject",
    "date",
    "message-id",
    "to",
    "cc",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "in-reply-to",
    "references",
)


class SigningError(ValueError):
    """The message could not be signed (bad key, no From header, bad input)."""


def generate_keypair(bits: int = 2048) -> tuple[bytes, str]:
    """A new RSA key: (PKCS#1 private key PEM, base64 public key for the p= tag)."""
    if bits < 1024:
        raise SigningError("DKIM keys shorter than 1024 bits are rejected by receivers")
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )
    public_der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, base64.b64encode(public_der).decode("ascii")


def dns_record(selector: str, domain: str, public_b64: str) -> tuple[str, str]:
    """The TXT record a customer publishes: (owner name, record value)."""
    name = f"{selector}._domainkey.{domain.rstrip('.').lower()}"
    return name, f"v=DKIM1; k=rsa; p={public_b64}"


def _pkcs1_pem(private_pem: bytes) -> bytes:
    """Accept PKCS#1 or PKCS#8 PEM; dkimpy wants PKCS#1."""
    try:
        key = serialization.load_pem_private_key(private_pem, password=None)
    except (ValueError, TypeError) as error:
        raise SigningError(f"private key not usable: {error}") from error
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SigningError("only RSA private keys are supported")
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
    )


def _linesep(raw: bytes) -> bytes:
    return b"\r\n" if b"\r\n" in raw else b"\n"


def _present_headers(raw: bytes, wanted: Sequence[str]) -> list[bytes]:
    header_block = raw.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    lines = [line for line in header_block.split(b"\n") if line[:1] not in (b" ", b"\t") and b":" in line]
    present = {line.split(b":", 1)[0].strip().lower() for line in lines}
    return [h.encode("ascii") for h in wanted if h.encode("ascii") in present]


def sign(raw: bytes, *, domain: str, selector: str, private_pem: bytes, headers: Sequence[str] | None = None) -> bytes:
    """Return ``raw`` with a DKIM-Signature header (relaxed/relaxed, rsa-sha256) prepended.

    ``headers`` lists the header fields to sign; by default the usual
    fields present in the message (From is always required).
    """
    include = [h.lower().encode("ascii") for h in headers] if headers else _present_headers(raw, DEFAULT_SIGNED_HEADERS)
    if b"from" not in include:
        raise SigningError("the From header field must be signed")
    try:
        signature = dkim.sign(
            raw,
            selector.encode("ascii"),
            domain.rstrip(".").lower().encode("ascii"),
            _pkcs1_pem(private_pem),
            canonicalize=(b"relaxed", b"relaxed"),
            signature_algorithm=b"rsa-sha256",
            include_headers=include,
            linesep=_linesep(raw),
        )
    except dkim.DKIMException as error:
        raise SigningError(str(error)) from error
    return signature + raw


def arc_seal(raw: bytes, *, domain: str, selector: str, private_pem: bytes, authserv_id: str) -> bytes:
    """Return ``raw`` with the next ARC set (seal, message signature, results) prepended.

    The message must already carry this gateway's Authentication-Results
    header for ``authserv_id`` (field name spelled exactly so: dkimpy matches
    it case-sensitively); its content becomes the ARC-Authentication-Results.
    """
    try:
        arc_headers = dkim.arc_sign(
            raw,
            selector.encode("ascii"),
            domain.rstrip(".").lower().encode("ascii"),
            _pkcs1_pem(private_pem),
            authserv_id.encode("ascii"),
            linesep=_linesep(raw),
        )
    except dkim.DKIMException as error:
        raise SigningError(f"ARC sealing failed: {error}") from error
    if not arc_headers:
        raise SigningError(f"no 'Authentication-Results: {authserv_id}; ...' header to seal")
    return b"".join(arc_headers) + raw
