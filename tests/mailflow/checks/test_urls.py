"""URLCensor: URLs however they are written, and URI blocklists over the loopback DNS."""

from __future__ import annotations

import uuid

import pytest

from mailflow.checks.urls import MAX_HTML_PARSE, MAX_URLS, UrlCensor
from tests.mailflow.checks.conftest import context, symbol_names
from tests.mailflow.checks.samples import mail, with_file
from tests.mailflow.mime.samples import make_zip

HTML = """<html><body>
<p>Your parcel is waiting. <a href="https://track.parcel-news.test/p?id=1">Track it</a></p>
<img src="http://img.parcel-news.test/logo.png">
<form action="https://collect.phish.test/login"><input type="password" name="p"></form>
<a href="https://www.google.com/url?q=x&url=https://landing.redirected.test/offer">offer</a>
<a href="http://bit.ly/3abcDEF">short</a>
</body></html>"""


def urls_of(raw: bytes, **kwargs) -> tuple[dict[str, dict], list[str], object]:
    ctx = context(raw, **kwargs)
    UrlCensor().run(ctx)
    return {u["host"]: u for u in ctx.facts["urls"]}, symbol_names(ctx), ctx


def test_links_images_forms_redirect_targets_and_shorteners(node):
    hosts, symbols, ctx = urls_of(mail(html=HTML).as_bytes())
    assert {"track.parcel-news.test", "img.parcel-news.test", "collect.phish.test", "www.google.com",
            "landing.redirected.test", "bit.ly"} <= set(hosts)
    assert hosts["bit.ly"]["shortener"] is True
    assert hosts["www.google.com"]["redirector"] is True
    assert ctx.facts["url_hosts"] == sorted(hosts)
    assert "URL_SHORTENER_LINK" in symbols


def test_obfuscated_urls_in_plain_text_are_found(node):
    body = ("Pay here: h&#116;tps://pay.obscured.test/now\n"
            "or hxxps://defanged[.]example[.]test/x\n"
            "or http://203.0.113.9/login and www.bare-host.test/path\n")
    hosts, symbols, _ = urls_of(mail(body=body).as_bytes())
    assert {"pay.obscured.test", "defanged.example.test", "203.0.113.9", "www.bare-host.test"} <= set(hosts)
    assert hosts["pay.obscured.test"]["obfuscated"] is True
    assert hosts["www.bare-host.test"]["obfuscated"] is False
    assert hosts["203.0.113.9"]["ip_literal"] is True
    assert {"URL_OBFUSCATED", "URL_IP_LITERAL"} <= set(symbols)


@pytest.mark.parametrize("body", ["Pay here: h&#116;tps://pay.obscured.test/now\n",
                                  "Pay here: hxxps://pay[.]obscured[.]test/now\n",
                                  "Pay here: WWW.PAY.OBSCURED.TEST/now\n"])
def test_a_single_hidden_url_is_found(node, body):
    hosts, _, _ = urls_of(mail(body=body).as_bytes())
    assert "pay.obscured.test" in hosts or "www.pay.obscured.test" in hosts


def test_urls_inside_text_attachments_and_archive_members(node):
    archive = make_zip({"readme.txt": b"Download the update from https://update.in-zip.test/setup\n",
                        "page.html": b'<a href="https://html.in-zip.test/">x</a>'})
    hosts, _, _ = urls_of(with_file(archive, "docs.zip", mime="application/zip"))
    assert {"update.in-zip.test", "html.in-zip.test"} <= set(hosts)


