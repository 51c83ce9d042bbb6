"""Brands phishing most often imitates, and the domains that really send for them.

Used by the brand-impersonation and lookalike-domain rules.  Extend the
table rather than the rules.  See docs/spam.md.
"""

from __future__ import annotations

import re
from functools import cache

BRAND_DOMAINS: dict[str, frozenset[str]] = {
    name: frozenset(domains.split())
    for name, domains in {
        "paypal": "paypal.com paypal.me paypal.co.uk paypal-communication.com",
        "microsoft": "microsoft.com office.com office365.com outlook.com live.com "
        "microsoftonline.com sharepoint.com sharepointonline.com onmicrosoft.com hotmail.com skype.com",
        "office 365": "microsoft.com office.com office365.com microsoftonline.com",
        "outlook": "microsoft.com outlook.com office.com live.com hotmail.com",
        "onedrive": "microsoft.com onedrive.com live.com sharepoint.com sharepointonline.com",
        "sharepoint": "microsoft.com sharepoint.com sharepointonline.com",
        "docusign": "docusign.com docusign.net",
        "apple": "apple.com icloud.com me.com",
        "icloud": "apple.com icloud.com",
        "amazon": "amazon.com amazon.co.uk amazon.de amazon.fr amazon.it amazon.es amazon.nl amazon.pl amazon.se "
        "amazon.ca amazon.com.mx amazon.com.br amazon.co.jp amazon.in amazon.com.au amazon.sg amazon.ae amazon.sa "
        "amazon.com.tr amazon.eg amazonses.com aws.com amazonaws.com media-amazon.com",
        "netflix": "netflix.com",
        "google": "google.com gmail.com googlemail.com youtube.com",
        "dropbox": "dropbox.com dropboxmail.com",
        "adobe": "adobe.com adobesign.com",
        "linkedin": "linkedin.com",
        "facebook": "facebook.com facebookmail.com meta.com",
        "instagram": "instagram.com facebookmail.com",
        "whatsapp": "whatsapp.com",
        "dhl": "dhl.com dhl.de dhl.co.uk",
        "fedex": "fedex.com",
        "ups": "ups.com",
        "usps": "usps.com usps.gov",
        "wells fargo": "wellsfargo.com",
        "chase bank": "chase.com jpmorgan.com",
        "jpmorgan chase": "chase.com jpmorgan.com",
        "bank of america": "bankofamerica.com bofa.com",
        "coinbase": "coinbase.com",
        "binance": "binance.com",
        "metamask": "metamask.io",
        "norton antivirus": "norton.com nortonlifelock.com gen.com",
        "norton 360": "norton.com nortonlifelock.com gen.com",
        "mcafee": "mcafee.com",
        "zoom": "zoom.us zoom.com",
        "webex": "webex.com cisco.com",
        "irs": "irs.gov",
        "hmrc": "hmrc.gov.uk gov.uk",
        "wetransfer": "wetransfer.com we.tl",
        "american express": "americanexpress.com aexp.com",
        "citibank": "citi.com citibank.com",
        "hsbc": "hsbc.com hsbc.co.uk",
        "ebay": "ebay.com ebay.co.uk",
        "steam": "steampowered.com steamcommunity.com",
        "yahoo": "yahoo.com yahoo.co.uk yahoo.de yahoo.fr yahoo.es yahoo.it yahoo.ca yahoo.com.au yahoo.com.br "
        "yahoo.co.in yahoo.co.jp yahoo-inc.com yahoogroups.com yahoomail.com ymail.com rocketmail.com",
        "aol": "aol.com aol.co.uk",
        "okta": "okta.com oktapreview.com okta-emea.com",
        "spotify": "spotify.com",
        "godaddy": "godaddy.com secureserver.net",
        "namecheap": "namecheap.com",
        "booking.com": "booking.com",
        "airbnb": "airbnb.com",
        "venmo": "venmo.com",
        "cash app": "cash.app square.com squareup.com",
        "zelle": "zellepay.com",
        "walmart": "walmart.com",
        "costco": "costco.com",
        "geek squad": "geeksquad.com bestbuy.com",
        "best buy": "bestbuy.com",
        "intuit": "intuit.com",
        "quickbooks": "intuit.com quickbooks.com",
        "xfinity": "xfinity.com comcast.net comcast.com",
        "verizon": "verizon.com verizonwireless.com",
        "t-mobile": "t-mobile.com",
        "vodafone": "vodafone.com vodafone.co.uk vodafone.de vodafone.it vodafone.es",
        "telekom": "telekom.de telekom.com t-online.de",
        "mastercard": "mastercard.com",
        "trust wallet": "trustwallet.com",
        "royal mail": "royalmail.com royalmail.co.uk",
        "evri": "evri.com",
        "dpd": "dpd.com dpd.co.uk dpd.de dpd.fr",
        "postnl": "postnl.nl postnl.com",
        "la poste": "laposte.fr laposte.net",
        "correos": "correos.es",
        "poste italiane": "poste.it posteitaliane.it",
        "deutsche post": "deutschepost.de dhl.de",
        "ing": "ing.com ing.nl ing.de ing.be ing.es ing.it ing-diba.de",
        "sparkasse": "sparkasse.de",
        "commerzbank": "commerzbank.de commerzbank.com",
        "deutsche bank": "deutsche-bank.de db.com",
        "santander": "santander.com santander.co.uk santander.es santander.de santanderbank.com",
        "bbva": "bbva.es bbva.com bbva.mx",
        "caixabank": "caixabank.es caixabank.com",
        "bnp paribas": "bnpparibas.com bnpparibas.fr bnpparibas",
        "crédit agricole": "credit-agricole.fr credit-agricole.com",
        "credit agricole": "credit-agricole.fr credit-agricole.com",
        "rabobank": "rabobank.nl rabobank.com",
        "abn amro": "abnamro.nl abnamro.com",
        "barclays": "barclays.co.uk barclays.com",
        "lloyds bank": "lloydsbank.com lloydsbank.co.uk",
        "natwest": "natwest.com",
        "halifax": "halifax.co.uk",
        "capital one": "capitalone.com",
        "revolut": "revolut.com",
        "monzo": "monzo.com",
        "intesa sanpaolo": "intesasanpaolo.com",
        "unicredit": "unicredit.it unicredit.eu unicreditgroup.eu",
        "itaú": "itau.com.br",
        "bradesco": "bradesco.com.br",
        "nubank": "nubank.com.br",
        "agencia tributaria": "agenciatributaria.es agenciatributaria.gob.es",
        "dvla": "dvla.gov.uk gov.uk",
        "correios": "correios.com.br",
        "banco do brasil": "bb.com.br",
        "mercado livre": "mercadolivre.com.br mercadolibre.com",
        "mercado pago": "mercadopago.com mercadopago.com.br",
        "receita federal": "gov.br fazenda.gov.br",
        "livelo": "livelo.com.br",
        # Asia and the Pacific
        "rakuten": "rakuten.co.jp rakuten.com rakuten.ne.jp rakuten-card.co.jp rakuten-bank.co.jp rakuten-sec.co.jp",
        "smbc": "smbc.co.jp smbc-card.com",
        "mufg": "mufg.jp",
        "mizuho": "mizuhobank.co.jp mizuho-fg.co.jp",
        "japan post": "japanpost.jp",
        "japanpost": "japanpost.jp",
        "sagawa": "sagawa-exp.co.jp",
        "yamato transport": "kuronekoyamato.co.jp",
        "kuroneko": "kuronekoyamato.co.jp",
        "jcb": "jcb.co.jp jcb.jp",
        "naver": "naver.com navercorp.com",
        "kakao": "kakao.com kakaocorp.com daum.net",
        "coupang": "coupang.com",
        "alipay": "alipay.com antgroup.com",
        "taobao": "taobao.com alibaba.com tmall.com",
        "icbc": "icbc.com.cn icbc.com",
        "sf express": "sf-express.com",
        "china post": "chinapost.com.cn",
        "state bank of india": "sbi.co.in onlinesbi.com onlinesbi.sbi",
        "hdfc bank": "hdfcbank.com",
        "icici bank": "icicibank.com",
        "paytm": "paytm.com paytmbank.com paytmmoney.com",
        "india post": "indiapost.gov.in",
        "australia post": "auspost.com.au",
        "auspost": "auspost.com.au",
        "commonwealth bank": "commbank.com.au cba.com.au",
        "commbank": "commbank.com.au",
        "westpac": "westpac.com.au westpac.co.nz",
        "mygov": "my.gov.au gov.au",
        "linkt": "linkt.com.au",
        "singpost": "singpost.com",
        "dbs bank": "dbs.com dbs.com.sg",
        "ocbc": "ocbc.com",
        # the Middle East and Africa
        "aramex": "aramex.com",
        "emirates post": "emiratespost.ae",
        "emirates nbd": "emiratesnbd.com",
        "al rajhi": "alrajhibank.com.sa",
        "saudi post": "splonline.com.sa spl.com.sa",
        "israel post": "israelpost.co.il",
        "ptt kargo": "ptt.gov.tr",
        "ziraat": "ziraatbank.com.tr",
        "m-pesa": "safaricom.co.ke",
        "safaricom": "safaricom.co.ke",
        "standard bank": "standardbank.co.za standardbank.com",
        "capitec": "capitecbank.co.za",
        "nedbank": "nedbank.co.za",
        # the Americas
        "canada post": "canadapost.ca canadapost-postescanada.ca postescanada.ca",
        "canadapost": "canadapost.ca canadapost-postescanada.ca postescanada.ca",
        "interac": "interac.ca",
        "canada revenue agency": "canada.ca cra-arc.gc.ca gc.ca",
        "royal bank of canada": "rbc.com rbcroyalbank.com",
        "scotiabank": "scotiabank.com",
        "navy federal": "navyfederal.org",
        "usaa": "usaa.com",
        "e-zpass": "e-zpassny.com ezpassnj.com e-zpassiag.com ezpassmd.com ezpassva.com",
        "sunpass": "sunpass.com",
        "bancolombia": "bancolombia.com",
        "banorte": "banorte.com",
        # services everywhere
        "github": "github.com githubusercontent.com github.io githubassets.com githubstatus.com githubapp.com",
        "tiktok": "tiktok.com tiktokv.com tiktokcdn.com tiktokglobalshop.com",
        "discord": "discord.com discordapp.com discordapp.net discord.gg discord.media discordstatus.com",
        "roblox": "roblox.com",
        "playstation": "playstation.com playstation.net sony.com sonyentertainmentnetwork.com",
        "crypto.com": "crypto.com",
        "trezor": "trezor.io",
        "kucoin": "kucoin.com",
        "bybit": "bybit.com",
        "klarna": "klarna.com",
        "shopify": "shopify.com myshopify.com shopifyemail.com shopifycdn.com shop.app",
        "avast": "avast.com avg.com",
        "kaspersky": "kaspersky.com",
    }.items()
}

