"""Receiver rules and protocol hardening, over a real socket."""

from __future__ import annotations

import smtplib
import ssl
import time

import pytest

from mailflow.routing import CustomerRoute
from tests.mailflow.receiver_support import RawClient, Receiver, table

MSG = b"From: sender@example.net\r\nTo: bob@acme.test\r\nSubject: hi\r\n\r\nHello Bob\r\n"


@pytest.fixture
def receiver(tmp_path):
    with Receiver(tmp_path) as r:
        yield r


def smtp(receiver) -> smtplib.SMTP:
    client = smtplib.SMTP("127.0.0.1", receiver.port, timeout=10)
    client.ehlo("client.example.net")
    return client


def test_accepts_hosted_domain_and_spools_before_replying(receiver):
    with smtp(receiver) as client:
        assert client.sendmail("sender@example.net", ["bob@acme.test"], MSG) == {}
    assert len(receiver.enqueued) == 1
    spool_id, queue = receiver.enqueued[0]
    assert queue == "array.default"
    envelope, data = receiver.spooled()[0]
    assert envelope.recipients == ["bob@acme.test"]
    assert envelope.direction == "inbound"
    assert envelope.customer == "acme"
    assert data.endswith(MSG)
    assert f"X-SPE-Id: {spool_id}".encode() in data
    assert data.startswith(b"Received: from client.example.net ([127.0.0.1])")


def test_ehlo_advertises_the_extensions(receiver):
    with smtp(receiver) as client:
        for ext in ("size", "8bitmime", "pipelining", "enhancedstatuscodes", "starttls", "smtputf8"):
            assert client.has_extn(ext), ext


def test_relay_to_foreign_domain_is_denied(receiver):
    with smtp(receiver) as client, pytest.raises(smtplib.SMTPRecipientsRefused) as err:
        client.sendmail("sender@example.net", ["someone@elsewhere.example"], MSG)
    assert err.value.recipients["someone@elsewhere.example"][0] == 554
    assert receiver.enqueued == []


def test_unknown_recipient_refused_where_domain_validates(receiver):
    with smtp(receiver) as client:
        code, reply = client.docmd("MAIL FROM:<sender@example.net>")
        assert code == 250
        code, reply = client.docmd("RCPT TO:<mallory@globex.test>")
        assert (code, reply[:5]) == (550, b"5.1.1")
        assert client.docmd("RCPT TO:<alice@globex.test>")[0] == 250


def test_message_over_customer_size_limit_is_refused(receiver):
    big = MSG + (b"x" * 76 + b"\r\n") * 1600
    with smtp(receiver) as client, pytest.raises(smtplib.SMTPDataError) as err:
        client.sendmail("sender@example.net", ["bob@acme.test"], big)
    assert err.value.smtp_code == 552
    assert err.value.smtp_error.startswith(b"5.3.4")
    assert receiver.enqueued == []


def _transaction(client: RawClient) -> None:
    client.reply()
    client.command(b"EHLO client.example.net")
    client.command(b"MAIL FROM:<sender@example.net>")
    client.command(b"RCPT TO:<bob@acme.test>")
    assert client.command(b"DATA").startswith(b"354")


def test_large_dot_stuffed_message_arrives_byte_for_byte_and_pipelining_goes_on(receiver):
    body = b"".join(b".line %d of the report, with a leading dot\r\nplain line %d.\r\n" % (i, i)
                    for i in range(1200))  # about 80 KB, more than the stream reads at once
    client = RawClient(receiver.port)
    _transaction(client)
    wire = b"Subject: report\r\n\r\n" + body.replace(b"\r\n.", b"\r\n..").replace(b".line 0", b"..line 0", 1)
    client.send(wire + b".\r\nMAIL FROM:<second@example.net>\r\nRCPT TO:<bob@acme.test>\r\nDATA\r\n")
    assert client.reply().startswith(b"250")
    assert client.reply().startswith(b"250")  # the pipelined MAIL, read after the end of data
    assert client.reply().startswith(b"250")
    assert client.reply().startswith(b"354")
    assert client.command(b"Subject: second\r\n\r\nx\r\n.").startswith(b"250")
    client.close()
    first, second = sorted(receiver.spooled(), key=lambda entry: entry[0].mail_from != "sender@example.net")
    assert first[1].endswith(b"Subject: report\r\n\r\n" + body)
    assert second[0].mail_from == "second@example.net"


def test_line_over_1000_octets_is_refused_with_500_after_the_data(receiver):
    client = RawClient(receiver.port)
    _transaction(client)
    client.send(b"Subject: long\r\n\r\n" + b"x" * 1200 + b"\r\nend\r\n.\r\n")
    assert client.reply().startswith(b"500")
    assert client.command(b"NOOP").startswith(b"250")  # the session goes on
    client.close()
    assert receiver.enqueued == []


