"""Each heuristic rule fires on a message crafted for it, and not on plain mail."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import mailflow.spam.heuristics as heuristics
from mailflow.spam.heuristics import RULE_MODULES, RULES, Rule, evaluate, register
from mailflow.spam.view import MessageView
from tests.mailflow.spam.builders import view, zipped

LURE_LINK = '<p>Verify your account</p><a href="https://secure-check.example.net/login">Sign in</a>'
CASES: dict[str, dict[str, object]] = {
    "HTML_ONLY": {"text": None, "html": "<p>Hello there, here is the news.</p>"},
    "HTML_HIDDEN_TEXT": {"html": '<p>Hi</p><span style="display:none">lorem ipsum dolor sit amet consectetur</span>'},
    "HTML_FORM": {"html": '<form action="https://collect.example.net/"><input name="q"></form>'},
    "HTML_PASSWORD_FORM": {"html": '<form action="/x"><input type="password" name="p"></form>'},
    "HTML_IMAGE_ONLY": {"text": None, "html": '<a href="https://x.example"><img src="https://x.example/a.png"></a>'},
    "HTML_SCRIPT": {"html": "<p>x</p><script>document.location='https://evil.example'</script>"},
    "LINK_TEXT_MISMATCH": {"html": '<a href="https://track.badsite.example/r">www.mybank.example</a>'},
    "LINK_TEXT_BRAND_MISMATCH": {
        "html": '<a href="https://paypal-help.example.net/">https://www.paypal.com/signin</a>'
    },
    "URL_IP_HOST": {"text": "Log in at http://203.0.113.9/portal now"},
    "URL_SHORTENER": {"text": "Details: https://bit.ly/3xYzAbc"},
    "URL_REDIRECTOR": {"text": "Go to https://go.example.com/out?url=https://evil.example.net/"},
    "URL_USERINFO": {"text": "Open https://www.bank.example@198.51.100.4/secure"},
    "URL_PUNYCODE": {"text": "See https://xn--pypal-4ve.com/login"},
    "URL_SUSPICIOUS_TLD": {"text": "Claim at https://prize-center.top/claim"},
    "URL_FREE_HOSTING": {"text": "Document: https://shared-docs-4411.web.app/view"},
    "URL_SCRIPT_SCHEME": {"html": '<a href="javascript:alert(1)">open</a>'},
    "CREDENTIAL_LURE": {"text": "Your password expires today. Contact IT.", "subject": "IT notice"},
    "CREDENTIAL_LURE_LINK": {"text": "Unusual sign-in activity detected. Review at https://acct.example.net/review"},
    "CREDENTIAL_LURE_FREE_HOSTING": {
        "text": "Your mailbox is full. Upgrade your mailbox quota: https://forms.office.com/Pages/ResponsePage.aspx?id=x"
    },
    "URGENCY_PHRASES": {"text": "Respond within 24 hours or lose access."},
    "MONEY_FRAUD_PHRASES": {"text": "You are the beneficiary of 10 million US dollars from my late client."},
    "CRYPTO_EXTORTION": {
        "text": "I installed a trojan and recorded you through your webcam. Pay 1200 USD to "
        "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh or I send the videos to your contacts."
    },
    "CRYPTO_WALLET_DEMAND": {"text": "Send the fee in BTC to 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy today."},
    "ARCHIVE_PASSWORD_LURE": {
        "text": "Please find the remittance attached.\nPassword for the document: 4451\n",
        "attachments": (("Remittance_0925.zip", "application/zip", b"PK\x03\x04"),),
    },
    "SEO_OUTREACH": {
        "text": "Your website is not ranking on the first page of Google. Our SEO packages are affordable; "
        "reply with your number for a free proposal."
    },
    "DOMAIN_RENEWAL_SCAM": {
        "text": "Domain expiration notice: search engine registration for example.org will expire. "
        "This is not a bill."
    },
    "ADULT_SPAM": {"text": "Want to watch HARDCORE PORN MOVIES? Our live sex cams are voted #1. Click now."},
    "BEC_REQUEST": {"text": "Are you available? I need you to buy some gift cards for a client today."},
    "BEC_REQUEST_STRONG": {
        "text": "Are you available? I need you to handle a task for me discreetly. "
        "I'm in a meeting and can't take calls, so reply here."
    },
    "BEC_FROM_FREEMAIL": {
        "from_": "David Whitfield <dwhitfield.office@gmail.com>",
        "text": "Are you available? I need you to handle a task for me discreetly.",
    },
    "CALLBACK_SCAM": {
        "text": "Your subscription has been renewed for $399.99. If you did not authorise this, "
        "call our billing helpline at +1 (555) 010-2211."
    },
    "INVESTMENT_SCAM": {"text": "Our AI trading bot pays 3% daily. Guaranteed returns from the first week."},
    "MESSENGER_JOB_OFFER": {"text": "Earn $300 per day from home. Contact us on WhatsApp: +44 7700 900123."},
    "SEED_PHRASE_LURE": {"text": "To keep your wallet active, verify your 12-word recovery phrase today."},
    "CASINO_SPAM": {"text": "Claim 100 free spins and a 200% welcome bonus at our online casino."},
    "BRAND_IMPERSONATION": {"from_": "Microsoft 365 Support <alerts@mail-notify.example.net>"},
    "BRAND_LOOKALIKE_DOMAIN": {"text": "Sign in: https://paypal-resolution-center.example.net/"},
    "BRAND_LURE_FOREIGN_LINK": {
        "subject": "Your Netflix membership is on hold",
        "text": "Update your payment information to keep watching: https://members-billing.example.net/",
    },
    "QR_CODE_LURE": {
        "text": "Your password expires today. Scan the QR code below to keep your password.",
        "attachments": (("code.png", "image/png", b"\x89PNG"),),
    },
    "ATTACHMENT_SHORTCUT": {"attachments": (("Invoice_0425.url", "application/octet-stream", b"[InternetShortcut]"),)},
    "HTML_ATTACHMENT": {"attachments": (("Remittance.html", "text/html", b"<script>location='x'</script>"),)},
    "HTML_ATTACHMENT_ACTIVE": {
        "attachments": (
            ("Remittance.htm", "text/html",
             b'<form action="https://collect.example.net/p"><input type="password" name="pw"></form>'),
        ),
    },
    "ATTACHMENT_DOUBLE_EXT": {"attachments": (("invoice.pdf.exe", "application/octet-stream", b"MZ"),)},
    "ATTACHMENT_PROGRAM": {"attachments": (("INV-20931.zip", "application/zip", zipped(("INV-20931_scan.js",))),)},
    "ARCHIVE_PROGRAM_ENCRYPTED": {
        "attachments": (("INV-20931.zip", "application/zip", zipped(("INV-20931_scan.js",), encrypted=True)),),
    },
    "ATTACHMENT_OPEN_LURE": {
        "text": "The proposal is in OneNote format: open it and double click \"View Document\" to see it.",
        "attachments": (("Proposal.one", "application/octet-stream", b"\xe4\x52\x5c\x7b"),),
    },
    "B2B_COLD_PITCH": {
        "text": "Would you be interested in acquiring the attendee list of the trade show? "
        "Let me know your interest and I will send counts and pricing."
    },
    "PHARMACY_SPAM": {"text": "Generic Viagra and Cialis, no prescription needed, discreet shipping worldwide."},
    "STOCK_PUMP": {"text": "STRONG BUY alert. Symbol: QXRT. Short-term target price $2.40, trading on the OTCBB."},
    "REPLICA_SPAM": {"text": "Swiss replica watches: Rolex, Omega and Breitling from $199."},
    "DIPLOMA_SPAM": {"text": "Get a university diploma based on your life experience. No exams, no classes."},
    "LOAN_SPAM": {"text": "Refinance today: rates as low as 3.25% APR, bad credit OK, pre-approved in minutes."},
    "SOFTWARE_OEM_SPAM": {
        "text": "OEM software at low prices: Adobe Photoshop CS3 $69, Office 2007 $79. Instant download."
    },
    "LOTTERY_SCAM": {
        "text": "WINNING NOTIFICATION. Your e-mail address won in our international lottery draw. "
        "Batch number: 7731/04. Contact our claims agent to process your prize."
    },
    "MONEY_MAKING_SPAM": {
        "text": "Work from home and be your own boss! Earn $5,000 a week from home. No experience needed."
    },
    "INVOICE_SELLING": {"text": "本公司长期代开各类发票 增值税发票 点数优惠。"},
    "DOMAIN_REGISTRAR_SCAM": {
        "text": "Please forward this to your CEO. A company applied for \"example\" as their internet keyword "
        "and .cn, .com.cn, .hk domain names."
    },
    "SUBJECT_ALL_CAPS": {"subject": "URGENT PAYMENT NEEDED TODAY"},
    "SUBJECT_EXCLAIM": {"subject": "You won!!"},
    "SUBJECT_MONEY": {"subject": "Get $500 cash back"},
    "SUBJECT_AD_LABEL": {"subject": "ADV: Lowest life insurance rates available"},
    "ZERO_WIDTH_CHARS": {"text": "Pa\u200bss\u200bwo\u200brd re\u200bset"},
    "OBFUSCATED_SPACING": {"text": "Buy V-I-A-G-R-A here"},
    "OBFUSCATED_WORDS": {"text": "Confirm your Micr0soft p4ssword"},
    "MIXED_SCRIPT_WORDS": {"text": "Your \u0430ccount was locked"},
    "MISSING_DATE": {"date": False},
    "DATE_IN_FUTURE": {"extra_headers": (("Received", "from mx.sender.test by gw; Sun, 02 Mar 2025 10:00:00 +0000"),)},
    "MISSING_MESSAGE_ID": {"message_id": False},
    "FROM_NAME_HAS_OTHER_ADDRESS": {"from_": '"billing@bank.example" <x@random-host.example.net>'},
    "REPLY_TO_FREEMAIL": {"extra_headers": (("Reply-To", "ceo.private@gmail.com"),)},
    "FROM_NO_ADDRESS": {"from_": "Undisclosed sender"},
    "FREEMAIL_EXEC_NAME": {"from_": "Jane Doe CEO <jane.doe.office@gmail.com>"},
    "RECIPIENT_DOMAIN_AS_SENDER": {"from_": "example.org IT Helpdesk <it-desk@mailadmin-notify.example.net>"},
    "RECIPIENT_IN_LINK": {"text": "Your documents are ready: https://docs-view.example.net/open#bob@example.org"},
    "RECIPIENT_DOMAIN_LOOKALIKE": {"from_": "Spam Quarantine <digest@example-org.quarantine-notice.example.net>"},
    "RECIPIENT_IN_PAGE": {
        "attachments": (
            ("Voicemail.htm", "text/html",
             b'<form action="https://collect.example.net/p"><input name="u" value="bob@example.org">'
             b'<input type="password" name="pw"></form>'),
        ),
    },
    "URL_DOWNLOAD_FREE_HOST": {"text": "Download your statement: https://files-2291.web.app/Statement_0425.zip"},
    "URL_COMPROMISED_SITE": {"text": "Sign in: https://bakery.example.net/wp-content/plugins/x/secure/login.php"},
    "URL_DISGUISED_HOST": {"text": "Pay your toll today: https://e-zpassny.com-tollpay.example/pay"},
}


def test_every_rule_has_a_crafted_case() -> None:
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_fires_on_its_crafted_message(name: str) -> None:
    fired = {hit.name for hit in evaluate(view(**CASES[name]))}
    assert name in fired


def test_ordinary_business_mail_fires_no_rule() -> None:
    html = '<p>Hi team,</p><p>Agenda: <a href="https://wiki.example.com/q3">wiki.example.com/q3</a></p>'
    assert evaluate(view(html=html)) == []


def test_legitimate_brand_sender_is_not_impersonation() -> None:
    fired = {h.name for h in evaluate(view(from_="PayPal <service@intl.paypal.com>"))}
    assert "BRAND_IMPERSONATION" not in fired


@pytest.mark.parametrize(
    "host",
    [
        "dhl-parcel-redelivery.example",
        "secure-paypa1.example.net",
        "microsoft.com.login-check.example",
        "aramex-delivery-fee.example",  # carriers, banks and tax offices of Asia, Africa and the Americas
        "naver-security.example",
        "auspost-redelivery.example",
        "canadapost-parcel.example",
    ],
)
def test_lookalike_domains_are_recognised(host: str) -> None:
    fired = {h.name for h in evaluate(view(text=f"Pay here: https://{host}/pay"))}
    assert "BRAND_LOOKALIKE_DOMAIN" in fired


@pytest.mark.parametrize(
    "host",
    [
        "xn--pypal-4ve.com",  # "paypal" with a Cyrillic first a
        "paypai-resolution.example",
        "micosoft-365.example",
        "drobpox.example",
        "linkedln.example",
        "amazzon-orders.example",
    ],
)
def test_typo_and_unicode_spoofs_of_brands_are_lookalikes(host: str) -> None:
    fired = {h.name for h in evaluate(view(text=f"Sign in: https://{host}/login"))}
    assert "BRAND_LOOKALIKE_DOMAIN" in fired


@pytest.mark.parametrize(
    "host",
    [
        "www.dhl.com",
        "login.microsoftonline.com",
        "pop-art.example",
        "outlook.4team.biz",
        "finance-news.example",
        "cloud-hosting.example",
        "adore.example",
    ],
)
def test_real_brand_and_unrelated_domains_are_not_lookalikes(host: str) -> None:
    fired = {h.name for h in evaluate(view(text=f"See https://{host}/page"))}
    assert "BRAND_LOOKALIKE_DOMAIN" not in fired


def test_percent_encoded_redirect_is_recognised() -> None:
    text = "Open https://www.google.com/url?sa=t&q=https%3A%2F%2Flogin-check.example.top%2F"
    assert "URL_REDIRECTOR" in {h.name for h in evaluate(view(text=text))}


def test_newsletter_linking_through_its_own_tracker_is_no_mismatch() -> None:
    html = '<a href="https://click.shop.example/r/123">www.shop-partner.example</a>'
    fired = {h.name for h in evaluate(view(from_="Shop News <news@shop.example>", html=html))}
    assert "LINK_TEXT_MISMATCH" not in fired


def test_brand_named_with_links_to_the_brand_is_not_a_foreign_lure() -> None:
    text = "Update your payment information in your account: https://www.netflix.com/youraccount"
    fired = {h.name for h in evaluate(view(subject="Netflix: your membership", text=text))}
    assert "CREDENTIAL_LURE" in fired and "BRAND_LURE_FOREIGN_LINK" not in fired


def test_rules_still_match_when_the_subject_has_undecodable_bytes() -> None:
    subject = "Verify your account \udcaf\udcc2"  # raw 8-bit header bytes left as escapes
    fired = {h.name for h in evaluate(MessageView.from_parts(subject=subject, text_bodies=["Hello"]))}
    assert "CREDENTIAL_LURE" in fired


def test_newsletter_about_a_brand_is_not_impersonation() -> None:
    fired = {h.name for h in evaluate(view(from_="Lockergnome Apple Core <subscriptions@lockergnome.example>"))}
    assert "BRAND_IMPERSONATION" not in fired


def test_body_only_skips_header_rules() -> None:
    names = {h.name for h in evaluate(view(date=False, message_id=False), body_only=True)}
    assert "MISSING_DATE" not in names and "MISSING_MESSAGE_ID" not in names


def test_score_overrides_apply_by_name() -> None:
    hits = evaluate(view(subject="You won!!"), scores={"SUBJECT_EXCLAIM": 4.0})
    assert [h.score for h in hits if h.name == "SUBJECT_EXCLAIM"] == [4.0]


def test_duplicate_rule_name_raises() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        register(Rule("HTML_ONLY", "again", 1.0, lambda v: True))


def test_broken_rule_does_not_stop_scanning() -> None:
    def explode(_: MessageView) -> bool:
        raise RuntimeError("bug")

    register(Rule("TEST_EXPLODING_RULE", "raises", 1.0, explode))
    try:
        assert "TEST_EXPLODING_RULE" not in {h.name for h in evaluate(view())}
    finally:
        del RULES["TEST_EXPLODING_RULE"]


def test_every_rule_module_is_registered_and_described() -> None:
    found = {m.name for m in pkgutil.iter_modules(heuristics.__path__)} - {"base", "brands"}
    assert found == set(RULE_MODULES)
    for module in RULE_MODULES:
        importlib.import_module(f"mailflow.spam.heuristics.{module}")
    assert all(rule.description and rule.name.isupper() for rule in RULES.values())


@pytest.mark.parametrize(
    "text",
    [
        "Release 2.4 fixes CVE-2024-1234; the fix is commit 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b.",
        "Order 1234567891234567891234567891 was paid by bank transfer, please send the receipt.",
        "The trojan was removed; we recorded a video of the demo for the police training course.",
        "Donations: bitcoin address bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh, thanks for the support.",
    ],
)
def test_crypto_extortion_needs_a_wallet_and_threats_together(text: str) -> None:
    assert "CRYPTO_EXTORTION" not in {h.name for h in evaluate(view(text=text))}


def test_plain_numbers_and_hashes_are_not_wallets() -> None:
    for text in ("Send payment for order 31234567891234567891234567 by transfer.",
                 "Pay the wallet fee; ref 1111111111111111111111111111111."):
        assert "CRYPTO_WALLET_DEMAND" not in {h.name for h in evaluate(view(text=text))}


@pytest.mark.parametrize(
    "case",
    [
        {"text": "Password for the document: 4451"},  # a password, no archive
        {"text": "Minutes of Tuesday's meeting attached.", "attachments": (("minutes.zip", "application/zip", b"PK"),)},
        {"text": "The build passed: see logs.zip.", "attachments": (("logs.zip", "application/zip", b"PK"),)},
    ],
)
def test_archive_password_lure_needs_an_archive_and_its_password(case: dict) -> None:
    assert "ARCHIVE_PASSWORD_LURE" not in {h.name for h in evaluate(view(**case))}


@pytest.mark.parametrize(
    "text",
    [
        "We moved the project website to the new theme; the website redesign is live.",
        "The domain expiration notice from our registrar came in; I renewed it for two years.",
        "Reply with no objections by Friday and I will merge the patch.",
    ],
)
def test_one_scam_phrase_in_ordinary_mail_fires_nothing(text: str) -> None:
    fired = {h.name for h in evaluate(view(text=text))}
    assert not fired & {"SEO_OUTREACH", "DOMAIN_RENEWAL_SCAM"}


@pytest.mark.parametrize(
    "text",
    [
        "The new filter blocks porn sites on the guest network; tell me if a work site is caught.",
        "Sussex and Essex offices: the adult education courses start in May (Middlesex campus).",
        "Our XXX placeholder in the template should be replaced with the customer number.",
    ],
)
def test_one_adult_phrase_or_a_place_name_fires_no_adult_rule(text: str) -> None:
    assert "ADULT_SPAM" not in {h.name for h in evaluate(view(text=text))}


@pytest.mark.parametrize(
    "subject",
    ["[광고] 요즘 뜨는 직종 Best 5", "(광고)신사업!!", "未承諾広告※出会いの広場", "Adv: Mortgage quotes fast online"],
)
def test_legal_advertising_labels_are_recognised(subject: str) -> None:
    assert "SUBJECT_AD_LABEL" in {h.name for h in evaluate(view(subject=subject))}


@pytest.mark.parametrize(
    "subject",
    ["Advice on the migration plan", "Adverts budget for Q3", "Re: ADVISORY: openssl update", "광고 예산 회의"],
)
def test_words_starting_with_adv_are_no_advertising_label(subject: str) -> None:
    assert "SUBJECT_AD_LABEL" not in {h.name for h in evaluate(view(subject=subject))}


@pytest.mark.parametrize(
    "page",
    [
        b"<html><body><script>window.location.href='https://login.example.net/?e=bob'</script></body></html>",
        b'<meta http-equiv="refresh" content="0; url=https://login.example.net/">',
        b"<script>document.write(atob('PGgxPkxvZ2luPC9oMT4='))</script>",
    ],
)
def test_attached_page_that_redirects_or_decodes_itself_is_active(page: bytes) -> None:
    names = {h.name for h in evaluate(view(attachments=(("Invoice_8832.html", "text/html", page),)))}
    assert {"HTML_ATTACHMENT", "HTML_ATTACHMENT_ACTIVE"} <= names


def test_attached_static_html_report_is_not_active() -> None:
    page = b"<html><body><h1>Build report</h1><table><tr><td>tests</td><td>412 passed</td></tr></table></body></html>"
    names = {h.name for h in evaluate(view(attachments=(("report.html", "text/html", page),)))}
    assert "HTML_ATTACHMENT_ACTIVE" not in names


def test_links_inside_an_attached_page_are_link_destinations() -> None:
    page = b'<form action="https://shared-docs-4411.web.app/post"><input name="email"></form>'
    names = {h.name for h in evaluate(view(attachments=(("Remittance.htm", "text/html", page),)))}
    assert "URL_FREE_HOSTING" in names


def test_a_redirecting_link_is_judged_by_where_it_leads() -> None:
    text = "Review: https://www.google.com/url?q=https%3A%2F%2Fmailbox-review.pages.dev%2Fqr&sa=D"
    names = {h.name for h in evaluate(view(text=text))}
    assert {"URL_REDIRECTOR", "URL_FREE_HOSTING"} <= names


@pytest.mark.parametrize(
    "text",
    [
        "Aus Sicherheitsgründen wird Ihr Online-Banking-Zugang vorübergehend gesperrt.",
        "Bitte bestätigen Sie Ihre Identität, um fortzufahren.",
        "Votre compte a été temporairement suspendu. Vérifiez votre identité.",
        "Su cuenta ha sido bloqueada. Verifique su identidad en el siguiente enlace.",
        "Detectamos atividade de entrada incomum. Confirme sua identidade.",
        "Uw betaalpas verloopt binnenkort; controleer uw gegevens.",
        "Il tuo account è stato sospeso: verifica i tuoi dati.",
        "You have (5) held messages. Release messages to Inbox.",
        "You received a 3-page fax. Click here to view this fax.",
        "A redelivery fee of $1.85 is due. Schedule redelivery today.",
        "Your mailbox has reached 99.8% of its storage limit.",
        "Seu CPF está irregular. Atualize seu cadastro para evitar o bloqueio.",
        "Your reward points will expire on Friday. Redeem your points now.",
        "Your email account will be deactivated today. Keep current password to continue.",
        "You have 5 pending incoming emails. Sign in to view the messages.",
        "Twoje konto zostało zablokowane. Zweryfikuj swoje dane.",
        "Hesabınız geçici olarak askıya alınmıştır. Kimliğinizi doğrulayın.",  # noqa: RUF001
        "お客様のアカウントが一時的に停止されました。ご本人確認をお願いします。",
        "You have an unpaid toll balance of $4.15.",
        "You are eligible to receive a tax refund of 684.29 GBP.",
        "I have shared the documents regarding our outstanding invoices via OneDrive.",
    ],
)
def test_credential_lures_in_other_wordings_and_languages(text: str) -> None:
    assert "CREDENTIAL_LURE" in {h.name for h in evaluate(view(text=text))}


@pytest.mark.parametrize(
    "text",
    [
        "Bitte bestätigen Sie den Termin am Montag um 10 Uhr.",
        "Merci de confirmer votre présence à la réunion de jeudi.",
        "Adjunto el informe trimestral; confirme su asistencia al comité.",
        "Kunt u de offerte controleren en vóór vrijdag terugsturen?",
        "The held messages were released after the quarantine rule was fixed (see the mailing list thread).",
        "Your message could not be delivered to one or more recipients.",
        "The Gerrit account migration is planned for Monday; your old password keeps working.",
        "Die Zahlung ist eingegangen. Vielen Dank für Ihre Bestellung.",
        "会議の資料を共有します。ご確認ください。",
        "Fax numbers changed: the new fax is +49 30 1234567.",
        "You can update your details and dietary requirements on your registration page until October.",
        "We moved the build artefacts to OneDrive last year; the documents shared on the wiki stay where they are.",
        "Why did this pass the filter?\n\n> Your password expires today. Verify your account within 24 hours:\n"
        "> https://owa-renew.example.net/login\n\nRegards, the postmaster",
    ],
)
def test_ordinary_mail_in_those_words_is_no_lure(text: str) -> None:
    assert "CREDENTIAL_LURE" not in {h.name for h in evaluate(view(text=text))}


def test_a_brand_after_via_from_a_foreign_domain_is_impersonation() -> None:
    names = {h.name for h in evaluate(view(from_="Thandi Mokoena via SharePoint <info@smile-dental.example>"))}
    assert "BRAND_IMPERSONATION" in names


@pytest.mark.parametrize(
    "from_",
    [
        "Alice Example via python-dev <python-dev@googlegroups.com>",
        "Bob via SharePoint <no-reply@sharepointonline.com>",
    ],
)
def test_list_and_real_service_via_names_are_not_impersonation(from_: str) -> None:
    assert "BRAND_IMPERSONATION" not in {h.name for h in evaluate(view(from_=from_))}


@pytest.mark.parametrize(
    ("text", "rule_name"),
    [
        ("Are you available to review the patch before the freeze?", "BEC_REQUEST"),
        ("The board approved the budget; the wire transfer to the venue went out on Monday.", "BEC_REQUEST"),
        ("Your subscription has been renewed. Manage it at https://account.example.com/billing", "CALLBACK_SCAM"),
        ("Call me on +49 30 1234 5678 if the build breaks again.", "CALLBACK_SCAM"),
        ("Your order has been confirmed. Questions? Call us at +44 20 7946 0000.", "CALLBACK_SCAM"),
        ("Your domain was renewed automatically and $38.18 has been charged. Need help? Call us: (480) 555-0142.",
         "CALLBACK_SCAM"),
        ("The presale of conference tickets opens on Friday.", "INVESTMENT_SCAM"),
        ("Release announcements are also posted in our Telegram channel: t.me/example_releases", "MESSENGER_JOB_OFFER"),
        ("We won the jackpot: the sponsor covers the whole sprint.", "CASINO_SPAM"),
    ],
)
def test_one_scam_move_in_ordinary_mail_fires_no_scam_rule(text: str, rule_name: str) -> None:
    assert rule_name not in {h.name for h in evaluate(view(text=text))}


def test_links_inside_an_attached_pdf_are_link_destinations() -> None:
    pdf = (b"%PDF-1.4\n1 0 obj << /Type /Annot /Subtype /Link /A << /S /URI "
           b"/URI (https://invoice-portal-7731.web.app/view) >> >> endobj\n%%EOF\n")
    text = "Please review the attached invoice and sign in to confirm your identity."
    names = {h.name for h in evaluate(view(text=text, attachments=(("Invoice_0425.pdf", "application/pdf", pdf),)))}
    assert {"URL_FREE_HOSTING", "CREDENTIAL_LURE_FREE_HOSTING"} <= names


@pytest.mark.parametrize(
    "text",
    [
        "Never share your recovery phrase: we will never ask for it.",
        "The backup phrase feature of the wallet library was fixed in 2.4.1.",
    ],
)
def test_talking_about_recovery_phrases_is_no_seed_phrase_lure(text: str) -> None:
    assert "SEED_PHRASE_LURE" not in {h.name for h in evaluate(view(text=text))}


@pytest.mark.parametrize(
    "case",
    [
        {"from_": "Bob's IT team <it@example.org>", "subject": "example.org password expires today",
         "text": "Your password expires today. Change it at https://sso.example.org/"},
        {"from_": "DMARC reports <noreply-dmarc@dmarc.example.net>", "subject": "Report domain: example.org",
         "attachments": (("example.org!report.xml.gz", "application/gzip", b"\x1f\x8b"),)},
        {"from_": "Google <no-reply@accounts.google.com>", "subject": "Security alert for bob@example.org",
         "text": "A new sign-in on Windows. If this wasn't you, secure your account: https://myaccount.google.com/"},
        {"from_": "example.com IT Helpdesk <it@mailadmin-notify.example.net>", "to": "bob@gmail.com",
         "text": "Your mailbox is full."},
        {"from_": "Carol <carol@example.net>", "subject": "example.org outage notes",
         "text": "The example.org mirror was down for an hour; notes at https://status.example.net/"},
    ],
)
def test_the_readers_own_domain_named_rightly_is_not_impersonation(case: dict) -> None:
    """Their own IT, a report about their domain, a brand's alert, free mail readers, a note that names it."""
    assert "RECIPIENT_DOMAIN_AS_SENDER" not in {h.name for h in evaluate(view(**case))}


