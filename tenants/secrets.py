"""Encryption of secrets stored in the database (DKIM private keys), docs/tenancy.md.

Fernet (AES-128-CBC + HMAC) with a key derived from Django's SECRET_KEY by
HKDF, so a database dump alone does not reveal the keys.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"spe-secrets", info=b"dkim").derive(
        settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(value: bytes) -> str:
    return _fernet().encrypt(value).decode()


def decrypt(token: str) -> bytes:
    """Raises ValueError when the token was not made with this installation's secret key."""
    try:
        return _fernet().decrypt(token.encode())
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong secret key or damaged value") from exc