def test_data_over_the_receiver_limit_is_refused_with_552(tmp_path):
    with Receiver(tmp_path, data_size_limit=10_000) as receiver:
        client = RawClient(receiver.port)
        _transaction(client)
        client.send(b"Subject: big\r\n\r\n" + b"y" * 70 + b"\r\n" * 1 + (b"z" * 70 + b"\r\n") * 300 + b".\r\n")
        assert client.reply().startswith(b"552")
        client.close()
        assert receiver.enqueued == []


def test_too_many_recipients(receiver):
    with smtp(receiver) as client:
        client.docmd("MAIL FROM:<sender@example.net>")
        codes = [client.docmd(f"RCPT TO:<u{i}@acme.test>")[0] for i in range(7)]
    assert codes == [250] * 5 + [452, 452]


def test_outbound_relay_only_from_registered_networks(tmp_path):
    routing = table(customers={"acme": CustomerRoute(
        slug="acme", schema="c_acme", name="Acme", status="active", queue="array.default",
        outbound_relays=("127.0.0.0/8",))})
    with Receiver(tmp_path, routing=routing) as receiver, smtp(receiver) as client:
        client.sendmail("user@acme.test", ["friend@elsewhere.example"], MSG)
        envelope, _ = receiver.spooled()[0]
        assert envelope.direction == "outbound"
        assert envelope.customer == "acme"


def test_recipients_of_two_customers_are_split_into_two_spool_entries(receiver):
    with smtp(receiver) as client:
        client.sendmail("sender@example.net", ["bob@acme.test", "alice@globex.test"], MSG)
    queues = sorted(q for _id, q in receiver.enqueued)
    assert queues == ["array.default", "array.eu"]
    owners = sorted((env.customer, tuple(env.recipients)) for env, _ in receiver.spooled())
    assert owners == [("acme", ("bob@acme.test",)), ("globex", ("alice@globex.test",))]


@pytest.mark.parametrize(("status", "expired_mail", "accepted"), [
    ("suspended", "tempfail", False), ("expired", "tempfail", False), ("expired", "pass", True),
    ("pending_deletion", "pass", False)])
def test_suspended_and_expired_customers(tmp_path, status, expired_mail, accepted):
    routing = table(customers={"acme": CustomerRoute(slug="acme", schema="c_acme", name="Acme", status=status,
                                                     queue="array.default", expired_mail=expired_mail)})
    with Receiver(tmp_path, routing=routing) as receiver, smtp(receiver) as client:
        client.docmd("MAIL FROM:<sender@example.net>")
        code, reply = client.docmd("RCPT TO:<bob@acme.test>")
    assert (code == 250) is accepted
    if not accepted:
        assert code == 450
        assert reply.startswith(b"4.7.1")


def test_spool_failure_answers_temporary_error(receiver):
    incoming = receiver.spool.root / "incoming"
    incoming.rmdir()
    incoming.write_text("not a directory: the disk is broken")  # every spool write now fails
    with smtp(receiver) as client, pytest.raises(smtplib.SMTPDataError) as err:
        client.sendmail("sender@example.net", ["bob@acme.test"], MSG)
    assert err.value.smtp_code == 451
    assert receiver.enqueued == []


def test_broker_down_answers_451_and_keeps_nothing(receiver):
    receiver.broker_down = True
    with smtp(receiver) as client, pytest.raises(smtplib.SMTPDataError) as err:
        client.sendmail("sender@example.net", ["bob@acme.test"], MSG)
    assert err.value.smtp_code == 451
    assert list(receiver.spool.entries("incoming")) == []
    receiver.broker_down = False
    with smtp(receiver) as client:
        assert client.sendmail("sender@example.net", ["bob@acme.test"], MSG) == {}


def test_message_rate_limit_per_client(tmp_path):
    with Receiver(tmp_path, messages_per_minute=3) as receiver, smtp(receiver) as client:
        for _ in range(3):
            client.sendmail("sender@example.net", ["bob@acme.test"], MSG)
        with pytest.raises(smtplib.SMTPSenderRefused) as err:
            client.sendmail("sender@example.net", ["bob@acme.test"], MSG)
    assert err.value.smtp_code == 450


def test_connection_limit_per_client(tmp_path):
    with Receiver(tmp_path, max_connections_per_ip=2) as receiver:
        first, second = RawClient(receiver.port), RawClient(receiver.port)
        assert first.reply().startswith(b"220")
        assert second.reply().startswith(b"220")
        third = RawClient(receiver.port)
        assert third.reply().startswith(b"421 4.7.0")
        first.close()
        time.sleep(0.2)
        fourth = RawClient(receiver.port)
        assert fourth.reply().startswith(b"220")
        for c in (second, third, fourth):
            c.close()


def test_session_time_limit(tmp_path):
    with Receiver(tmp_path, session_timeout=0.5) as receiver:
        client = RawClient(receiver.port)
        client.reply()
        assert client.command(b"EHLO x").startswith(b"250")
        time.sleep(0.8)
        assert client.reply().startswith(b"421 4.4.2")
        client.close()


def test_idle_timeout_closes_connection(tmp_path):
    with Receiver(tmp_path, idle_timeout=0.4) as receiver:
        client = RawClient(receiver.port)
        client.reply()
        time.sleep(0.8)
        assert client.reply().startswith(b"421 4.4.2")
        assert client.reply() == b""  # and closed
        client.close()