def test_the_readers_domain_in_a_lure_subject_from_elsewhere_is_impersonation() -> None:
    case = {"from_": "Mail Admin <admin@notify-center.example.net>",
            "subject": "Password expiry notice for bob@example.org",
            "text": "Your password will expire today. Keep your current password: https://keep.example.net/"}
    assert "RECIPIENT_DOMAIN_AS_SENDER" in {h.name for h in evaluate(view(**case))}


@pytest.mark.parametrize(
    "link",
    [
        "https://lists.example.net/mailman/options/dev/bob%40example.org",
        "https://calendar.google.com/calendar/event?action=RESPOND&eid=Ym9iQGV4YW1wbGUub3Jn",
        "https://news.example.net/unsubscribe?u=Ym9iQGV4YW1wbGUub3Jn",
        "https://survey.example.net/s?email=bob@example.org",
        "https://sso.example.org/login#bob@example.org",
    ],
)
def test_the_readers_address_in_a_services_own_links_is_no_kit_link(link: str) -> None:
    """List options, a calendar's event id, unsubscribing, a survey's plain query, the reader's own site."""
    assert "RECIPIENT_IN_LINK" not in {h.name for h in evaluate(view(text=f"See {link}"))}


@pytest.mark.parametrize(
    "link",
    [
        "https://view-docs.example.net/s/#Ym9iQGV4YW1wbGUub3Jn",
        "https://files.example.net/d?id=91&u=Ym9iQGV4YW1wbGUub3Jn&t=1",
        "https://secure-pages-77.pages.dev/?login=bob%40example.org",
        "https://bucket-9.s3.amazonaws.com/index.html#bob@example.org",
        "https://dental.example.net/wp-content/plugins/el/q4/preread.php?e=bob@example.org",
        "https://example.com-secure.example/view?u=bob@example.org",
    ],
)
def test_the_readers_address_handed_to_a_strangers_page_is_a_kit_link(link: str) -> None:
    """In the fragment, Base64 in the query, plain to free hosting, a hacked site's folders or a disguised host."""
    assert "RECIPIENT_IN_LINK" in {h.name for h in evaluate(view(text=f"Open {link}"))}


