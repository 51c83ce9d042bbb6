"""Antivirus: every part, every unpacked member and the raw message (docs/checks.md).

All engines of ``mailflow.av.build_default_scanner`` (clamd, YARA, the hash
list) scan the same items at once. A message no engine could vouch for is
never passed: the check raises ``CheckTemporaryFailure`` so the worker
retries it with backoff, and after ``SPE_AV_MAX_DEFERRALS`` attempts marks
it ``unscannable`` for policy to quarantine. Antivirus runs for allow-listed
senders too.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings

from mailflow.av.base import ScanItem
from mailflow.checks import resources
from mailflow.checks.base import Check, CheckTemporaryFailure, SymbolSpec
from mailflow.engine.context import MessageContext

log = logging.getLogger(__name__)

_ENGINE_SYMBOL = {"clamav": "VIRUS_CLAMAV", "yara": "VIRUS_YARA", "hashlist": "VIRUS_HASHLIST"}


def scan_items(ctx: MessageContext) -> list[ScanItem]:
    """The raw message once, then every part and member with content (identical blobs once).

    Text bodies are marked: clamd, which decodes the raw message's MIME itself,
    skips them; YARA and the hash list scan them decoded.
    """
    items = [ScanItem("message", ctx.raw)]
    seen = {hashlib.blake2b(ctx.raw, digest_size=16).digest()}
    for part in ctx.parsed.parts:
        if not part.data:
            continue
        digest = hashlib.blake2b(part.data, digest_size=16).digest()
        if digest not in seen:
            seen.add(digest)
            items.append(ScanItem(part.path, part.data, in_raw_text=part.is_body_text and part.depth == 0))
    return items


class Antivirus(Check):
    name = "antivirus"
    description = "ClamAV, YARA rules and the hash list over every part and archive member"
    symbols = (
        SymbolSpec("VIRUS_FOUND", 100.0, "An antivirus engine found malware or a test signature"),
        SymbolSpec("VIRUS_CLAMAV", 0.0, "ClamAV's detection (detail: signature and part)"),
        SymbolSpec("VIRUS_YARA", 0.0, "A YARA rule's detection (detail: rule and part)"),
        SymbolSpec("VIRUS_HASHLIST", 0.0, "The provider's hash list matched (detail: label and part)"),
        SymbolSpec("AV_UNSCANNABLE", 0.0, "No engine could scan the message after the last retry"),
    )
    time_budget = 30.0
    on_error = "tempfail"  # an antivirus bug must never let a message through unscanned

    def run(self, ctx: MessageContext) -> None:
        ctx.facts["virus"] = []
        ctx.facts["virus_found"] = False
        ctx.facts["av_engines"] = []
        try:
            report = resources.scanner().scan(scan_items(ctx))
        except Exception as exc:  # scanner could not even be built (missing rules, bad hash list)
            log.exception("antivirus scanner unavailable")
            self._unscanned(ctx, f"scanner unavailable: {exc}")
            return
        ctx.facts["av_engines"] = list(report.engines_ok)
        if report.engines_failed:
            ctx.facts["av_failed"] = dict(report.engines_failed)
        if report.infected:
            self._record(ctx, report.findings)
        elif report.unscanned:
            reasons = "; ".join(f"{k}: {v}" for k, v in report.engines_failed.items())
            self._unscanned(ctx, reasons)

    def _record(self, ctx: MessageContext, findings) -> None:
        ctx.facts["virus"] = [{"engine": f.engine, "path": f.path, "signature": f.signature} for f in findings]
        ctx.facts["virus_found"] = True
        names = sorted({f.signature for f in findings})
        self.hit(ctx, "VIRUS_FOUND", ", ".join(names)[:200])
        for engine in sorted({f.engine for f in findings}):
            symbol = _ENGINE_SYMBOL.get(engine)
            if symbol:
                found = [f"{f.signature} in {f.path}" for f in findings if f.engine == engine]
                self.hit(ctx, symbol, "; ".join(found)[:200])

    def _unscanned(self, ctx: MessageContext, reason: str) -> None:
        limit = int(getattr(settings, "SPE_AV_MAX_DEFERRALS", 3))
        if ctx.envelope.attempts < limit:
            raise CheckTemporaryFailure(f"not scanned ({reason[:200]}); retry {ctx.envelope.attempts + 1}/{limit}")
        log.error("%s: still unscannable after %d attempts (%s); marked for quarantine",
                  ctx.spool_id, ctx.envelope.attempts, reason[:200])
        ctx.facts["unscannable"] = True
        self.hit(ctx, "AV_UNSCANNABLE", reason[:200])
