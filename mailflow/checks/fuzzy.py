"""Bulk signatures: copies of mail reported as spam, recognised across every customer (docs/checks.md).

A provider sees the same campaign arrive at many customers within minutes.
When a customer reports a message as spam (or releases one as not spam),
the feedback learner records the message's fuzzy sketch
(``mailflow.spam.fuzzy``) in one Redis store for the whole platform, with
who reported it; provider staff can report mail too (``manage.py fuzzy``).
Every inbound message's sketch is then looked up in one round trip, and a
copy of reported spam, even with its names, numbers and links changed,
earns ``FUZZY_SPAM`` in proportion to the resemblance.

Whose reports count, for a message to customer C:

- a report by the provider's staff counts for every customer;
- C's own reports count for C at once;
- other customers' spam reports count for C once ``SPE_FUZZY_QUORUM`` (2)
  different customers made them, so one customer alone cannot have a
  message held at the others;
- a "not spam" from C or from the provider outweighs every spam report for
  that text and earns ``FUZZY_HAM`` instead.

Attachments count too: byte for byte (a digest of the file), and by the
sketch of the text of attached pages and Office documents, which a
campaign rebuilds for every recipient (``file_sketches``).

The store holds sketches (32 hash values) and file digests, never text or files. Entries expire
``SPE_FUZZY_TTL_DAYS`` (90) after the last report of them; each report of
the same text refreshes them.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from mailflow.checks.base import Check, SymbolSpec
from mailflow.checks.spam import view_of
from mailflow.engine.context import MessageContext
from mailflow.spam.fuzzy import (
    FUZZY_FILE_SCORE,
    FUZZY_HAM_SCORE,
    FUZZY_SPAM_SCORE,
    MATCH_OVERLAP,
    Sketch,
    best_match,
    file_digests,
    file_sketches,
    sketch_view,
)

log = logging.getLogger(__name__)

PROVIDER = "provider"  # the reporter name of the provider's staff
VALUE = "spe:fz:v:"  # + sketch value: set of digests holding it
DIGEST = "spe:fz:d:"  # + digest: hash of size, words, first and last report
SPAM = "spe:fz:s:"  # + digest: set of who reported it as spam
HAM = "spe:fz:h:"  # + digest: set of who released it as not spam
MAX_CANDIDATES = 3  # stored sketches read in full per message


def _client():
    from tenants.cache import client

    return client()


def _ttl() -> int:
    return int(float(getattr(settings, "SPE_FUZZY_TTL_DAYS", 90)) * 86400)


def _quorum() -> int:
    return max(1, int(getattr(settings, "SPE_FUZZY_QUORUM", 2)))


def report(
    sketches: Iterable[tuple[Sketch, str]], reporter: str, now: float | None = None,
    files: Iterable[tuple[str, str]] = (),
) -> int:
    """Record (sketch, "spam" or "ham") and (file digest, label) reports by ``reporter``; one round trip.

    ``reporter`` is a customer schema or ``PROVIDER``; file digests come
    from ``mailflow.spam.fuzzy.file_digests``. A reporter's later label for
    the same text or file replaces its earlier one. Returns how many texts
    and files were recorded.
    """
    now = time.time() if now is None else now
    ttl = _ttl()
    pipe = _client().pipeline(transaction=False)
    count = 0
    for sketch, label in sketches:
        for value in sketch.values:
            pipe.sadd(f"{VALUE}{value}", sketch.digest)
            pipe.expire(f"{VALUE}{value}", ttl)
        _record(pipe, sketch.digest, label, reporter, now, ttl, {"size": len(sketch.values), "words": sketch.words})
        count += 1
    for digest, label in files:
        _record(pipe, digest, label, reporter, now, ttl, {"size": 0})
        count += 1
    if count:
        pipe.execute()
    return count


def _record(pipe, digest: str, label: str, reporter: str, now: float, ttl: int, fields: dict) -> None:
    if label not in ("spam", "ham"):
        raise ValueError(f"label must be spam or ham, not {label!r}")
    pipe.hsetnx(f"{DIGEST}{digest}", "first", f"{now:.0f}")
    pipe.hset(f"{DIGEST}{digest}", mapping={**fields, "last": f"{now:.0f}"})
    keep, drop = (SPAM, HAM) if label == "spam" else (HAM, SPAM)
    pipe.sadd(f"{keep}{digest}", reporter)
    pipe.srem(f"{drop}{digest}", reporter)
    for prefix in (DIGEST, SPAM, HAM):
        pipe.expire(f"{prefix}{digest}", ttl)


def forget(sketch: Sketch | None = None, files: Iterable[str] = ()) -> bool:
    """Drop every report of this text and of these file digests (a provider's correction); True if any was stored."""
    pipe = _client().pipeline(transaction=False)
    digests = list(files)
    if sketch is not None:
        for value in sketch.values:
            pipe.srem(f"{VALUE}{value}", sketch.digest)
        digests.append(sketch.digest)
    for digest in digests:
        pipe.delete(f"{DIGEST}{digest}", f"{SPAM}{digest}", f"{HAM}{digest}")
    return any(pipe.execute()[-len(digests):]) if digests else False


def forget_reporter(reporter: str) -> int:
    """Take back every report ``reporter`` made (a purged customer); returns how many were removed."""
    client, removed = _client(), 0
    for prefix in (SPAM, HAM):
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        for start in range(0, len(keys), 1000):
            pipe = client.pipeline(transaction=False)
            for key in keys[start : start + 1000]:
                pipe.srem(key, reporter)
            removed += sum(pipe.execute())
    return removed


@dataclass(frozen=True)
class Match:
    """A stored sketch resembling the message, and who reported it."""

    digest: str
    resemblance: float
    spam: frozenset[str]
    ham: frozenset[str]

    def verdict(self, customer: str, quorum: int) -> str | None:
        """"spam", "ham" or None: what the reports that count for ``customer`` say."""
        if PROVIDER in self.ham or customer in self.ham:
            return "ham"
        others = self.spam - self.ham - {PROVIDER, customer}
        if PROVIDER in self.spam or customer in self.spam or len(others) >= quorum:
            return "spam"
        return None


# The digests holding each value, in one command (a pipeline of 32 SMEMBERS costs the client twice the time).
# A value held by more than MAX_DIGESTS_PER_VALUE reported texts is a phrase everyone writes, not a sign of
# one text: it is skipped, so the lookup's cost never grows with the store.
MAX_DIGESTS_PER_VALUE = 64
_MEMBERS_LUA = """
local out = {}
local cap = tonumber(ARGV[1])
for _, key in ipairs(KEYS) do
  if redis.call('SCARD', key) <= cap then
    for _, digest in ipairs(redis.call('SMEMBERS', key)) do out[#out + 1] = digest end
  end
end
return out
"""
_members_script = None


def lookup(sketch: Sketch) -> list[Match]:
    """Stored sketches resembling ``sketch``, best first: one round trip, a second only when something is close."""
    global _members_script
    client = _client()
    if _members_script is None:
        _members_script = client.register_script(_MEMBERS_LUA)
    keys = [f"{VALUE}{value}" for value in sketch.values]
    found = _members_script(keys=keys, args=[MAX_DIGESTS_PER_VALUE], client=client)
    counts = Counter(d.decode() if isinstance(d, bytes) else d for d in found)
    needed = len(sketch.values) * MATCH_OVERLAP  # fewer shared values cannot reach MATCH_OVERLAP of the larger
    close = sorted((d for d, n in counts.items() if n >= needed), key=lambda d: (-counts[d], d))[:MAX_CANDIDATES]
    if not close:
        return []
    pipe = client.pipeline(transaction=False)
    for digest in close:
        pipe.hget(f"{DIGEST}{digest}", "size")
        pipe.smembers(f"{SPAM}{digest}")
        pipe.smembers(f"{HAM}{digest}")
    replies = pipe.execute()
    sizes, reporters = {}, {}
    for n, digest in enumerate(close):
        size, spam, ham = replies[3 * n : 3 * n + 3]
        if size is None:  # expired between the two round trips
            continue
        sizes[digest] = int(size)
        reporters[digest] = (_names(spam), _names(ham))
    return [Match(d, share, *reporters[d]) for d, share in best_match(sketch, counts, sizes)]


def lookup_files(digests: list[str]) -> list[Match]:
    """Stored reports of these attachment digests (one round trip)."""
    pipe = _client().pipeline(transaction=False)
    for digest in digests:
        pipe.smembers(f"{SPAM}{digest}")
        pipe.smembers(f"{HAM}{digest}")
    replies = pipe.execute()
    found = []
    for n, digest in enumerate(digests):
        spam, ham = _names(replies[2 * n]), _names(replies[2 * n + 1])
        if spam or ham:
            found.append(Match(digest, 1.0, spam, ham))
    return found


def _names(members: Iterable[bytes | str]) -> frozenset[str]:
    return frozenset(m.decode() if isinstance(m, bytes) else m for m in members)


class BulkSignatures(Check):
    name = "bulk_signatures"
    description = "Copies of mail reported as spam or as wanted, recognised by fuzzy sketches across the platform"
    symbols = (
        SymbolSpec("FUZZY_SPAM", FUZZY_SPAM_SCORE,
                   "A copy (names, numbers and links changed or not) of mail reported as spam; scaled by resemblance"),
        SymbolSpec("FUZZY_HAM", FUZZY_HAM_SCORE,
                   "A copy of mail this customer or the provider released as not spam; scaled by resemblance"),
        SymbolSpec("FUZZY_SPAM_FILE", FUZZY_FILE_SCORE,
                   "An attachment the same as one in mail reported as spam: byte for byte, or its page's or "
                   "document's text (names and addresses changed or not); scaled by resemblance"),
    )
    directions = frozenset({"inbound"})
    network = True  # the platform's Redis

    def run(self, ctx: MessageContext) -> None:
        ctx.facts["fuzzy"] = None
        ctx.facts["fuzzy_files"] = []
        if not getattr(settings, "SPE_FUZZY", True) or ctx.facts.get("sender_allowlisted"):
            return
        sketch = sketch_view(view_of(ctx))
        files = dict(file_digests(ctx.parsed))
        file_texts = file_sketches(ctx.parsed)
        if sketch is None and not files and not file_texts:
            return
        try:
            matches = lookup(sketch) if sketch is not None else []
            file_matches = lookup_files(list(files)) if files else []
            text_matches = [(name, match) for text, name in file_texts for match in lookup(text)]
        except Exception as exc:  # a Redis outage must not stop mail; the fact says why nothing was judged
            ctx.facts["fuzzy_error"] = f"{type(exc).__name__}: {exc}"[:200]
            return
        customer = ctx.customer.schema if ctx.customer else ctx.envelope.customer
        quorum = _quorum()
        for match in matches:
            verdict = match.verdict(customer, quorum)
            if verdict is None:
                continue
            ctx.facts["fuzzy"] = {"digest": match.digest, "resemblance": match.resemblance, "verdict": verdict}
            detail = f"{match.digest} resemblance {match.resemblance:.2f}"
            if verdict == "spam":
                self.hit(ctx, "FUZZY_SPAM", detail, round(FUZZY_SPAM_SCORE * match.resemblance, 2))
            else:
                self.hit(ctx, "FUZZY_HAM", detail, round(FUZZY_HAM_SCORE * match.resemblance, 2))
            break
        reported = {files[m.digest]: 1.0 for m in file_matches if m.verdict(customer, quorum) == "spam"}
        for name, match in text_matches:
            if match.verdict(customer, quorum) == "spam" and match.resemblance > reported.get(name, 0.0):
                reported[name] = match.resemblance
        if reported:
            ctx.facts["fuzzy_files"] = list(reported)
            detail = ", ".join(f"{name} resemblance {share:.2f}" for name, share in reported.items())
            self.hit(ctx, "FUZZY_SPAM_FILE", detail[:200], round(FUZZY_FILE_SCORE * max(reported.values()), 2))