@pytest.mark.parametrize(
    "case",
    [
        {"from_": "Spam Quarantine <digest@example-org.quarantine-digest.example.net>"},
        {"text": "Release your held mail: https://example.org.mailcheck.example.net/release?id=4"},
        {"text": "Your mailbox: https://webmail.example-org.example/login"},
        {"from_": "Helpdesk <it@exampleorg-support.example.net>", "to": "bob@example.co.uk",
         "text": "Sign in: https://example-co-uk.portal-login.example.net/"},
    ],
)
def test_the_readers_domain_spelt_inside_anothers_is_a_lookalike(case: dict) -> None:
    assert "RECIPIENT_DOMAIN_LOOKALIKE" in {h.name for h in evaluate(view(**case))}


@pytest.mark.parametrize(
    "case",
    [
        {"from_": "IT <it@mail.example.org>", "text": "Maintenance tonight: https://status.example.org/"},
        {"from_": "Okta <noreply@okta.com>", "text": "Sign in at https://example.okta.com/ or https://exampleorg.okta.com/"},
        {"from_": "SharePoint <no-reply@sharepoint.com>", "text": "https://example-my.sharepoint.com/personal/bob"},
        {"from_": "Carol <carol@example.net>", "text": "The mirror example.org.example.net is a CNAME of ours",
         "to": "bob@gmail.com"},
        {"from_": "Dave <dave@example.org.au>", "text": "Hi Bob, see you at the meetup."},
    ],
)
def test_the_readers_domain_in_its_own_or_a_tenants_hosts_is_no_lookalike(case: dict) -> None:
    """Its own subdomains, a brand's tenant named after it, free-mail readers; another country's domain is not it."""
    assert "RECIPIENT_DOMAIN_LOOKALIKE" not in {h.name for h in evaluate(view(**case))}