def test_out_of_order_commands_get_503(receiver):
    client = RawClient(receiver.port)
    client.reply()
    client.command(b"EHLO client")
    assert client.command(b"RCPT TO:<bob@acme.test>").startswith(b"503")
    assert client.command(b"DATA").startswith(b"503")
    client.close()


def test_overlong_command_line_gets_500(receiver):
    client = RawClient(receiver.port)
    client.reply()
    client.command(b"EHLO client")
    assert client.command(b"MAIL FROM:<" + b"a" * 2000 + b"@example.net>").startswith(b"500")
    client.close()


@pytest.mark.parametrize("address", ["bob@@acme.test", "bob@acme..test", "@acme.test", "bob@[300.1.1.1]",
                                     ".bob@acme.test", "b\x7fob@acme.test"])
def test_malformed_recipient_is_refused(receiver, address):
    client = RawClient(receiver.port)
    client.reply()
    client.command(b"EHLO client")
    client.command(b"MAIL FROM:<sender@example.net>")
    reply = client.command(b"RCPT TO:<" + address.encode() + b">")
    assert reply[:1] == b"5", reply
    client.close()
    assert receiver.enqueued == []


SMUGGLE_ENDINGS = {
    "bare LF dot bare LF": b"\n.\n",
    "bare LF dot CRLF": b"\n.\r\n",
    "CRLF dot bare LF": b"\r\n.\n",
    "bare CR dot bare CR": b"\r.\r",
    "CRLF dot bare CR": b"\r\n.\r",
}


def _smuggle(receiver, ending: bytes) -> tuple[bytes, RawClient]:
    client = RawClient(receiver.port)
    client.reply()
    client.command(b"EHLO attacker.example")
    client.command(b"MAIL FROM:<sender@example.net>")
    client.command(b"RCPT TO:<bob@acme.test>")
    client.command(b"DATA")
    payload = (b"From: sender@example.net\r\nSubject: first\r\n\r\nbody" + ending +
               b"MAIL FROM:<ceo@acme.test>\r\nRCPT TO:<bob@acme.test>\r\nDATA\r\n"
               b"From: ceo@acme.test\r\nSubject: smuggled\r\n\r\nwire money\r\n.\r\n")
    client.send(payload)
    return client.reply(), client


@pytest.mark.parametrize("ending", SMUGGLE_ENDINGS.values(), ids=SMUGGLE_ENDINGS.keys())
def test_smuggling_yields_one_message_with_crlf_only(receiver, ending):
    reply, client = _smuggle(receiver, ending)
    client.close()
    assert reply.startswith(b"250")
    assert len(receiver.enqueued) == 1  # the "second message" is only body text of the first
    _env, data = receiver.spooled()[0]
    assert b"Subject: smuggled" in data
    body = data.replace(b"\r\n", b"")
    assert b"\r" not in body
    assert b"\n" not in body


@pytest.mark.parametrize("ending", SMUGGLE_ENDINGS.values(), ids=SMUGGLE_ENDINGS.keys())
def test_smuggling_rejected_in_reject_mode(tmp_path, ending):
    with Receiver(tmp_path, bare_newline="reject") as receiver:
        reply, client = _smuggle(receiver, ending)
        client.close()
        assert reply.startswith(b"550 5.5.2")
        assert receiver.enqueued == []


def test_starttls_discards_pipelined_plaintext(receiver):
    client = RawClient(receiver.port)
    client.reply()
    client.command(b"EHLO client")
    client.send(b"STARTTLS\r\nMAIL FROM:<injected@example.net>\r\n")
    assert client.reply().startswith(b"220")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    tls = context.wrap_socket(client.sock, server_hostname="mx.gateway.test")
    client.sock, client.buf = tls, b""
    assert client.command(b"EHLO client").startswith(b"250")
    # had the injected MAIL been honoured, a second MAIL would be a nested-MAIL error
    assert client.command(b"MAIL FROM:<sender@example.net>").startswith(b"250")
    assert client.command(b"RCPT TO:<bob@acme.test>").startswith(b"250")
    client.command(b"DATA")
    assert client.command(b"Subject: t\r\n\r\nx\r\n.").startswith(b"250")
    client.close()
    envelope, _ = receiver.spooled()[0]
    assert envelope.tls is True
    assert envelope.mail_from == "sender@example.net"


def test_smtputf8_addresses_accepted(receiver):
    with smtp(receiver) as client:
        client.sendmail("jos\u00e9@example.net", ["bob@acme.test"], MSG, mail_options=["SMTPUTF8"])
    envelope, _ = receiver.spooled()[0]
    assert envelope.mail_from == "jos\u00e9@example.net"


def test_null_sender_is_accepted_for_bounces(receiver):
    with smtp(receiver) as client:
        assert client.mail("")[0] == 250
        assert client.rcpt("bob@acme.test")[0] == 250
        assert client.data(MSG)[0] == 250
    envelope, _ = receiver.spooled()[0]
    assert envelope.mail_from == ""
