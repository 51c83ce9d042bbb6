"""Rules for non-brand scams: payment fraud, callback scams, investment, job, casino and adult spam, and more.

Each needs two independent signs, so one phrase in ordinary mail does not
fire it.  See docs/spam.md.
"""

from __future__ import annotations

from mailflow.spam.fastre import compile_phrases
from mailflow.spam.heuristics.base import distinct_matches, lure_text, phrase_rule, rule
from mailflow.spam.heuristics.brands import all_brand_domains
from mailflow.spam.heuristics.header_rules import FREEMAIL, reply_to_address
from mailflow.spam.heuristics.url_rules import FILE_DROPS, FILE_SHARES
from mailflow.spam.urls import Url, registrable_domain
from mailflow.spam.view import MessageView

_ARCHIVES = (".zip", ".7z", ".rar", ".gz", ".tgz", ".tar", ".ace", ".arj", ".cab", ".xz", ".bz2", ".r00")
_ARCHIVE_TYPES = ("application/zip", "application/x-zip", "application/x-7z", "application/x-rar",
                  "application/vnd.rar", "application/gzip", "application/x-gzip", "application/x-tar")
ARCHIVE_PASSWORD = compile_phrases(
    r"(?:\b(?:password|passcode|pass ?word|pwd|pass|kennwort|passwort|mot de passe|contraseña|senha|wachtwoord"
    r"|hasło|heslo|şifre|parola|lösenord|jelszó|salasana|adgangskode|passord|parolă|geslo|lozinka|mật khẩu"
    r"|kata sandi)\b|пароль|密码|密碼|パスワード|비밀번호|κωδικός|סיסמה|كلمة المرور|كلمة السر)"
    # at most three short words between the word and its colon ("Password for the document: 4451", "Пароль к
    # архиву: 2025"); an advisory's "Password Storage Vulnerability BugTraq ID: 5369" is no password given
    r"(?: [^ :=：]{1,12}){0,3} ?[:=：] ?[\"']?[A-Za-z0-9@#$%&*!._-]{3,24}"  # noqa: RUF001  # noqa: RUF001
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
    r"xxx (?:movies?|videos?|pics?)|no strings attached|private (?:photos|pics|pictures|videos)|"
    r"(?:women|girls|singles|milfs|ladies) (?:near|around|close to) you|18\+ only|hook-?ups?|"
    r"sexy (?:singles|girls|women)|"
    r"casual (?:sex|encounters?|dating)|adult dating)\b"
)
# Business e-mail compromise: an "executive" asking for a discreet favour, gift cards, a wire, or new bank details.
BEC = compile_phrases(
    r"\bare you (?:available|at your desk|in the office|around)\b"
    r"|\b(?:handle|do|complete|take care of|help me with) (?:a|an|this|one) (?:quick |urgent |small |little )?"
    r"(?:task|favou?r|errand|assignment|request) for me"
    r"|\bdiscreet(?:ly)?\b|\bkeep (?:this|it) (?:strictly |completely )?(?:between (?:the two of )?us|confidential"
    r"|to yourself|quiet)|\b(?:confidential|sensitive|private) matter|\b(?:do not|don't) (?:discuss|share|mention) "
    r"(?:this|it) with anyone|\bwire (?:details|instructions)"
    r"|\b(?:i'?m|i am) (?:in|stuck in|heading into|about to enter) (?:a |the )?(?:meeting|conference|board meeting)"
    r"|\bcan'?t (?:take|talk on|answer) (?:any |the )?(?:calls?|phone)"
    r"|\b(?:apple|google play|amazon|itunes|steam|visa|ebay|walmart|target)? ?gift ?cards?\b"
    r"|\bscratch (?:off )?the (?:silver|grey|gray|back)"
    r"|\b(?:picture|photo|photos|pictures) of (?:the|each) (?:card|code)s?"
    r"|\b(?:urgent|same[- ]day|immediate) (?:wire|bank transfer|payment)|\bwire transfer\b"
    r"|\b(?:update|change) (?:my|the|our) (?:direct deposit|payroll|bank (?:details|account|information))"
    r"|\b(?:changed|switched) banks|\bswitched (?:my|to a new) bank|\bnew (?:bank|banking) (?:account|details)"
    r"|\bbank (?:details|account) (?:have|has) changed"
    r"|\bbankverbindung (?:hat sich )?geändert|\b(?:auf )?(?:das|unser) (?:folgende )?neue konto"
    r"|\bnouvelles? coordonnées bancaires|\bchangement de (?:coordonnées bancaires|rib)|\bnouveau rib"
    r"|\bcambio de (?:cuenta|datos) bancari\w+|\bnuevos datos bancarios"
    # the same moves in German, French, Spanish, Italian, Portuguese, Dutch and Polish
    r"|\b(?:sind sie|bist du) (?:gerade )?(?:verfügbar|erreichbar|im büro)|\b(?:êtes-vous|es-tu) disponible"
    r"|\b(?:está|estás) (?:disponible|en la oficina)|\b(?:sei|è) disponibile|\b(?:está|você está) disponível"
    r"|\bbent u (?:beschikbaar|op kantoor)|\bczy (?:jesteś|jest pan|jest pani) (?:dostępn|w biurze)"
    r"|\b(?:geschenkkarten|gutscheinkarten|cartes? cadeaux?|tarjetas? (?:de )?regalo|carte regalo|buoni regalo"
    r"|cartões[- ]presente|cadeaukaarten|karty podarunkowe)\b"
    r"|\b(?:dringende|eilige) überweisung|\bvirement (?:urgent|immédiat)|\btransferencia urgente"
    r"|\bbonifico (?:urgente|immediato)|\btransferência urgente|\bdringende overboeking|\bpilny przelew"
    r"|\b(?:streng |absolut )?vertraulich behandeln|\bstrictement confidentiel|\b(?:estrictamente|totalmente) "
    r"confidencial|\b(?:strettamente |massimo )?riserbo|\bsigilo absoluto|\bstrikt vertrouwelijk"
    r"|\bnuove coordinate bancarie|\bnovos dados bancários|\bnieuwe bankgegevens|\bnowy (?:numer )?rachun",
)
# Callback ("telephone-oriented") scams: a charge or renewal you never made, and a number to call about it.
CALLBACK_CHARGE = compile_phrases(
    r"\b(?:subscription|membership|order|plan|licen[cs]e|service|renewal|purchase)s? (?:has been |was |is )?"
    r"(?:successfully |automatically )?(?:renewed|charged|debited|billed)"
    r"|\bauto-?renew(?:al|ed)?\b|\b(?:your|the|this) (?:recent )?(?:renewal|charge|debit)\b"
    r"|\b(?:has been|was|will be) (?:charged|debited|deducted)"
)
CALLBACK_CALL = compile_phrases(
    r"\bcall\b.{0,40}?\+?\(?\d[\d ().-]{8,}\d|\bcall the (?:number|helpline|toll[- ]free)"
    r"|\btoll[- ]free (?:number|line)|\b(?:billing|support|cancell?ation|refund) (?:helpline|hotline)"
)
INVESTMENT = compile_phrases(
    r"\bguaranteed (?:returns?|profits?|income|payouts?)|\b\d+(?:\.\d+)? ?% (?:daily|per day|a day|every day|per week)"
    r"|\b(?:trading|arbitrage|crypto|forex) (?:bot|robot|platform|algorithm|signals)\b|\bpassive income"
    r"|\bpre-?sale\b|\b\d{2,3}x (?:at|on|gains?|returns?|listing)|\b(?:verification|activation|unlock|release|network) "
    r"(?:deposit|fee)|\bfinancial freedom|\brisk-free (?:investment|returns?|profits?)"
    r"|\b(?:withdraw|withdrawal) (?:your )?(?:funds|profits|balance|pending)",
)
MESSENGER = compile_phrases(
    r"\b(?:contact|message|reach|add|text|write to|chat with) (?:me|us|our \w+|the \w+)? ?(?:on|via|at) "
    r"(?:whatsapp|telegram|signal|wechat|viber|line app)|\bwa\.me/|\bt\.me/"
    r"|\b(?:whatsapp|telegram|wechat|signal)(?: number)?: ?\+?[\d@]"
)
PAY_PER_DAY = compile_phrases(
    r"(?:[$€£]|r\$|usd|eur) ?\d[\d,.]*(?: ?[-" "\u2013" r"] ?(?:[$€£]|r\$)? ?\d[\d,.]*)? ?(?:per|a|/|por|par|pro|al) ?"
    r"(?:day|hour|week|dia|día|jour|tag|giorno)|\bwork (?:from|at) home\b|\bno experience (?:needed|required)"
    r"|\bpart[- ]time (?:job|position|work)\b.{0,80}\b(?:earn|daily|per day)"
)
CASINO = compile_phrases(
    r"\bfree spins\b|\b(?:welcome|deposit|sign-?up|casino) bonus\b|\bonline casino\b|\bjackpots?\b"
    r"|\bgiri gratis|\bbonus di benvenuto|\bgiros gratis|\bfreispiele|\btours gratuits|\bcasinò\b"
    r"|\bslots?\b.{0,40}\b(?:bonus|spins)|\b\d{2,3} ?% (?:bonus|match)"
)


