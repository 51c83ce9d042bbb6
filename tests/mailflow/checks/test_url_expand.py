"""URLCensor follows shortened links to their target, asking only the shortener, and checks the target."""

from __future__ import annotations

import uuid

import pytest

from mailflow.checks.urls import UrlCensor
from tests.mailflow.checks.conftest import context, symbol_names
from tests.mailflow.checks.samples import mail
from tests.mailflow.checks.shortener_support import Shortener

SHORTENERS = ("bit.ly", "tinyurl.com", "rb.gy")


@pytest.fixture
def shortener(node, dns_server):
    """The shortener hosts resolve to loopback, where a test shortener answers; loopback may be asked."""
    for host in SHORTENERS:
        dns_server.add_record(host, "A", "127.0.0.1")
    node.SPE_URL_EXPAND_ALLOW_PRIVATE = True
    node.SPE_URL_BLOCKLIST = ["blocked-landing.test"]
    with Shortener() as server:
        yield server
    for host in SHORTENERS:
        dns_server.remove(host)


def check(body: str):
    ctx = context(mail(body=body).as_bytes())
    UrlCensor().run(ctx)
    return {u["url"]: u for u in ctx.facts["urls"]}, symbol_names(ctx), ctx


def test_a_shortened_link_is_followed_to_a_blocklisted_target(shortener):
    path = f"/{uuid.uuid4().hex[:8]}"
    shortener.route(path, 301, "https://www.blocked-landing.test/login?u=bob")
    link = f"http://bit.ly:{shortener.port}{path}"
    urls, symbols, ctx = check(f"Your parcel: {link}\n")
    assert urls[link]["expands_to"] == ["https://www.blocked-landing.test/login?u=bob"]
    target = urls["https://www.blocked-landing.test/login?u=bob"]
    assert target["via"] == link and target["listed"] == ["provider"]
    assert {"URL_SHORTENER_EXPANDED", "URL_PROVIDER_BLOCKLIST"} <= set(symbols)
    assert "www.blocked-landing.test" in ctx.facts["url_hosts"]
    assert shortener.requests == [("HEAD", f"bit.ly:{shortener.port}", path)]  # HEAD only, with the real Host


def test_a_chain_of_shorteners_is_followed_but_the_target_is_never_contacted(shortener):
    first, second = f"/{uuid.uuid4().hex[:8]}", f"/{uuid.uuid4().hex[:8]}"
    final = f"http://127.0.0.1:{shortener.port}/landing"  # the same server: it must not be asked
    shortener.route(first, 302, f"http://tinyurl.com:{shortener.port}{second}")
    shortener.route(second, 308, final)
    shortener.route("/landing", 301, "http://elsewhere.test/")
    link = f"http://bit.ly:{shortener.port}{first}"
    urls, _, _ = check(f"See {link}\n")
    assert urls[link]["expands_to"] == [f"http://tinyurl.com:{shortener.port}{second}", final]
    assert final in urls and urls[final]["ip_literal"] is True
    assert [p for _, _, p in shortener.requests] == [first, second]


def test_answers_are_cached_so_a_campaign_asks_the_shortener_once(shortener):
    path = f"/{uuid.uuid4().hex[:8]}"
    shortener.route(path, 301, "https://www.blocked-landing.test/x")
    link = f"http://bit.ly:{shortener.port}{path}"
    for _ in range(3):
        _, symbols, _ = check(f"Open {link} now\n")
        assert "URL_PROVIDER_BLOCKLIST" in symbols
    assert shortener.asked(path) == 1


def test_a_link_that_does_not_redirect_adds_nothing(shortener):
    path = f"/{uuid.uuid4().hex[:8]}"
    shortener.route(path, 200)
    urls, symbols, ctx = check(f"Open http://bit.ly:{shortener.port}{path}\n")
    assert len(urls) == 1 and "expands_to" not in next(iter(urls.values()))
    assert "URL_SHORTENER_EXPANDED" not in symbols and "url_expand_errors" not in ctx.facts


def test_a_private_address_is_never_asked(shortener, node):
    node.SPE_URL_EXPAND_ALLOW_PRIVATE = False
    path = f"/{uuid.uuid4().hex[:8]}"
    shortener.route(path, 301, "https://www.blocked-landing.test/x")
    link = f"http://bit.ly:{shortener.port}{path}"
    urls, symbols, ctx = check(f"Open {link}\n")
    assert "not a public address" in ctx.facts["url_expand_errors"][link]
    assert "URL_PROVIDER_BLOCKLIST" not in symbols and "expands_to" not in urls[link]
    assert shortener.requests == []


def test_a_slow_shortener_costs_the_deadline_and_the_message_goes_on(shortener, node):
    node.SPE_URL_EXPAND_DEADLINE = 0.3
    path = f"/{uuid.uuid4().hex[:8]}"
    shortener.route(path, 301, "https://www.blocked-landing.test/x")
    shortener.delay[path] = 2.0
    link = f"http://bit.ly:{shortener.port}{path}"
    urls, symbols, ctx = check(f"Open {link}\n")
    assert "timed out" in ctx.facts["url_expand_errors"][link]
    assert link in urls and "URL_PROVIDER_BLOCKLIST" not in symbols


def test_unknown_shortener_hosts_and_switched_off_expansion_ask_nobody(shortener, node):
    path = f"/{uuid.uuid4().hex[:8]}"
    shortener.route(path, 301, "https://www.blocked-landing.test/x")
    urls, _, _ = check(f"Open http://127.0.0.1:{shortener.port}{path}\n")  # not a shortener
    assert "expands_to" not in next(iter(urls.values()))
    node.SPE_URL_EXPAND = False
    check(f"Open http://bit.ly:{shortener.port}{path}\n")
    assert shortener.requests == []


