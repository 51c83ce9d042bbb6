"""Email policies that bound what one header field can cost to parse.

Folding lets a sender write one header field of any length in lines of legal
length, and the stdlib ``email`` package spends time quadratic in a field's
length on some shapes: MIME parameters holding many semicolons
(``_parseparam``, read by ``get_boundary`` while the message is parsed and by
``get_filename`` and ``get_content_charset`` after; CPython gh-136063), and
long address lists in its header value parser.  A 150 KB ``Content-Type``
costs seconds, a megabyte minutes.

So, as Postfix does (``header_size_limit``, ``mime_boundary_length_limit``),
every parse clips a field's value when it is read from the source: at
``MAX_HEADER_CHARS`` for any field, and at ``MAX_MIME_HEADER_CHARS`` for the
two fields that carry MIME parameters.  Nothing a real mail program writes
comes near either limit (a boundary is at most 70 characters, and a
255-character file name encoded twice under RFC 2231 about 2 KB).  The bytes
that are spooled, delivered, quarantined and archived are never changed by
this: only what the checks read.  A message an action rewrites is
serialised from such a parse, so a field beyond the limit leaves clipped, as
Postfix would have delivered it.

Use ``COMPAT32``, ``DEFAULT`` and ``SMTP`` wherever ``email.policy``'s
policies of the same names would be used on received mail.
"""

from __future__ import annotations

from email.policy import Compat32, EmailPolicy

MAX_HEADER_CHARS = 64 * 1024
MAX_MIME_HEADER_CHARS = 8 * 1024
_MIME_PARAMETER_FIELDS = frozenset(["content-type", "content-disposition"])


def clip(name: str, value: str) -> str:
    """``value`` cut to the limit for a field called ``name``."""
    limit = MAX_MIME_HEADER_CHARS if name.strip().lower() in _MIME_PARAMETER_FIELDS else MAX_HEADER_CHARS
    return value if len(value) <= limit else value[:limit]


class BoundedCompat32(Compat32):
    """``email.policy.compat32`` with every field clipped as it is parsed."""

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = super().header_source_parse(sourcelines)
        return name, clip(name, value)


class BoundedEmailPolicy(EmailPolicy):
    """``email.policy.default`` with every field clipped as it is parsed."""

    def header_source_parse(self, sourcelines: list[str]) -> tuple[str, str]:
        name, value = super().header_source_parse(sourcelines)
        return name, clip(name, value)


COMPAT32 = BoundedCompat32()
DEFAULT = BoundedEmailPolicy()
# For messages an action rewrites: the sender's header fields leave as they came (as Postfix passes
# them), only fields the platform sets are folded. Refolding a long field parses it with the email
# package's header registry: 20 KB of backslashes in a Reply-To took 1.7 s, 64 KB over 10 s, and a
# refolded field can break the sender's DKIM signature.
SMTP = DEFAULT.clone(linesep="\r\n", refold_source="none")
