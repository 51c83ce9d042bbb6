"""The sender against real SMTP servers: TLS policy, connection reuse, per-recipient outcomes."""

from __future__ import annotations

import pytest

from mailflow.delivery.client import DEFERRED, DELIVERED, FAILED, SMTPPool
from mailflow.smtpd.server import tls_context
from spe_testing.smtpsink import SMTPSink

MSG = b"From: a@example.net\r\nTo: b@acme.test\r\nSubject: sender test\r\n\r\nbody\r\n"


@pytest.fixture
def tls_sink(tmp_path):
    with SMTPSink(tls_context=tls_context("", "", tmp_path, "sink.test")) as sink:
        yield sink


@pytest.fixture(params=[True, False], ids=["pipelining", "one-command-at-a-time"])
def plain_sink(request):
    """A server in clear, with and without PIPELINING: the sender speaks both ways."""
    with SMTPSink(pipelining=request.param) as sink:
        yield sink


def test_connection_is_reused_across_messages(plain_sink):
    pool = SMTPPool(helo="gateway.test")
    for _ in range(3):
        [result] = pool.deliver("127.0.0.1", plain_sink.port, "none", "a@example.net", ["b@acme.test"], MSG)
        assert result.status == DELIVERED
    plain_sink.handler.wait_for(3)
    assert plain_sink.handler.connections == 1


def test_opportunistic_tls_encrypts_when_offered(tls_sink):
    pool = SMTPPool(helo="gateway.test")
    [result] = pool.deliver("127.0.0.1", tls_sink.port, "opportunistic", "a@example.net", ["b@acme.test"], MSG)
    assert result.status == DELIVERED
    assert tls_sink.handler.wait_for(1)[0].tls is True


def test_required_tls_defers_when_not_offered(plain_sink):
    pool = SMTPPool(helo="gateway.test")
    [result] = pool.deliver("127.0.0.1", plain_sink.port, "required", "a@example.net", ["b@acme.test"], MSG)
    assert result.status == DEFERRED
    assert "TLS required" in result.reply
    assert plain_sink.handler.count == 0  # nothing was sent in clear


def test_required_tls_delivers_encrypted(tls_sink):
    pool = SMTPPool(helo="gateway.test")
    [result] = pool.deliver("127.0.0.1", tls_sink.port, "required", "a@example.net", ["b@acme.test"], MSG)
    assert result.status == DELIVERED
    assert tls_sink.handler.wait_for(1)[0].tls is True


def test_policy_none_sends_in_clear_even_when_tls_offered(tls_sink):
    pool = SMTPPool(helo="gateway.test")
    pool.deliver("127.0.0.1", tls_sink.port, "none", "a@example.net", ["b@acme.test"], MSG)
    assert tls_sink.handler.wait_for(1)[0].tls is False


def test_each_recipient_gets_its_own_outcome(plain_sink):
    plain_sink.handler.rcpt_reply["gone@acme.test"] = "550 5.1.1 No such user"
    plain_sink.handler.rcpt_reply["full@acme.test"] = "452 4.2.2 Mailbox full"
    pool = SMTPPool(helo="gateway.test")
    results = {r.address: r for r in pool.deliver(
        "127.0.0.1", plain_sink.port, "none", "a@example.net", ["ok@acme.test", "gone@acme.test", "full@acme.test"],
        MSG)}
    assert results["ok@acme.test"].status == DELIVERED
    assert (results["gone@acme.test"].status, results["gone@acme.test"].code) == (FAILED, 550)
    assert results["full@acme.test"].status == DEFERRED
    assert plain_sink.handler.wait_for(1)[0].rcpt_tos == ["ok@acme.test"]


def test_nothing_listening_is_deferred_not_failed():
    from tests.mailflow.mailpath_support import free_port

    [result] = SMTPPool(helo="gateway.test").deliver("127.0.0.1", free_port(), "none", "a@example.net",
                                                    ["b@acme.test"], MSG)
    assert result.status == DEFERRED


