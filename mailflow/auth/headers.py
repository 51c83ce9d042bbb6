"""Authentication-Results header (RFC 8601) for the results of ``verify``.

See docs/sender-auth.md for the exact shape written.
"""

from __future__ import annotations

import re

from mailflow.auth.results import AuthResults, DKIMSignatureResult

_PLAIN_VALUE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.@-]+$")


def _comment(text: str) -> str:
    cleaned = " ".join(re.sub(r"[()\\]", " ", text).split())
    return f" ({cleaned[:120]})" if cleaned else ""


def _spf(results: AuthResults) -> str:
    spf = results.spf
    if spf.identity == "helo" or not spf.mail_from:
        prop = f"smtp.helo={spf.domain}" if spf.domain else ""
    else:
        value = spf.mail_from if _PLAIN_VALUE.match(spf.mail_from) else spf.domain
        prop = f"smtp.mailfrom={value}"
    return " ".join(part for part in (f"spf={spf.result}", prop) if part)


def _dkim(sig: DKIMSignatureResult) -> str:
    text = f"dkim={sig.result}"
    if sig.result != "pass":
        text += _comment(sig.reason)
    if sig.domain:
        text += f" header.d={sig.domain}"
    if sig.selector and _PLAIN_VALUE.match(sig.selector):
        text += f" header.s={sig.selector}"
    if sig.b_prefix and _PLAIN_VALUE.match(sig.b_prefix):
        text += f" header.b={sig.b_prefix}"
    return text


def _dmarc(results: AuthResults) -> str:
    dmarc = results.dmarc
    text = f"dmarc={dmarc.result}"
    if dmarc.result in ("pass", "fail"):
        text += f" (p={dmarc.policy} dis={dmarc.disposition})"
    elif dmarc.reason:
        text += _comment(dmarc.reason)
    if dmarc.from_domain:
        text += f" header.from={dmarc.from_domain}"
    return text


def _arc(results: AuthResults) -> str:
    arc = results.arc
    return f"arc={arc.result}" + (f" (i={arc.instances})" if arc.instances else "")


def authentication_results_header(results: AuthResults, authserv_id: str, *, fold: bool = False) -> str:
    """The header *value* (without ``Authentication-Results:``) for ``results``.

    With ``fold=True`` each method starts on its own continuation line.
    """
    methods = [_spf(results)]
    methods += [_dkim(sig) for sig in results.dkim] or ["dkim=none"]
    methods += [_dmarc(results), _arc(results)]
    separator = ";\r\n\t" if fold else "; "
    return separator.join([authserv_id, *methods])
