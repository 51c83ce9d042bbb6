"""Newly seen domains: remembered platform-wide in Redis, judged only once the memory is warm."""

from __future__ import annotations

import time
import uuid

import pytest
import redis

from mailflow.checks import newdomains
from mailflow.checks.newdomains import FIRST_SEEN, SINCE, NewDomains, prune
from mailflow.checks.urls import UrlCensor
from tests.mailflow.checks.conftest import context, symbol_names
from tests.mailflow.checks.samples import mail

DAY = 86400


@pytest.fixture
def memory(node):
    from tenants.cache import client

    r = client()
    r.delete(FIRST_SEEN, SINCE)
    newdomains.forget_local()
    r.set(SINCE, f"{time.time() - 30 * DAY:.0f}")  # a memory a month old: past the warm-up
    yield r
    r.delete(FIRST_SEEN, SINCE)
    newdomains.forget_local()


def judge(body: str, sender: str = "Alice <alice@sender.test>"):
    ctx = context(mail(body=body, sender=sender).as_bytes(), mail_from=sender.split("<")[-1].rstrip(">"))
    UrlCensor().run(ctx)
    NewDomains().run(ctx)
    return ctx, symbol_names(ctx)


def fresh(label: str) -> str:
    return f"{label}-{uuid.uuid4().hex[:8]}.test"


def test_a_link_and_a_sender_never_seen_before_are_new(memory):
    link, sender = fresh("parcel-redelivery"), fresh("notice")
    ctx, symbols = judge(f"Track it: https://www.{link}/track\n", sender=f"Notice <info@{sender}>")
    assert ctx.facts["new_domains"] == sorted([link, sender])
    assert {"URL_NEW_DOMAIN", "FROM_NEW_DOMAIN"} <= set(symbols)
    # a second message an instant later: still within the window
    assert "URL_NEW_DOMAIN" in judge(f"Again: https://{link}/x\n")[1]


def test_a_domain_first_seen_days_ago_is_not_new(memory):
    known = fresh("supplier")
    old = time.time() - 3 * DAY
    memory.hset(FIRST_SEEN, known, f"{old:.0f} {old:.0f}")
    ctx, symbols = judge(f"Invoice portal: https://portal.{known}/inv\n", sender=f"AP <ap@{known}>")
    assert ctx.facts["new_domains"] == [] and not {"URL_NEW_DOMAIN", "FROM_NEW_DOMAIN"} & set(symbols)
    first, last = memory.hget(FIRST_SEEN, known).split()
    assert float(first) == pytest.approx(old, abs=1) and float(last) > old  # "last seen" moved on


def test_nothing_is_judged_while_the_memory_is_new_but_everything_is_recorded(memory):
    memory.set(SINCE, f"{time.time() - DAY:.0f}")  # one day of memory: every domain would look new
    link = fresh("brand-new")
    ctx, symbols = judge(f"See https://{link}/\n")
    assert "URL_NEW_DOMAIN" not in symbols and ctx.facts["new_domains"] == []
    assert memory.hexists(FIRST_SEEN, link)


def test_ip_literal_links_are_not_domains(memory):
    ctx, _ = judge("Log in at http://203.0.113.9/portal\n", sender="A <a@sender.test>")
    assert ctx.facts["new_domains"] == ["sender.test"]


def test_prune_forgets_domains_not_seen_for_months(memory):
    now = time.time()
    memory.hset(FIRST_SEEN, mapping={"stale.test": f"{now - 400 * DAY:.0f} {now - 200 * DAY:.0f}",
                                     "regular.test": f"{now - 400 * DAY:.0f} {now - 2 * DAY:.0f}"})
    assert prune(now) == 1
    assert not memory.hexists(FIRST_SEEN, "stale.test") and memory.hexists(FIRST_SEEN, "regular.test")


def test_redis_unreachable_is_a_fact_not_a_failure(memory, monkeypatch):
    with NobodyListening() as port:
        monkeypatch.setattr(newdomains, "_client",
                            lambda: redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5))
        ctx, symbols = judge(f"See https://{fresh('x')}/\n")
    assert "ConnectionError" in ctx.facts["new_domains_error"]
    assert "URL_NEW_DOMAIN" not in symbols


def test_domains_this_process_asked_about_lately_cost_no_round_trip(memory, monkeypatch):
    link, sender = fresh("campaign"), fresh("mailer")
    body, from_ = f"Offer: https://{link}/deal\n", f"Deals <deals@{sender}>"
    first_symbols = judge(body, sender=from_)[1]
    with NobodyListening() as port:  # Redis gone: the answers this process already has still serve
        monkeypatch.setattr(newdomains, "_client",
                            lambda: redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5))
        ctx, symbols = judge(body, sender=from_)
        assert "new_domains_error" not in ctx.facts
        assert ctx.facts["new_domains"] == sorted([link, sender])
        assert {"URL_NEW_DOMAIN", "FROM_NEW_DOMAIN"} <= set(symbols) & set(first_symbols)
        later = time.time() + newdomains.LOCAL_TTL + 1  # an hour on, Redis is asked again
        with pytest.raises(redis.ConnectionError):
            newdomains.record_and_age([link], now=later)


def test_a_remembered_domain_keeps_the_first_seen_time_redis_gave(memory):
    known = fresh("partner")
    old = time.time() - 3 * DAY
    memory.hset(FIRST_SEEN, known, f"{old:.0f} {old:.0f}")
    for _ in range(2):  # once from Redis, once from this process's memory
        first, _since = newdomains.record_and_age([known])
        assert first[known] == pytest.approx(old, abs=1)


class NobodyListening:
    """A loopback port bound but not listening: connections to it are refused."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        return self.sock.getsockname()[1]

    def __exit__(self, *exc) -> None:
        self.sock.close()