@rule("ARCHIVE_PASSWORD_LURE", "An archive, attached or on a file share, with its password in the text", 3.0)
def archive_password_lure(view: MessageView) -> bool:
    """The usual way malware gets past antivirus, which cannot open the archive or never sees the download."""
    archives = any(name.lower().rstrip().endswith(_ARCHIVES) or ctype.startswith(_ARCHIVE_TYPES)
                   for name, ctype in view.attachments) or any(_fetches_archive(u) for u in view.linked_urls)
    return archives and bool(ARCHIVE_PASSWORD.search(lure_text(view)))


def _fetches_archive(url: Url) -> bool:
    """A link to an archive, or to a file share or drop where one is handed out."""
    hosts = {url.host, url.domain}
    return url.path.lower().endswith(_ARCHIVES) or bool(hosts & FILE_SHARES) or bool(hosts & FILE_DROPS)


seo_outreach = phrase_rule(
    "SEO_OUTREACH",
    "Unsolicited search-ranking or web-services pitch (two or more of its phrases)",
    2.0,
    SEO_OUTREACH,
)


# Cold business-to-business selling: lists of contacts, meetings or links for sale, factories and offshore teams.
B2B_PITCH = compile_phrases(
    r"\b(?:attendees?|visitors?|exhibitors?|members?|decision[- ]makers?|contacts?|e-?mail|mailing|leads?|buyers?) "
    r"(?:list|database|data ?base|lists)\b[^.?!]{0,80}\b(?:pricing|price|cost|counts?|interest(?:ed)?|purchase|acquir)"
    r"|\b(?:verified|opt-in|updated|accurate) (?:b2b )?(?:contacts?|e-?mails?|leads?|data(?:base)?|records)\b"
    r"|\blet me know (?:your interest|if you(?:'re| are| would be) interested)"
    r"|\b(?:would you be|are you) interested in (?:acquiring|purchasing|buying|getting|receiving) (?:the|this|our)"
    r"|\bcounts? and (?:pricing|cost)|\bpricing and counts?"
    r"|\bqualified (?:sales )?(?:meetings|appointments|leads)|\bpay (?:per|only for) (?:meeting|appointment|lead)"
    r"|\b(?:book|fill|grow) your (?:calendar|pipeline|sales pipeline)"
    r"|\bdo-?follow\b|\bsponsored (?:posts?|articles?)\b|\bpublishing fee|\bguest (?:posts?|articles?)\b"
    r"|\b(?:link insertions?|niche edits?|paid links?)\b"
    r"|\b(?:professional|leading|experienced) (?:manufacturer|supplier|factory|exporter)\b|\b(?:oem|odm)\b"
    r"|\bmoq\b|\b(?:fob|cif|exw) (?:price|shenzhen|ningbo|shanghai|guangzhou|xiamen|qingdao|china)"
    r"|\bour factory\b|\bfree samples?\b|\b(?:catalog(?:ue)?|price ?list) (?:and|&) (?:price ?list|quotation)"
    r"|\bglad to (?:hear|know|learn) (?:that )?you(?:'re| are) (?:on|in) the market for"
    r"|\b(?:offshore|dedicated|remote) (?:developers?|development team|programmers)\b"
    r"|\bhire (?:dedicated |our )?(?:developers?|programmers|virtual assistants?)"
    r"|\b(?:just )?(?:following up|bumping this|circling back|checking in) (?:on|to) my (?:previous|last|earlier) "
    r"(?:e-?mail|message|note)"
    r"|\bdid (?:you )?(?:get|have) a chance to (?:read|review|see|look at) my (?:previous|last|earlier)"
    r"|\bif (?:you(?:'re| are)|this is) not (?:interested|relevant),? (?:just |please |simply )?(?:reply|let me know"
    r"|respond)",
)
# The classic bulk-spam trades, as every public spam corpus since 2002 holds them.
PHARMACY = compile_phrases(
    r"\b(?:viagra|cialis|levitra|xanax|valium|tramadol|phentermine|ambien|vicodin|oxycodone|oxycontin|propecia"
    r"|hydrocodone|sildenafil|tadalafil|vardenafil|kamagra|soma|meridia|xenical|adipex|lorazepam|alprazolam"
    r"|diazepam|clonazepam|modafinil|semaglutide|ozempic|wegovy|tirzepatide)\b"
    r"|\bno (?:prescription|rx|doctor'?s? (?:visit|approval)|medical exam)(?: (?:needed|required))?\b"
    r"|\bwithout (?:a |any )?(?:prescription|doctor'?s? visit)\b"
    r"|\b(?:online|canadian|internet|discount|generic|mexican|licensed) (?:pharmacy|pharmacies|drugstore|drug ?store"
    r"|meds|medications?|pills)\b|\b(?:cheap|discount|generic|quality) (?:meds|pills|medications?|drugs)\b"
    r"|\bmale enhancement|\berectile dysfunction|\b(?:penis|penile) (?:enlargement|size|growth)|\bbigger penis"
    r"|\b(?:overnight|discreet|discrete|worldwide) (?:shipping|delivery|packaging)\b|\bper (?:pill|dose|tablet)\b"
    r"|\blose (?:up to )?\d+ ?(?:lbs|pounds|kg|kilos)\b|\bweight loss (?:pills?|miracle|secret|breakthrough)"
)
STOCK_PUMP = compile_phrases(
    r"\b(?:strong buy|hot (?:stock|pick)|stock (?:alert|pick|profile|report)|breakout (?:stock|alert)"
    r"|next (?:big )?(?:winner|mover|runner)|explosive (?:growth|upside|move))\b"
    r"|\b(?:symbol|ticker|trading symbol)\s?[:\-]\s?[a-z]{2,5}\b|\b(?:target|projected|short[- ]term) price\b"
    r"|\b(?:otcbb|otc ?bb|pink ?sheets?|otc markets|otcqb|otc pink)\b|\b(?:current|recent|opening) price\s?:"
    r"|\b\d{2,4} ?% (?:gain|increase|upside|return) (?:in|within)\b|\bget in (?:now|early|before (?:it|the))\b"
    r"|\b(?:watch|add) (?:this|it|them) (?:stock )?(?:closely|on (?:monday|tomorrow|your radar)|to your watch ?list)"
)
REPLICA = compile_phrases(r"\breplicas?\b|\b(?:fake|knock-?off|counterfeit|copy) (?:watches|bags|handbags)\b")
LUXURY = compile_phrases(
    r"\b(?:rolex|omega|cartier|breitling|tag heuer|louis vuitton|gucci|chanel|prada|herm[eè]s|patek philippe"
    r"|audemars|bvlgari|bulgari|dior|hublot|iwc|panerai|oakley|ray-?ban)\b|\b(?:swiss|luxury|designer) "
    r"(?:watches|handbags|bags|brands)\b"
)
DIPLOMA = compile_phrases(
    r"\b(?:university|college|academic) (?:diplomas?|degrees?)\b|\bnon-?accredited\b|\blife experience\b"
    r"|\bno (?:required )?(?:exams?|tests?|classes|books|study|studying|attendance|coursework)\b"
    r"|\b(?:bachelors?|masters?|mba|doctorate|phd)(?:'s)?,? (?:(?:masters?|mba|doctorate|phd)(?:'s)?,? )*"
    r"(?:and |or )?(?:doctorate|phd|mba|degrees?|diplomas?)\b.{0,60}\b(?:available|within|weeks|days|obtain|get)"
    r"|\bprestigious (?:non-?accredited )?universit|\bconfidentiality (?:assured|guaranteed)"
)
LOAN = compile_phrases(
    r"\brefinanc\w*|\bmortgage (?:rates?|approval|quote)|\brates? as low as\b|\blowest (?:rates?|mortgage)"
    r"|\b(?:bad|poor|no) credit(?: (?:ok|history|check|welcome|accepted))?\b|\b(?:pre-?approved|guaranteed approval)\b"
    r"|\bdebt (?:relief|consolidation|free|settlement)\b|\b\d(?:\.\d{1,2})? ?% (?:apr|fixed rate|interest rate)\b"
    r"|\b(?:cash advance|payday loans?|personal loans?|business loans?|loan offer)\b"
    r"|\bno (?:credit check|collateral|upfront fees?)\b|\bprêt (?:entre particuliers|rapide|personnel)\b"
    r"|\btaux (?:d'intérêt )?(?:de )?\d(?:[.,]\d+)? ?%|\bpréstamos? (?:personal|rápido|entre particulares)"
)


