"""The shipped model plus the rules, on mail a gateway sees today."""

from __future__ import annotations

from mailflow.spam import QUARANTINE_THRESHOLD, TAG_THRESHOLD, score
from tests.mailflow.spam.builders import view

M365_PHISH = dict(
    subject="Action Required: Your password expires today",
    from_="Microsoft 365 Admin <no-reply@mailsecure-notice.com>",
    text=None,
    html="""<html><body style="font-family:Segoe UI">
<p>Dear user,</p>
<p>The password for your Microsoft 365 account <b>bob@example.org</b> expires today.
To keep using your mailbox, verify your account within 24 hours.</p>
<p><a href="https://login-microsoftonline.account-verify.top/owa/?id=bob@example.org"
style="background:#0067b8;color:#fff;padding:8px">Keep current password</a></p>
<p>Failure to verify will result in your account being suspended.</p>
<p>Microsoft Security Team</p></body></html>""",
)

DOCUSIGN_PHISH = dict(
    subject="Completed: Please review and sign your document",
    from_="DocuSign via Accounts <accounts@hr-payroll-portal.net>",
    text=None,
    html="""<p>Accounts Payable sent you a document to review and sign.</p>
<p><a href="https://bit.ly/3Qx9fZp">REVIEW DOCUMENT</a></p>
<p>Do not share this email. <a href="https://docs-sign.web.app/s">https://www.docusign.com/support</a></p>""",
    attachments=(("Payment_Remittance.html", "text/html", b"<form action='https://x.top'></form>"),),
)

BUSINESS = dict(
    subject="Re: Q3 budget review - updated figures",
    from_="Maria Lopez <maria.lopez@acme-industrial.com>",
    text="""Hi Tom,

Thanks for sending the draft. I've updated the figures for the Leeds site and
added the maintenance contract we discussed on Tuesday. The totals now match
the finance system.

Could you check the travel line before Thursday's meeting? I think the
conference costs were counted twice.

Best regards,
Maria

--
Maria Lopez | Operations Controller | Acme Industrial Ltd
""",
)


def test_modern_password_expiry_phish_is_quarantined() -> None:
    verdict = score(view(**M365_PHISH))
    assert verdict.score >= QUARANTINE_THRESHOLD, verdict
    assert {"BRAND_IMPERSONATION", "CREDENTIAL_LURE_LINK"} <= set(verdict.names)


def test_docusign_lure_with_html_attachment_is_quarantined() -> None:
    verdict = score(view(**DOCUSIGN_PHISH))
    assert verdict.score >= QUARANTINE_THRESHOLD, verdict


def test_ordinary_business_email_is_not_tagged() -> None:
    verdict = score(view(**BUSINESS))
    assert verdict.score < TAG_THRESHOLD / 2, verdict


def test_verdict_lists_the_classifier_symbol_with_its_probability() -> None:
    verdict = score(view(**BUSINESS))
    assert verdict.symbols[0].name in ("BAYES_SPAM", "BAYES_HAM")
    assert "probability" in verdict.symbols[0].description
    assert verdict.probability is not None and 0.0 <= verdict.probability <= 1.0
    assert verdict.score == round(sum(h.score for h in verdict.symbols), 3)


PUNYCODE_PHISH = dict(
    subject="Your account has been limited",
    from_="Service <service@account-review.example.net>",
    text=None,
    html="""<p>We noticed unusual activity. Your account has been limited until you confirm your identity.</p>
<p><a href="https://xn--pypal-4ve.com/signin">Confirm now</a></p>""",
)

QR_PHISH = dict(
    subject="Microsoft 365: Re-authentication required",
    from_="IT Helpdesk <helpdesk@corp-it-desk.example>",
    text="Your sign-in has expired. Scan the QR code below to re-authenticate your mailbox within 24 hours.\n",
    attachments=(("qr.png", "image/png", b"\x89PNG"),),
)

