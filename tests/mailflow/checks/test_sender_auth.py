"""Sender authentication through the loopback DNS server: facts, symbols, header."""

from __future__ import annotations

import uuid

from mailflow.auth import dns_record, generate_keypair, sign
from mailflow.checks.sender_auth import SenderAuth
from mailflow.engine import pipeline
from tests.mailflow.checks.conftest import context, symbol_names
from tests.mailflow.checks.samples import mail

CLIENT = "81.2.69.160"


def domain_with(dns_server, *, spf: str, dmarc: str | None, dkim_key: str | None = None) -> str:
    domain = f"s{uuid.uuid4().hex[:10]}.test"
    dns_server.add_record(domain, "TXT", spf)
    if dmarc is not None:
        dns_server.add_record(f"_dmarc.{domain}", "TXT", dmarc)
    if dkim_key is not None:
        name, value = dns_record("s1", domain, dkim_key)
        dns_server.add_record(name, "TXT", value)
    return domain


def test_signed_mail_from_an_authorised_server_passes_everything(node, dns_server):
    private_pem, public_b64 = generate_keypair(1024)
    domain = domain_with(dns_server, spf=f"v=spf1 ip4:{CLIENT} -all", dmarc="v=DMARC1; p=reject",
                         dkim_key=public_b64)
    raw = sign(mail(sender=f"Alice <alice@{domain}>").as_bytes(), domain=domain, selector="s1",
               private_pem=private_pem)
    ctx = context(raw, mail_from=f"alice@{domain}", client_ip=CLIENT)
    SenderAuth().run(ctx)
    assert ctx.facts["spf"] == "pass"
    assert ctx.facts["dkim"] == "pass"
    assert ctx.facts["dkim_domains"] == [domain]
    assert ctx.facts["dmarc"] == "pass"
    assert ctx.facts["dmarc_policy"] == "reject"  # what the domain publishes; it passed, so nothing to enforce
    assert ctx.facts["arc"] == "none"
    assert {"SPF_PASS", "DKIM_VALID", "DMARC_PASS"} <= set(symbol_names(ctx))
    [(name, value)] = ctx.add_headers
    assert name == "Authentication-Results"
    assert value.startswith("gateway.spe.test;")
    assert "spf=pass" in value and "dkim=pass" in value and "dmarc=pass" in value


def test_forged_sender_of_a_reject_domain_gives_dmarc_fail_reject(node, dns_server):
    domain = domain_with(dns_server, spf="v=spf1 ip4:198.51.100.7 -all", dmarc="v=DMARC1; p=reject")
    ctx = context(mail(sender=f"CEO <ceo@{domain}>").as_bytes(), mail_from=f"ceo@{domain}", client_ip=CLIENT)
    SenderAuth().run(ctx)
    assert ctx.facts["spf"] == "fail"
    assert ctx.facts["dkim"] == "none"
    assert ctx.facts["dmarc"] == "fail"
    assert ctx.facts["dmarc_policy"] == "reject"
    assert "DMARC_POLICY_REJECT" in symbol_names(ctx)
    assert ctx.score >= 5.0
    assert "dmarc=fail" in ctx.add_headers[0][1]


def test_altered_signed_message_shows_dkim_fail(node, dns_server):
    private_pem, public_b64 = generate_keypair(1024)
    domain = domain_with(dns_server, spf="v=spf1 -all", dmarc="v=DMARC1; p=quarantine", dkim_key=public_b64)
    raw = sign(mail(sender=f"alice@{domain}").as_bytes(), domain=domain, selector="s1", private_pem=private_pem)
    ctx = context(raw.replace(b"the report is attached", b"the invoice is attached"), mail_from=f"alice@{domain}")
    SenderAuth().run(ctx)
    assert ctx.facts["dkim"] == "fail"
    assert ctx.facts["dmarc"] == "fail"
    assert ctx.facts["dmarc_policy"] == "quarantine"


def test_dns_timeout_gives_temperror_facts_not_an_exception(node, dns_server):
    domain = f"s{uuid.uuid4().hex[:10]}.test"
    dns_server.fail(domain, "timeout")
    dns_server.fail(f"_dmarc.{domain}", "timeout")
    ctx = context(mail(sender=f"alice@{domain}").as_bytes(), mail_from=f"alice@{domain}")
    pipeline.run_checks(ctx, [SenderAuth])
    assert ctx.check_errors == {}
    assert ctx.facts["spf"] == "temperror"
    assert ctx.facts["dmarc"] == "temperror"
    assert "SPF_TEMPERROR" in symbol_names(ctx)


def test_outbound_mail_is_not_checked(node):
    ctx = context(mail().as_bytes(), direction="outbound")
    pipeline.run_checks(ctx, [SenderAuth])
    assert "spf" not in ctx.facts
    assert ctx.add_headers == []