def test_a_static_attached_page_naming_the_reader_is_not_prefilled_login() -> None:
    page = b"<html><body><h1>Invoice 0425</h1><p>Bill to: bob@example.org</p><p>Total: 120.00</p></body></html>"
    fired = {h.name for h in evaluate(view(attachments=(("invoice.html", "text/html", page),)))}
    assert "HTML_ATTACHMENT" in fired and "RECIPIENT_IN_PAGE" not in fired


def test_a_script_written_page_prefilled_with_the_reader_is_recognised() -> None:
    page = b"<script>document.write(unescape('%3Cinput%20value%3D%22bob%40example.org%22%3E'))</script>"
    fired = {h.name for h in evaluate(view(attachments=(("VM_0425.html", "text/html", page),)))}
    assert "RECIPIENT_IN_PAGE" in fired


@pytest.mark.parametrize(
    "link",
    [
        "https://storage.googleapis.com/syzbot-assets/1b8e6a2c8d11/mount_0.gz",
        "https://github.com/example/tool/releases/download/v1.2/tool-1.2.zip",
        "https://downloads.example.net/setup.exe",
        "https://docs-41.web.app/guide.pdf",
    ],
)
def test_downloads_from_project_hosts_or_documents_are_no_risky_download(link: str) -> None:
    assert "URL_DOWNLOAD_FREE_HOST" not in {h.name for h in evaluate(view(text=f"Get {link}"))}