_BRAND_RE = re.compile(
    r"\b(" + "|".join(re.escape(b) for b in sorted(BRAND_DOMAINS, key=len, reverse=True)) + r")\b",
    re.I,
)
# Brand names long and distinctive enough to look for inside a domain label.
DOMAIN_BRANDS = tuple(
    b
    for b in BRAND_DOMAINS
    if " " not in b and len(b) >= 5 and b not in ("apple", "steam", "outlook", "google", "halifax")
    # names that are part of many legitimate domains: regional savings banks (sparkasse-<town>.de),
    # national arms of a group (santander.pl, vodafone.ie, slovaktelekom.sk), Yahoo's country domains
    and b not in ("sparkasse", "booking.com", "t-mobile", "telekom", "vodafone", "santander", "unicredit", "yahoo")
    # services whose own mail, files and pages come from many domains named after them (githubassets.com,
    # shopifyemail.com, discordapp.net, rakuten-mobile.co.jp): their look-alikes are left to the other rules
    and b not in ("github", "shopify", "tiktok", "discord", "rakuten", "kakao", "playstation", "kaspersky", "klarna",
                  "roblox", "crypto.com")
)

# Short names count only as a whole hyphen-separated part (``dhl-parcel.com``).
SHORT_BRANDS = frozenset(b for b in BRAND_DOMAINS if " " not in b and len(b) < 5) | {"apple", "chase"}


def brands_named_in(text: str) -> set[str]:
    """Brand keys named as whole words in ``text``."""
    return {m.group(1).lower() for m in _BRAND_RE.finditer(text)}


def domain_belongs_to(domain: str, brand: str) -> bool:
    """True if ``domain`` (registrable or full host) is one of ``brand``'s."""
    domain = domain.lower()
    return any(domain == d or domain.endswith("." + d) for d in BRAND_DOMAINS[brand])


@cache
def all_brand_domains() -> frozenset[str]:
    """Every domain that legitimately sends for some listed brand."""
    return frozenset().union(*BRAND_DOMAINS.values())