DEV_LIST_REPLY = dict(
    subject="Re: [dev] Patch: fix race in the spool flush",
    from_="Dan Lee <dan@devs.example.org>",
    text="""On Tue, Ann wrote:
> The flush path takes the lock twice.

Right, I moved the fsync out of the critical section in v2 of the patch.
Benchmarks attached, throughput is up 12% on the test box.

Dan
""",
    extra_headers=(
        ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.3.1"),
        ("In-Reply-To", "<ann.1@devs.example.org>"),
    ),
)

NEWSLETTER = dict(
    subject="This week at the Python Software Foundation",
    from_="PSF News <news@python.org>",
    text=None,
    html="""<h1>PSF News</h1><p>Hello community! This week: conference talks are online, the board
election results, and a new grants round.</p>
<p><a href="https://www.python.org/psf/news/">Read more on python.org</a></p>
<p>You are receiving this because you subscribed. <a href="https://www.python.org/psf/unsubscribe">Unsubscribe</a></p>""",
)


def test_punycode_lookalike_phish_is_quarantined() -> None:
    verdict = score(view(**PUNYCODE_PHISH))
    assert verdict.score >= QUARANTINE_THRESHOLD, verdict
    assert "BRAND_LOOKALIKE_DOMAIN" in verdict.names


def test_qr_code_phish_without_a_link_is_tagged() -> None:
    verdict = score(view(**QR_PHISH))
    assert verdict.score >= TAG_THRESHOLD, verdict
    assert "QR_CODE_LURE" in verdict.names


def test_developer_list_reply_and_newsletter_are_not_tagged() -> None:
    for message in (DEV_LIST_REPLY, NEWSLETTER):
        verdict = score(view(**message))
        assert verdict.score < TAG_THRESHOLD / 2, verdict


SEXTORTION = dict(
    subject="I know your password",
    from_="bob@example.org",
    text="""Hello!

I have very bad news for you. A few months ago I gained access to the devices you use for browsing the
internet. I installed a trojan on your operating system and recorded videos of you through your camera.

I will delete everything if you send me 1300 USD in Bitcoin to this address:
bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh

After receiving the payment I will remove the videos immediately. You have 48 hours. Do not try to
contact the police, I will know it.
""",
)


def test_crypto_sextortion_is_quarantined() -> None:
    verdict = score(view(**SEXTORTION))
    assert verdict.score >= QUARANTINE_THRESHOLD, verdict
    assert {"CRYPTO_EXTORTION", "CRYPTO_WALLET_DEMAND"} <= set(verdict.names)


SEO_PITCH = dict(
    subject="Re: Website ranking on Google first page",
    from_='"Rachel | SEO Expert" <rachel.seoteam@outlook.com>',
    text="""Hi,

I was checking your website and noticed that it is not ranking on the first page of Google for many
important keywords. Your competitors are getting more traffic and leads.

We can help you get on the first page of Google, Yahoo and Bing with our affordable SEO packages. We also
offer website redesign, social media marketing and mobile app development at very reasonable prices.

If you are interested, please reply with your phone number and the best time to call, and I will send
you a free proposal and our price list.

Regards,
Rachel

If you don't want to hear from me again, please reply "NO".
""",
)

ZIP_WITH_PASSWORD = dict(
    subject="RE: Payment confirmation for PO-44512",
    from_='"Sandra Mills" <s.mills@logistics-worldwide.com>',
    text="""Good day,

Please find attached the payment confirmation and the invoice for your order PO-44512.
Kindly check and confirm receipt.

Password for the document: 4451

Best regards,
Sandra Mills
""",
    attachments=(("Payment_Confirmation_PO-44512.zip", "application/zip", b"PK\x03\x04encrypted"),),
)


def test_seo_cold_pitch_and_password_zip_lure_are_tagged() -> None:
    for message, symbol in ((SEO_PITCH, "SEO_OUTREACH"), (ZIP_WITH_PASSWORD, "ARCHIVE_PASSWORD_LURE")):
        verdict = score(view(**message))
        assert verdict.score >= TAG_THRESHOLD, verdict
        assert symbol in verdict.names