@pytest.mark.parametrize(
    ("from_", "link"),
    [
        ("WordPress <wordpress@blog.example.net>", "https://blog.example.net/wp-admin/comment.php?action=approve&c=4"),
        ("Alice <alice@example.com>", "https://blog.example.net/wp-content/uploads/2024/05/report.pdf"),
        ("Alice <alice@example.com>", "https://www.example.net/.well-known/security.txt"),
    ],
)
def test_a_sites_own_admin_links_and_uploads_are_not_compromised_pages(from_: str, link: str) -> None:
    assert "URL_COMPROMISED_SITE" not in {h.name for h in evaluate(view(from_=from_, text=f"See {link}"))}


@pytest.mark.parametrize("host", ["www.net-hub.com", "mail.org-chart.example", "com-pass.example", "www.example.com"])
def test_real_names_that_start_with_a_tld_word_are_not_disguised(host: str) -> None:
    assert "URL_DISGUISED_HOST" not in {h.name for h in evaluate(view(text=f"See https://{host}/page"))}


def test_a_right_to_left_override_in_an_attachment_name_hides_its_type() -> None:
    attachment = ("invoice\u202efdp.exe", "application/octet-stream", b"MZ")
    assert "ATTACHMENT_DOUBLE_EXT" in {h.name for h in evaluate(view(attachments=(attachment,)))}