pharmacy_spam = phrase_rule(
    "PHARMACY_SPAM",
    "Online-pharmacy, enhancement or diet-pill selling (two or more of its phrases)",
    2.0,
    PHARMACY,
)


stock_pump = phrase_rule(
    "STOCK_PUMP",
    "A penny-stock tip: ticker, target price, OTC market, 'strong buy' (two or more)",
    2.5,
    STOCK_PUMP,
)


@rule("REPLICA_SPAM", "Replica or counterfeit luxury watches and handbags", 2.0)
def replica_spam(view: MessageView) -> bool:
    text = lure_text(view)
    return bool(REPLICA.search(text)) and bool(LUXURY.search(text))


diploma_spam = phrase_rule(
    "DIPLOMA_SPAM",
    "Degrees for sale: no exams, life experience, non-accredited (two or more)",
    2.5,
    DIPLOMA,
)


# Three signs: a bank's own newsletter about its rates says two.
loan_spam = phrase_rule(
    "LOAN_SPAM",
    "Loan, mortgage or debt-relief selling: rates, 'bad credit OK', pre-approved (three or more)",
    1.5,
    LOAN,
    at_least=3,
)


SOFTWARE_OEM = compile_phrases(
    r"\boem (?:software|version|versions|licen[cs]es?)\b|\bcheap (?:software|oem)\b|\bsoftware (?:at|for) "
    r"(?:low|cheap|discount|wholesale) prices?|\b(?:instant|immediate) download\b|\bretail price\b"
    r"|\b(?:adobe|photoshop|acrobat|microsoft office|office \d{4}|windows (?:xp|vista|7|10|11)|autocad|macromedia)"
    r"\b[^.\n]{0,40}[$€£] ?\d{2,3}\b"
)
LOTTERY = compile_phrases(
    r"\bwinning (?:notification|number|ticket|e-?mail (?:address)?)|\b(?:ticket|batch|reference|serial|lucky) "
    r"(?:number|no\.?)\s?[:#]|\bclaims? (?:agent|officer|department|processing agent)"
    r"|\b(?:international|online|e-?mail|internet|promotions?|award) (?:lottery|lotto|draw|sweepstakes?)\b"
    r"|\b(?:lottery|lotto) (?:board|commission|coordinator|award|program(?:me)?|promotion)\b"
    r"|\b(?:complete|take) (?:a|our|this) (?:short|quick|brief) survey\b[^.]{0,80}\b(?:reward|gift|prize|voucher)"
    r"|\bkeep (?:your )?winning (?:information|details) (?:confidential|secret)"
)
MONEY_MAKING = compile_phrases(
    r"\b(?:make|earn) (?:\$|money|cash|extra|up to)[^.\n]{0,30}\b(?:from home|a (?:day|week|month)|per (?:day|week"
    r"|month)|online)\b|\bwork (?:from|at) home\b|\bbe your own boss\b|\bfinancial (?:freedom|independence)\b"
    r"|\b(?:mlm|network marketing|multi-?level marketing)\b|\bresidual income\b|\bno experience (?:needed|required)"
    r"|\b(?:100|one hundred) ?% (?:legal|guaranteed|risk[- ]free)\b|\bthis is not (?:a |an )?(?:scam|mlm|pyramid)"
    r"|\bopportunity of a lifetime\b|\bincome opportunity\b|\bget paid (?:to|for) "
)
# Chinese invoice-selling spam ("代开发票", invoices issued for a fee) and its sales patter.
FAPIAO = compile_phrases(
    r"(?:代开|代開)(?:各类|各類|各种|各種|正规|正規|普通|国税|國稅|地税|地稅|增值税|增值稅)*(?:发票|發票)"
    r"|(?:发票|發票)(?:代开|代開)"
)


