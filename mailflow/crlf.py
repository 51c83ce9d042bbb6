"""Line endings: SMTP carries CRLF only (docs/mailflow.md, SMTP smuggling)."""


def normalise_newlines(data: bytes) -> bytes:
    """Turn bare LF and bare CR into CRLF."""
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").replace(b"\n", b"\r\n")


def has_bare_newline(data: bytes) -> bool:
    crlf = data.count(b"\r\n")
    return data.count(b"\n") != crlf or data.count(b"\r") != crlf