@pytest.mark.parametrize(
    ("link", "free"),
    [
        ("https://invoice-view-3391.s3.us-east-1.amazonaws.com/index.html", True),
        ("https://s3.amazonaws.com/statement-2291/view.htm", True),
        ("https://my-assets.s3.amazonaws.com/logo.png", False),
        ("https://console.aws.amazon.com/s3/home.html", False),
    ],
)
def test_a_web_page_in_a_storage_bucket_is_free_hosting(link: str, free: bool) -> None:
    assert ("URL_FREE_HOSTING" in {h.name for h in evaluate(view(text=f"Open {link}"))}) is free


def test_a_brands_own_receipt_with_a_dispute_line_is_no_callback_scam() -> None:
    text = ("Your Microsoft 365 subscription has been renewed and your card was charged $99.99. "
            "If you did not authorize this, call +1 (800) 555-0142.")
    assert "CALLBACK_SCAM" not in {h.name for h in evaluate(view(from_="Microsoft <billing@microsoft.com>", text=text))}
    assert "CALLBACK_SCAM" in {h.name for h in evaluate(view(from_="Billing <billing.dept@outlook.com>", text=text))}


def test_a_hidden_preview_line_is_not_hidden_text_but_filler_is() -> None:
    preheader = '<div style="display:none;max-height:0">Your receipt from Example Shop, order 4411 has shipped</div>'
    body = "<p>Thanks for your order. Track it at https://shop.example.com/track/4411</p>"
    assert "HTML_HIDDEN_TEXT" not in {h.name for h in evaluate(view(html=preheader + body))}
    filler = '<span style="display:none">' + "lorem ipsum dolor sit amet " * 20 + "</span>"
    assert "HTML_HIDDEN_TEXT" in {h.name for h in evaluate(view(html=preheader + body + filler))}
    assert "HTML_HIDDEN_TEXT" in {h.name for h in evaluate(view(html=filler + body))}  # a "preview" of filler