software_oem_spam = phrase_rule(
    "SOFTWARE_OEM_SPAM",
    "Cheap 'OEM' software: big-name programs at a fraction of their price (two or more)",
    2.0,
    SOFTWARE_OEM,
)


lottery_scam = phrase_rule(
    "LOTTERY_SCAM",
    "A lottery or survey prize never entered: winning numbers, claims agents (two or more)",
    2.0,
    LOTTERY,
)


money_making_spam = phrase_rule(
    "MONEY_MAKING_SPAM",
    "Work at home, be your own boss, MLM: the money-making pitch (three or more signs)",
    1.5,
    MONEY_MAKING,
    at_least=3,
)


@rule("INVOICE_SELLING", "Chinese invoice-selling spam: VAT invoices issued for a fee (代开发票)", 2.5)
def invoice_selling(view: MessageView) -> bool:
    return bool(FAPIAO.search(lure_text(view)))


# The "registrar in Asia" letter: another company wants your name as a .cn domain or keyword, forward it to your CEO.
DOMAIN_REGISTRAR = compile_phrases(
    r"\binternet keywords?\b|\bnetwork brand\b"
    r"|\b(?:forward|transfer|send|pass) this (?:e-?mail|message|letter|notice) to your (?:ceo|boss|manager|president"
    r"|director|principal)"
    r"|\b(?:applied|apply|registered|register) (?:for )?[\"'“]?[\w-]+[\"'”]? as (?:their |the )?(?:internet keyword"
    r"|domain names?|network brand)"
    r"|\b(?:domain names?|registration) (?:service )?(?:organization|center|centre) in (?:china|asia|hong kong)"
    r"|\b(?:\.cn|\.com\.cn|\.net\.cn|\.hk|\.asia)(?:[ ,/]+(?:\.cn|\.com\.cn|\.net\.cn|\.hk|\.asia|and))+"
    r"|\bconfirm (?:whether|if) (?:this|the) company is your (?:business partner|distributor|partner)",
)


