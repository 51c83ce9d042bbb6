"""Sender authentication for inbound mail and DKIM signing for outbound mail.

SPF (pyspf), DKIM and ARC (dkimpy), DMARC (RFC 7489, Public Suffix List
from the ``publicsuffixlist`` package). Every DNS lookup goes through the
resolver the caller passes in. See docs/sender-auth.md.
"""

from mailflow.auth.dnsclient import DEFAULT_CACHE, DNSAnswer, DNSCache, DNSClient
from mailflow.auth.headers import authentication_results_header
from mailflow.auth.results import ARCResult, AuthResults, DKIMSignatureResult, DMARCResult, SPFResult
from mailflow.auth.signing import SigningError, arc_seal, dns_record, generate_keypair, sign
from mailflow.auth.symbols import SYMBOLS, Symbol, symbols
from mailflow.auth.verify import verify

__all__ = [
    "DEFAULT_CACHE",
    "SYMBOLS",
    "ARCResult",
    "AuthResults",
    "DKIMSignatureResult",
    "DMARCResult",
    "DNSAnswer",
    "DNSCache",
    "DNSClient",
    "SPFResult",
    "SigningError",
    "Symbol",
    "arc_seal",
    "authentication_results_header",
    "dns_record",
    "generate_keypair",
    "sign",
    "symbols",
    "verify",
]