def test_links_after_a_megabyte_of_markup_are_still_found(node):
    # html.parser walks only the first MAX_HTML_PARSE characters; links past them are read by a scan
    padding = "<p>" + "filler <b>x</b> " * (MAX_HTML_PARSE // 15) + "</p>"
    markup = (f"<html><body>{padding}<a href='https://late.padded.test/login'>sign in</a>"
              "<img src=https://pixel.padded.test/o.gif?a=1&amp;b=2><form action=\"https://post.padded.test/p\">"
              "</form></body></html>")
    hosts, _, _ = urls_of(mail(html=markup).as_bytes())
    assert {"late.padded.test", "pixel.padded.test", "post.padded.test"} <= set(hosts)
    assert hosts["pixel.padded.test"]["url"] == "https://pixel.padded.test/o.gif?a=1&b=2"


def test_html_with_thousands_of_links_keeps_the_first_two_hundred(node):
    markup = "".join(f'<a href="https://host{n}.many.test/">{n}</a> ' for n in range(5000))
    hosts, _, ctx = urls_of(mail(html=markup).as_bytes())
    assert len(ctx.facts["urls"]) == MAX_URLS
    assert "host0.many.test" in hosts and "host4999.many.test" not in hosts


def test_a_message_without_urls_still_sets_the_facts(node):
    _, symbols, ctx = urls_of(mail(body="No links here.\n").as_bytes())
    assert ctx.facts["urls"] == [] and ctx.facts["url_hosts"] == []
    assert symbols == []


def test_uri_blocklist_listing_of_a_domain_and_an_ip_host(node, dns_server):
    zone = f"uribl{uuid.uuid4().hex[:8]}.test"
    dns_server.add_record(f"phish.test.{zone}", "A", "127.0.0.2")
    dns_server.add_record(f"9.69.2.81.{zone}", "A", "127.0.0.4")
    node.SPE_URIBL_ZONES = [f"{zone}:6"]
    body = "Log in at https://collect.phish.test/login or http://81.2.69.9/x or https://fine.example.test/\n"
    hosts, _, ctx = urls_of(mail(body=body).as_bytes())
    assert hosts["collect.phish.test"]["listed"] == [zone]
    assert hosts["81.2.69.9"]["listed"] == [zone]
    assert hosts["fine.example.test"]["listed"] == []
    symbol = next(s for s in ctx.symbols if s.name.startswith("URIBL_"))
    assert symbol.name == "URIBL_" + zone.upper().replace(".", "_")
    assert symbol.score == 6.0


def test_provider_blocklist_matches_subdomains(node):
    node.SPE_URL_BLOCKLIST = ["campaign.test"]
    hosts, symbols, _ = urls_of(mail(body="See https://cdn.campaign.test/a and https://ok.test/\n").as_bytes())
    assert hosts["cdn.campaign.test"]["listed"] == ["provider"]
    assert hosts["ok.test"]["listed"] == []
    assert "URL_PROVIDER_BLOCKLIST" in symbols


def test_provider_url_categories(node):
    node.SPE_URL_CATEGORIES = {"gambling": ["casino.test"], "file-sharing": ["share.test"]}
    hosts, _, ctx = urls_of(mail(body="Win at https://www.casino.test/spin or see https://ok.test/\n").as_bytes())
    assert hosts["www.casino.test"]["categories"] == ["gambling"]
    assert hosts["ok.test"]["categories"] == []
    assert ctx.facts["url_categories"] == ["gambling"]


def test_links_inside_attached_pdfs_are_checked_and_judged(node):
    from mailflow.engine import pipeline
    from tests.mailflow.mime.samples import pdf_with_link

    node.SPE_URL_BLOCKLIST = ["blocked-landing.test"]
    pdf = pdf_with_link("https://secure.blocked-landing.test/view", compressed=True)
    hosts, symbols, _ = urls_of(with_file(pdf, "Remittance.pdf", mime="application/pdf"))
    assert hosts["secure.blocked-landing.test"]["in_attachment"] == "Remittance.pdf"
    assert "URL_PROVIDER_BLOCKLIST" in symbols

    # inside a zip as well, and the spam link rules see where the PDF's button leads
    lure = pdf_with_link("https://paypa1-billing-review.pages.dev/login")
    ctx = context(with_file(make_zip({"Invoice_2231.pdf": lure}), "Invoice_2231.zip", mime="application/zip"))
    pipeline.run_checks(ctx)
    [entry] = [u for u in ctx.facts["urls"] if u.get("in_attachment")]
    assert entry["host"] == "paypa1-billing-review.pages.dev"
    assert {"URL_FREE_HOSTING", "BRAND_LOOKALIKE_DOMAIN"} <= set(symbol_names(ctx))


def test_a_pdf_without_links_adds_no_url(node):
    from tests.mailflow.mime.samples import minimal_pdf

    hosts, symbols, _ = urls_of(with_file(minimal_pdf(), "Report.pdf", mime="application/pdf"))
    assert hosts == {} and "URL_PROVIDER_BLOCKLIST" not in symbols


def test_links_in_qr_codes_are_checked_and_judged(node):
    from mailflow.engine import pipeline
    from tests.mailflow.mime.samples import qr_image

    node.SPE_URL_BLOCKLIST = ["blocked-landing.test"]
    raw = with_file(qr_image("https://secure.blocked-landing.test/mfa"), "scan-me.png", mime="image/png")
    hosts, symbols, _ = urls_of(raw)
    assert hosts["secure.blocked-landing.test"]["in_qr_code"] is True
    assert {"URL_IN_QR_CODE", "URL_PROVIDER_BLOCKLIST"} <= set(symbols)

    # a quishing lure: the link rules judge the page the code leads to
    lure = mail("Microsoft 365: re-authentication required",
                body="Your password expires today. Scan the QR code below to keep your password.\n")
    lure.add_attachment(qr_image("https://rnicrosoft-mfa-check.pages.dev/login"), maintype="image",
                        subtype="png", filename="code.png")
    ctx = context(lure.as_bytes())
    pipeline.run_checks(ctx)
    assert {"URL_IN_QR_CODE", "QR_CODE_LURE", "URL_FREE_HOSTING", "BRAND_LOOKALIKE_DOMAIN"} <= set(symbol_names(ctx))


def test_an_ordinary_picture_adds_no_url(node):
    from tests.mailflow.mime.samples import minimal_png

    hosts, symbols, _ = urls_of(with_file(minimal_png(), "logo.png", mime="image/png"))
    assert hosts == {} and "URL_IN_QR_CODE" not in symbols
