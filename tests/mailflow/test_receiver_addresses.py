"""The receiver's fast path for MAIL/RCPT addresses answers exactly as aiosmtpd's parser does."""

from __future__ import annotations

import pytest
from aiosmtpd.smtp import SMTP

from mailflow.smtpd.server import GatewaySMTP

FORMS = [
    "<a@b.example>",
    "<first.last@mail.example.org> SIZE=100",
    "<a@b.example> SIZE=100 BODY=8BITMIME",
    "<a@b.example>SIZE=1",
    "<a@b.example>  SIZE=1",
    "<a@b.example>\tSIZE=1",
    "<a@b.example>(comment) SIZE=1",
    "<a@b.example> (comment)",
    " <a@b.example>",
    "<>",
    "<a..b@c.example>",
    '<"quoted local"@c.example>',
    "<a@[192.0.2.1]>",
    "<a@b.example.>",
    "<a@-b.example>",
    "<a@b_c.example>",
    "<@relay.example:a@b.example>",
    "<a @b.example>",
    "<ä@b.example>",
    "<a@bücher.example>",
    "<" + "x" * 70 + "@b.example>",
    "a@b.example",
    "<a@b.example",
    "<a@b.example>>",
]


def parse(cls: type[SMTP], arg: str, limit: int) -> tuple[str | None, str | None]:
    server = cls.__new__(cls)
    server.local_part_limit = limit
    address, rest = cls._getaddr(server, arg)
    return address, None if rest is None else rest.strip()


@pytest.mark.parametrize("limit", [64, 0])
@pytest.mark.parametrize("arg", FORMS)
def test_same_address_and_parameters_as_aiosmtpd(arg: str, limit: int) -> None:
    assert parse(GatewaySMTP, arg, limit) == parse(SMTP, arg, limit)