@pytest.mark.parametrize("bad", ["b@acme.test>\r\nRSET", "b@acme.test\nDATA", "<b@acme.test>"])
def test_addresses_that_could_inject_commands_are_never_sent(plain_sink, bad):
    pool = SMTPPool(helo="gateway.test")
    [result] = pool.deliver("127.0.0.1", plain_sink.port, "none", "a@example.net", [bad], MSG)
    assert result.status == FAILED
    assert plain_sink.handler.count == 0


def test_sender_with_crlf_is_refused_before_connecting(plain_sink):
    results = SMTPPool(helo="gateway.test").deliver("127.0.0.1", plain_sink.port, "none",
                                                    "a@example.net\r\nRCPT TO:<x@evil.test>", ["b@acme.test"], MSG)
    assert [r.status for r in results] == [FAILED]
    assert plain_sink.handler.connections == 0


def test_server_dropping_idle_connection_is_reconnected(plain_sink):
    pool = SMTPPool(helo="gateway.test")
    pool.deliver("127.0.0.1", plain_sink.port, "none", "a@example.net", ["b@acme.test"], MSG)
    conn, _ = pool._conns()[("127.0.0.1", plain_sink.port, "none")]
    conn.sock.shutdown(2)  # the peer went away between messages
    [result] = pool.deliver("127.0.0.1", plain_sink.port, "none", "a@example.net", ["b@acme.test"], MSG)
    assert result.status == DELIVERED
    assert plain_sink.handler.wait_for(2)


def test_refused_sender_gives_every_recipient_that_reply(plain_sink):
    plain_sink.handler.mail_reply = "550 5.7.1 Sender blocked"
    pool = SMTPPool(helo="gateway.test")
    results = pool.deliver("127.0.0.1", plain_sink.port, "none", "a@example.net", ["b@acme.test", "c@acme.test"], MSG)
    assert [(r.status, r.code) for r in results] == [(FAILED, 550), (FAILED, 550)]
    assert "Sender blocked" in results[0].reply
    plain_sink.handler.mail_reply = None  # the connection was reset and is still good
    [result] = pool.deliver("127.0.0.1", plain_sink.port, "none", "a@example.net", ["b@acme.test"], MSG)
    assert result.status == DELIVERED
    assert plain_sink.handler.connections == 1


def test_every_recipient_refused_sends_no_message(plain_sink):
    plain_sink.handler.rcpt_reply["gone@acme.test"] = "550 5.1.1 No such user"
    pool = SMTPPool(helo="gateway.test")
    [result] = pool.deliver("127.0.0.1", plain_sink.port, "none", "a@example.net", ["gone@acme.test"], MSG)
    assert (result.status, result.code) == (FAILED, 550)
    [result] = pool.deliver("127.0.0.1", plain_sink.port, "none", "a@example.net", ["b@acme.test"], MSG)
    assert result.status == DELIVERED
    assert [m.rcpt_tos for m in plain_sink.handler.wait_for(1)] == [["b@acme.test"]]


def test_message_refused_after_data_is_failed_and_lines_starting_with_a_dot_survive(plain_sink):
    plain_sink.handler.reply_queue.append("554 5.6.0 Content rejected")
    body = b"From: a@example.net\r\nSubject: dots\r\n\r\n.hidden line\r\n..two\r\n.\r\nend"
    pool = SMTPPool(helo="gateway.test")
    [result] = pool.deliver("127.0.0.1", plain_sink.port, "none", "a@example.net", ["b@acme.test"], body)
    assert (result.status, result.code) == (FAILED, 554)
    [result] = pool.deliver("127.0.0.1", plain_sink.port, "none", "a@example.net", ["b@acme.test"], body)
    assert result.status == DELIVERED
    received = plain_sink.handler.wait_for(1)[0]
    assert received.data.endswith(b"\r\n.hidden line\r\n..two\r\n.\r\nend\r\n")