# Two of its moves in one message; a single one is what a real supplier's reply says too.
b2b_cold_pitch = phrase_rule(
    "B2B_COLD_PITCH",
    "Cold business selling: contact lists, meetings or links for sale, factories, offshore teams",
    2.0,
    B2B_PITCH,
)


domain_registrar_scam = phrase_rule(
    "DOMAIN_REGISTRAR_SCAM",
    "Someone 'applied for your name' as a .cn domain or keyword: forward this to your CEO",
    3.0,
    DOMAIN_REGISTRAR,
)


domain_renewal_scam = phrase_rule(
    "DOMAIN_RENEWAL_SCAM",
    "A 'domain expiration' notice that is an offer for search-engine listing",
    2.5,
    DOMAIN_RENEWAL_SCAM,
)


adult_spam = phrase_rule("ADULT_SPAM", "Adult-site advertising (two or more explicit phrases)", 2.5, ADULT_SPAM)


def _bec_moves(view: MessageView) -> int:
    """How many different payment-fraud moves the first 6,000 characters make, counted once per message."""
    moves = view.memo.get("bec_moves")
    if moves is None:
        moves = view.memo["bec_moves"] = distinct_matches(BEC, lure_text(view)[:6000])
    return moves  # type: ignore[return-value]


@rule("BEC_REQUEST", "Payment-fraud wording: a discreet favour, gift cards, a wire or changed bank details", 2.5)
def bec_request(view: MessageView) -> bool:
    """Business e-mail compromise needs no link and no brand: two of its moves in one short text is the sign."""
    return _bec_moves(view) >= 2