def test_https_shorteners_are_verified(node, dns_server, tmp_path):
    node.SPE_URL_EXPAND_ALLOW_PRIVATE = True
    node.SPE_URL_BLOCKLIST = ["blocked-landing.test"]
    dns_server.add_record("rb.gy", "A", "127.0.0.1")
    try:
        with Shortener(tls_dir=tmp_path, hostnames=("rb.gy",)) as server:
            server.route("/safe", 301, "https://www.blocked-landing.test/pay")
            link = f"https://rb.gy:{server.port}/safe"
            # the system's CAs do not know the test CA: the certificate is refused, nothing is followed
            urls, _, ctx = check(f"Pay at {link}\n")
            assert "CERTIFICATE_VERIFY_FAILED" in ctx.facts["url_expand_errors"][link]
            node.SPE_URL_EXPAND_CAFILE = str(server.ca_file)
            other = f"https://rb.gy:{server.port}/safe?again=1"
            server.route("/safe?again=1", 301, "https://www.blocked-landing.test/pay")
            urls, symbols, _ = check(f"Pay at {other}\n")
            assert urls[other]["expands_to"] == ["https://www.blocked-landing.test/pay"]
            assert "URL_PROVIDER_BLOCKLIST" in symbols
    finally:
        dns_server.remove("rb.gy")


def test_the_spam_rules_judge_where_a_shortened_link_leads(shortener):
    from mailflow.engine import pipeline

    path = f"/{uuid.uuid4().hex[:8]}"
    shortener.route(path, 301, "https://paypa1-account-review.pages.dev/signin")
    body = (f"We noticed unusual activity. Verify your account within 24 hours: "
            f"http://bit.ly:{shortener.port}{path}\n")
    ctx = context(mail("Account notice", body=body).as_bytes())
    pipeline.run_checks(ctx)
    symbols = set(symbol_names(ctx))
    # the body only shows a bit.ly link; the free host and the PayPal look-alike are behind it
    assert {"URL_SHORTENER", "URL_FREE_HOSTING", "BRAND_LOOKALIKE_DOMAIN"} <= symbols


def test_without_following_the_link_the_rules_see_only_the_shortener(shortener, node):
    from mailflow.engine import pipeline

    node.SPE_URL_EXPAND = False
    path = f"/{uuid.uuid4().hex[:8]}"
    shortener.route(path, 301, "https://paypa1-account-review.pages.dev/signin")
    body = f"Verify your account within 24 hours: http://bit.ly:{shortener.port}{path}\n"
    ctx = context(mail("Account notice", body=body).as_bytes())
    pipeline.run_checks(ctx)
    symbols = set(symbol_names(ctx))
    assert "URL_SHORTENER" in symbols and not symbols & {"URL_FREE_HOSTING", "BRAND_LOOKALIKE_DOMAIN"}


def test_repeated_failures_pause_asking_so_messages_do_not_wait(shortener, node):
    from mailflow import urlexpand

    node.SPE_URL_EXPAND_DEADLINE = 0.2
    for n in range(urlexpand.PAUSE_AFTER):  # shorteners that do not answer in time, each link different
        path = f"/slow{n}-{uuid.uuid4().hex[:6]}"
        shortener.route(path, 301, "https://www.blocked-landing.test/x")
        shortener.delay[path] = 1.0
        _, _, ctx = check(f"Open http://bit.ly:{shortener.port}{path}\n")
        assert "timed out" in next(iter(ctx.facts["url_expand_errors"].values()))
    good = f"/{uuid.uuid4().hex[:8]}"
    shortener.route(good, 301, "https://www.blocked-landing.test/x")
    link = f"http://bit.ly:{shortener.port}{good}"
    _, symbols, ctx = check(f"Open {link}\n")
    assert ctx.facts["url_expand_errors"][link].startswith("paused")
    assert shortener.asked(good) == 0 and "URL_PROVIDER_BLOCKLIST" not in symbols

    urlexpand._state["paused_until"] = 0.0  # the pause has run out
    _, symbols, _ = check(f"Open {link}\n")
    assert shortener.asked(good) == 1 and "URL_PROVIDER_BLOCKLIST" in symbols


def test_a_shortened_link_written_without_a_scheme_is_followed(shortener, dns_server):
    dns_server.add_record("www.tinyurl.com", "A", "127.0.0.1")
    try:
        path = f"/{uuid.uuid4().hex[:8]}"
        shortener.route(path, 301, "https://www.blocked-landing.test/x")
        _, symbols, _ = check(f"Open www.tinyurl.com:{shortener.port}{path} today\n")
        assert "URL_PROVIDER_BLOCKLIST" in symbols
        assert shortener.requests == [("HEAD", f"www.tinyurl.com:{shortener.port}", path)]
    finally:
        dns_server.remove("www.tinyurl.com")


def test_another_worker_process_reuses_the_answer_from_redis(shortener):
    from mailflow import urlexpand

    path = f"/{uuid.uuid4().hex[:8]}"
    shortener.route(path, 301, "https://www.blocked-landing.test/x")
    link = f"http://bit.ly:{shortener.port}{path}"
    check(f"Open {link}\n")
    urlexpand.CACHE.clear()  # what a second worker process starts with
    _, symbols, _ = check(f"Open {link}\n")
    assert "URL_PROVIDER_BLOCKLIST" in symbols
    assert shortener.asked(path) == 1
