"""Small message builder for sender authentication tests."""

from __future__ import annotations


def message(from_addr: str = "Alice <alice@example.com>", body: bytes = b"Hello Bob.\r\n", extra: bytes = b"") -> bytes:
    """A plain RFC 5322 message with CRLF line endings."""
    return (
        f"From: {from_addr}\r\n".encode()
        + b"To: bob@example.net\r\n"
        + b"Subject: quarterly figures\r\n"
        + b"Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n"
        + b"Message-ID: <figures-1@example.com>\r\n"
        + extra
        + b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + body
    )


def publish_key(server, selector: str, domain: str, public_b64: str) -> None:
    """Publish a DKIM key on the test DNS server the way a customer would."""
    from mailflow.auth import dns_record

    name, value = dns_record(selector, domain, public_b64)
    server.add_record(name, "TXT", value)