@rule("BEC_REQUEST_STRONG", "Four or more payment-fraud moves in one message", 3.5)
def bec_request_strong(view: MessageView) -> bool:
    return _bec_moves(view) >= 4


@rule("BEC_FROM_FREEMAIL", "Payment-fraud wording from, or answered to, a free-mail address", 2.0, reads_headers=True)
def bec_from_freemail(view: MessageView) -> bool:
    if not bec_request(view):
        return False
    return view.from_domain in FREEMAIL or reply_to_address(view).rpartition("@")[2] in FREEMAIL


# What makes the number the way out of a charge rather than a help desk: disowning or cancelling it.
CALLBACK_DISPUTE = compile_phrases(
    r"\b(?:did ?(?:n't|not)|never) (?:authori[sz]e|make|place|request|recogni[sz]e|order|approve)"
    r"|\bnot (?:authori[sz]ed|made|placed|requested) by you|\bunauthori[sz]ed|\bif this (?:was|wasn't) (?:not )?you"
    r"|\b(?:to|wish to|want to|like to) (?:cancel|dispute|stop|reverse)|\bfor (?:a|your) (?:refund|cancell?ation)"
    r"|\b(?:claim|request|get) (?:a |your )?refund"
    r"|\bcancel (?:this|the|your) (?:order|subscription|renewal|charge|payment)"
)


@rule("CALLBACK_SCAM", "A charge or renewal the reader never made, with a phone number to call about it", 2.5)
def callback_scam(view: MessageView) -> bool:
    """The number is offered to disown or cancel the charge, and the mail is not the merchant's own."""
    text = lure_text(view)
    if not (CALLBACK_CHARGE.search(text) and CALLBACK_CALL.search(text) and CALLBACK_DISPUTE.search(text)):
        return False
    sender = registrable_domain(view.from_domain)
    return sender in FREEMAIL or sender not in all_brand_domains()


investment_scam = phrase_rule(
    "INVESTMENT_SCAM",
    "Promises of guaranteed or daily returns, trading bots, presales or fees to withdraw",
    2.0,
    INVESTMENT,
)


@rule("MESSENGER_JOB_OFFER", "Pay by the day or work from home, with contact moved to WhatsApp or Telegram", 2.0)
def messenger_job_offer(view: MessageView) -> bool:
    text = lure_text(view)
    return bool(MESSENGER.search(text)) and bool(PAY_PER_DAY.search(text))


casino_spam = phrase_rule("CASINO_SPAM", "Online casino advertising (two or more of its phrases)", 2.0, CASINO)