def test_date_in_future_compares_the_date_with_the_receiving_servers_stamp() -> None:
    from mailflow.spam import view_from_bytes

    def message(date: str, received: str | None) -> bytes:
        trace = f"Received: from mx.sender.test\r\n\tby gw.example (SPE); {received}\r\n" if received else ""
        return (f"{trace}From: a@sender.test\r\nTo: b@example.org\r\nSubject: Hello\r\nDate: {date}\r\n"
                "Message-ID: <1@sender.test>\r\n\r\nHello.\r\n").encode()

    arrived = "Wed, 02 Dec 2026 10:00:00 +0000"
    fires = {hit.name for hit in evaluate(view_from_bytes(message("Wed, 02 Dec 2026 19:30:00 +0000", arrived)))}
    assert "DATE_IN_FUTURE" in fires
    assert "DATE_IN_FUTURE" in {hit.name for hit in evaluate(view_from_bytes(
        message("Thu, 03 Dec 2026 10:00:00 -0000", "Wed, 02 Dec 2026 10:00:00 -0000")))}  # -0000 is UTC
    for date, received in (("Wed, 02 Dec 2026 12:00:00 +0000", arrived),  # two hours: a mistyped zone
                           ("Wed, 02 Dec 2026 04:00:00 -0500", arrived),  # 09:00 UTC: the past
                           ("Wed, 02 Dec 2026 19:30:00 +0000", None),  # no receiving stamp to compare with
                           ("not a date", arrived)):
        assert "DATE_IN_FUTURE" not in {hit.name for hit in evaluate(view_from_bytes(message(date, received)))}


def _fired(**case: object) -> set[str]:
    return {h.name for h in evaluate(view(**case))}


def test_an_archive_of_many_sources_or_a_document_is_no_program() -> None:
    sources = tuple(f"site/js/module{i}.js" for i in range(12))
    assert "ATTACHMENT_PROGRAM" not in _fired(attachments=(("site.zip", "application/zip", zipped(sources)),))
    fired = _fired(attachments=(("scan.zip", "application/zip", zipped(("scan.pdf",), encrypted=True)),))
    assert not fired & {"ATTACHMENT_PROGRAM", "ARCHIVE_PROGRAM_ENCRYPTED"}


def test_a_script_attached_or_zipped_alone_is_a_program() -> None:
    assert "ATTACHMENT_PROGRAM" in _fired(attachments=(("Scan_0425.lnk", "application/octet-stream", b"L\0\0\0"),))
    fired = _fired(attachments=(("INV.zip", "application/zip", zipped(("INV_0425.pdf.js",))),))
    assert "ATTACHMENT_PROGRAM" in fired and "ARCHIVE_PROGRAM_ENCRYPTED" not in fired
    assert "ATTACHMENT_DOUBLE_EXT" in fired  # the member's name hides its type as an attachment's would


@pytest.mark.parametrize(
    "case",
    [
        {"text": "Click Enable Editing in Word to change the draft."},  # no attachment: a how-to
        {"text": "Minutes attached.", "attachments": (("minutes.docx", "application/octet-stream", b"PK"),)},
    ],
)
def test_open_lure_needs_an_attachment_and_its_instructions(case: dict) -> None:
    assert "ATTACHMENT_OPEN_LURE" not in _fired(**case)


@pytest.mark.parametrize(
    "text",
    [
        "Our factory will ship your order on Monday; the invoice follows.",
        "Following up on my previous email about the Q3 budget: can we meet Tuesday?",
        "The attendee list for Thursday's workshop is on the wiki.",
        "Please forward this to your manager for approval.",
    ],
)
def test_one_b2b_or_registrar_phrase_fires_nothing(text: str) -> None:
    assert not _fired(text=text) & {"B2B_COLD_PITCH", "DOMAIN_REGISTRAR_SCAM"}


