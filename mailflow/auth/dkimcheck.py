"""DKIM (RFC 6376) and ARC (RFC 8617) verification with dkimpy.

dkimpy's ``DKIM.verify`` folds every problem into ``False``; to report
RFC 8601 results (fail vs. permerror vs. temperror) each signature is
taken through dkimpy's own steps here: parse and check the tags, fetch
the key through our ``DNSClient``, then hash and verify. Nothing in this
module raises on bad input. See docs/sender-auth.md.
"""

from __future__ import annotations

import logging
import re

import dkim

from mailflow.auth.dnsclient import DNSClient
from mailflow.auth.results import ARCResult, DKIMSignatureResult

MIN_KEY_BITS = 1024
_quiet = logging.getLogger("mailflow.auth.dkimpy")
_quiet.addHandler(logging.NullHandler())
_quiet.propagate = False


class _KeyLookupFailed(Exception):
    """The key record could not be fetched for a temporary reason."""


def dnsfunc_for(client: DNSClient):
    """A dkimpy ``dnsfunc`` that resolves TXT records through ``client``."""

    def lookup(name: bytes | str, timeout: float = 5) -> bytes | None:
        qname = name.decode("ascii", "replace") if isinstance(name, bytes) else name
        answer = client.query(qname, "TXT", lifetime=min(float(timeout), client.timeout))
        if answer.failed:
            raise dkim.DnsTimeoutError(answer.error)
        records = answer.txt()
        return records[0] if records else None

    return lookup


def _text(value: bytes | str | None) -> str:
    if isinstance(value, bytes):
        return value.decode("ascii", "replace")
    return value or ""


def header_block(raw: bytes) -> bytes:
    """The header section of ``raw``: everything before the first empty line."""
    return re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]


def _tags_of(verifier: dkim.DKIM, index: int) -> dict[str, str]:
    """d=, s= and the start of b= of signature ``index``, as far as they can be read."""
    headers = [value for name, value in verifier.headers if name.lower() == b"dkim-signature"]
    try:
        tags = dkim.util.parse_tag_value(headers[index])
    except Exception:  # unreadable tag list: report what we know, nothing
        return {"domain": "", "selector": "", "b_prefix": ""}
    b_value = re.sub(r"\s+", "", _text(tags.get(b"b")))
    return {"domain": _text(tags.get(b"d")).lower(), "selector": _text(tags.get(b"s")), "b_prefix": b_value[:8]}


def _verify_one(verifier: dkim.DKIM, index: int, client: DNSClient) -> DKIMSignatureResult:
    try:
        prep = verifier.verify_headerprep(index)
    except dkim.DKIMException as error:
        return DKIMSignatureResult("permerror", reason=f"bad signature: {error}", **_tags_of(verifier, index))
    if not prep:
        return DKIMSignatureResult("permerror", reason="signature header could not be read")
    sig, include_headers, sig_headers = prep
    base = _tags_of(verifier, index)
    domain, selector = base["domain"], base["selector"]
    lookup = dnsfunc_for(client)
    try:
        record = lookup(f"{selector}._domainkey.{domain}.")
        verifier.pk, verifier.keysize, verifier.ktag, verifier.seqtlsrpt = dkim.evaluate_pk(
            f"{selector}._domainkey.{domain}", record
        )
    except dkim.DnsTimeoutError as error:
        return DKIMSignatureResult("temperror", reason=f"key lookup failed: {error}", **base)
    except Exception as error:
        return DKIMSignatureResult("permerror", reason=f"no usable key: {error}", **base)
    return _check_signature(verifier, sig, include_headers, sig_headers[index], lookup, base)


def _check_signature(
    verifier: dkim.DKIM, sig: dict, include_headers: list, sig_header: tuple, lookup, base: dict
) -> DKIMSignatureResult:
    try:
        valid = verifier.verify_sig_process(sig, include_headers, sig_header, lookup)
    except dkim.ValidationError as error:
        return DKIMSignatureResult("fail", reason=str(error).split(" (")[0], **base)
    except dkim.KeyFormatError as error:
        return DKIMSignatureResult("permerror", reason=str(error), **base)
    except Exception as error:
        return DKIMSignatureResult("permerror", reason=f"{type(error).__name__}: {error}", **base)
    if valid:
        return DKIMSignatureResult("pass", reason="good signature", **base)
    return DKIMSignatureResult("fail", reason="signature did not verify", **base)


def verify_dkim(raw: bytes, client: DNSClient) -> tuple[DKIMSignatureResult, ...]:
    """Verify every DKIM-Signature; an empty tuple means the message has none."""
    if not re.search(rb"(?im)^dkim-signature[ \t]*:", header_block(raw)):
        return ()
    try:
        verifier = dkim.DKIM(raw, logger=_quiet, minkey=MIN_KEY_BITS, timeout=client.timeout)
    except Exception as error:
        return (DKIMSignatureResult("permerror", reason=f"message not parsable: {error}"),)
    count = sum(1 for name, _ in verifier.headers if name.lower() == b"dkim-signature")
    return tuple(_verify_one(verifier, index, client) for index in range(count))


def verify_arc(raw: bytes, client: DNSClient) -> ARCResult:
    """Validate the ARC chain: pass, fail, or none when there is no chain."""
    if not re.search(rb"(?im)^arc-seal[ \t]*:", header_block(raw)):
        return ARCResult("none", 0, "no ARC headers")
    try:
        verifier = dkim.ARC(raw, logger=_quiet, minkey=MIN_KEY_BITS, timeout=client.timeout)
        cv, instances, reason = verifier.verify(dnsfunc=dnsfunc_for(client))
    except Exception as error:
        return ARCResult("fail", 0, f"{type(error).__name__}: {error}")
    result = {dkim.CV_Pass: "pass", dkim.CV_None: "none"}.get(cv, "fail")
    return ARCResult(result, len(instances), _text(reason))
