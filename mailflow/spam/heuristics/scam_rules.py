"""Rules for non-brand scams: archive password lures, SEO outreach, fake domain renewals, adult spam.

Each needs two independent signs, so one phrase in ordinary mail does not
fire it.  See docs/spam.md.
"""

from __future__ import annotations

from mailflow.spam.fastre import compile_phrases
from mailflow.spam.heuristics.base import distinct_matches, lure_text, rule
from mailflow.spam.view import MessageView

_ARCHIVES = (".zip", ".7z", ".rar", ".gz", ".tgz", ".tar", ".ace", ".arj", ".cab", ".xz", ".bz2", ".r00")
_ARCHIVE_TYPES = ("application/zip", "application/x-zip", "application/x-7z", "application/x-rar",
                  "application/vnd.rar", "application/gzip", "application/x-gzip", "application/x-tar")
ARCHIVE_PASSWORD = compile_phrases(
    r"\b(?:password|passcode|pass ?word|pwd|pass|kennwort|mot de passe|contraseña|senha|wachtwoord)\b"
    r"[^\n]{0,40}?[:=]\s*[\"']?[A-Za-z0-9@#$%&*!._-]{3,24}"
    r"|\b(?:password|passcode|pwd) (?:is|to open (?:it|the (?:file|document|attachment|archive)))\b"
)
SEO_OUTREACH = compile_phrases(
    r"\bfirst page (?:of|on) (?:google|bing|yahoo|search)|\brank(?:s|ing)? (?:on|in) (?:the )?(?:first|top|1st) "
    r"(?:page|position|spot)|\bseo (?:packages?|services?|expert|team|specialist|audit|report)"
    r"|\b(?:guest posts?|backlinks|domain authority|organic traffic)\b"
    r"|\b(?:free|no[- ]obligation) (?:proposal|quote|audit|consultation|website analysis|seo)"
    r"|\bwebsite (?:redesign|development|ranking)\b|\bmobile app development\b"
    r"|\breply (?:with )?[\"'(]?(?:no|stop|remove|unsubscribe)[\"')]?[ .,]"
    r"|\b(?:your|the) (?:website|site) (?:is not|isn't) (?:ranking|showing|visible|mobile[- ]friendly)",
)
DOMAIN_RENEWAL_SCAM = compile_phrases(
    r"\bthis is not (?:a bill|an invoice)|\bsearch engine (?:registration|submission|optimi[sz]ation service)"
    r"|\b(?:domain|seo) (?:service )?(?:registration|listing|submission) (?:for \S+ )?(?:will |is about to )?expire"
    r"|\b(?:optional|courtesy) (?:offer|notice)|\bdomain (?:name )?(?:expiration|expiry) (?:notice|notification)"
    r"|\bfailure to (?:complete|renew)\b.{0,80}\b(?:registration|listing|domain)",
)
# Explicit adult-site advertising (English and German), as words, not parts of words.
ADULT_SPAM = compile_phrases(
    r"\b(?:porn|porno|pornos|xxx|hardcore (?:sex|porn|movies?|videos?|action)|horny|sluts?|dildos?|"
    r"nude (?:teens?|girls?|pics?|pictures|photos|celebrities|videos?)|naked (?:teens?|girls?|women|celebrities)|"
    r"live sex|sex (?:videos?|movies?|shows?|cams?)|adult (?:sites?|movies?|videos?|content|dvds?|entertainment)|"
    r"barely legal|webcam girls|hot (?:teens?|babes|chicks)|erotik|pornodarsteller\w*|sexkontakte?|"
    r"xxx (?:movies?|videos?|pics?))\b"
)


@rule("ARCHIVE_PASSWORD_LURE", "An archive attachment with its password in the text: a way past antivirus", 3.0)
def archive_password_lure(view: MessageView) -> bool:
    archives = any(name.lower().rstrip().endswith(_ARCHIVES) or ctype.startswith(_ARCHIVE_TYPES)
                   for name, ctype in view.attachments)
    return archives and bool(ARCHIVE_PASSWORD.search(lure_text(view)))


@rule("SEO_OUTREACH", "Unsolicited search-ranking or web-services pitch (two or more of its phrases)", 2.0)
def seo_outreach(view: MessageView) -> bool:
    return distinct_matches(SEO_OUTREACH, lure_text(view)) >= 2


@rule("DOMAIN_RENEWAL_SCAM", "A 'domain expiration' notice that is an offer for search-engine listing", 2.5)
def domain_renewal_scam(view: MessageView) -> bool:
    return distinct_matches(DOMAIN_RENEWAL_SCAM, lure_text(view)) >= 2


@rule("ADULT_SPAM", "Adult-site advertising (two or more explicit phrases)", 2.5)
def adult_spam(view: MessageView) -> bool:
    return distinct_matches(ADULT_SPAM, lure_text(view)) >= 2