@pytest.mark.parametrize(
    "text",
    [
        "Vaše e-mailová schránka bude dočasně deaktivována.",  # Czech
        "Ваша учетная запись временно заблокирована. Подтвердите ваши данные.",  # Russian
        "Ваш обліковий запис тимчасово заблоковано.",  # Ukrainian
        "고객님의 계정이 일시적으로 정지되었습니다.",  # Korean
        "您的账户已被冻结，请验证您的身份。",  # Chinese  # noqa: RUF001
        "您的帳戶將被凍結",  # Chinese, traditional
        "تم تعليق حسابك مؤقتا",  # Arabic
        "החשבון שלך נחסם",  # Hebrew
        "Ditt konto har tillfälligt spärrats.",  # Swedish
        "Fiókját ideiglenesen felfüggesztettük.",  # Hungarian
        "Contul dumneavoastră a fost suspendat.",  # Romanian
        "Ο λογαριασμός σας έχει ανασταλεί.",  # Greek  # noqa: RUF001
        "Tài khoản của bạn đã bị khóa.",  # Vietnamese
        "Akun anda telah diblokir.",  # Indonesian
        "お支払い方法を更新してください。",  # Japanese
    ],
)
def test_credential_lures_are_read_in_many_languages(text: str) -> None:
    assert "CREDENTIAL_LURE" in _fired(text=text)


@pytest.mark.parametrize(
    "text",
    [
        "Привет! Отчёт за квартал во вложении, посмотри, пожалуйста, до пятницы.",
        "我们下周二开会讨论新版本的发布计划。",
        "다음 주 회의 자료를 첨부합니다. 검토 부탁드립니다.",
        "مرحبا، أرسلت لك جدول الاجتماع لهذا الأسبوع.",
        "Ahoj, posílám zápis z porady a fotky z výletu.",
    ],
)
def test_ordinary_mail_in_other_languages_is_no_lure(text: str) -> None:
    assert "CREDENTIAL_LURE" not in _fired(text=text)


@pytest.mark.parametrize(
    "text",
    [
        "My doctor switched me from Valium to something milder; I sleep better now.",
        "The ticker symbol: ACME is on the first slide of the investor deck.",
        "Is that Rolex real? Mine is a replica of my grandfather's, but the story is better.",
        "She finished her PhD in four years; no exams in the final year, only the thesis.",
        "Our bank's newsletter: mortgage rates are rising, consider whether to refinance.",
    ],
)
def test_one_sign_of_a_spam_trade_in_ordinary_mail_fires_nothing(text: str) -> None:
    trades = {"PHARMACY_SPAM", "STOCK_PUMP", "DIPLOMA_SPAM", "LOAN_SPAM"}
    assert not _fired(text=text) & trades


def test_replica_needs_the_luxury_brand() -> None:
    assert "REPLICA_SPAM" not in _fired(text="A replica of the 1969 lunar module is on display in the hall.")


@pytest.mark.parametrize(
    "text",
    [
        "The Photoshop licence renewal is $69 a month; I asked IT to buy it.",
        "Congratulations, you've won the office raffle! Claim your prize at reception.",
        "I work from home on Fridays; call my mobile.",
        "请把上个月的增值税发票寄给财务部。" + "谢谢",  # asking a supplier for its VAT invoice is ordinary
    ],
)
def test_one_sign_of_the_older_trades_fires_nothing(text: str) -> None:
    trades = {"SOFTWARE_OEM_SPAM", "LOTTERY_SCAM", "MONEY_MAKING_SPAM", "INVOICE_SELLING"}
    assert not _fired(text=text) & trades


@pytest.mark.parametrize(
    "host",
    ["t.shopifyemail.com", "octo-org.github.io", "github.githubassets.com", "cdn.discordapp.net", "we.tl"],
)
def test_a_services_own_domains_are_not_lookalikes(host: str) -> None:
    assert "BRAND_LOOKALIKE_DOMAIN" not in _fired(text=f"See https://{host}/x for details.")


def test_a_brand_of_asia_in_the_display_name_is_impersonation() -> None:
    assert "BRAND_IMPERSONATION" in _fired(from_="Rakuten <info@rakuten-card-support.example>")
    assert "BRAND_IMPERSONATION" not in _fired(from_="Rakuten <info@mail.rakuten.co.jp>")


def test_an_archive_on_a_file_share_with_its_password_is_the_lure_too() -> None:
    text = "Файлы загружены на Яндекс Диск: https://disk.yandex.ru/d/LR55QXgOBvS8 Пароль к архиву: 2025"
    assert "ARCHIVE_PASSWORD_LURE" in _fired(text=text)
    advisory = "Download https://www.example.org/fcheck-2.07.tar.gz - Password Storage Vulnerability BugTraq ID: 5369"
    assert "ARCHIVE_PASSWORD_LURE" not in _fired(text=advisory)


@pytest.mark.parametrize(
    "text",
    [
        "Sind Sie gerade verfügbar? Ich brauche Geschenkkarten für einen Kunden, bitte streng vertraulich behandeln.",
        "Sei disponibile? Ho bisogno di un bonifico urgente oggi, massimo riserbo.",
        "Bent u beschikbaar? Er moet vandaag een dringende overboeking gebeuren.",
    ],
)
def test_payment_fraud_is_read_in_other_languages(text: str) -> None:
    assert "BEC_REQUEST" in _fired(text=text)


def test_one_payment_word_in_other_languages_is_no_fraud() -> None:
    assert "BEC_REQUEST" not in _fired(text="Sind Sie am Donnerstag verfügbar? Wir besprechen das Budget.")


def test_extortion_is_read_in_other_languages() -> None:
    text = ("Ich habe Ihr Gerät gehackt und eine Schadsoftware installiert. Zahlen Sie 1200 EUR in Bitcoin an "
            "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh, sonst geht das Video an alle Ihre Kontakte.")
    assert "CRYPTO_EXTORTION" in _fired(text=text)
