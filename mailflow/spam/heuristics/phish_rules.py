"""Rules for phishing: credential lures, urgency, brand impersonation, lookalikes.

See docs/spam.md.
"""

from __future__ import annotations

import re
from functools import lru_cache

from mailflow.spam.fastre import compile_fast, compile_phrases
from mailflow.spam.heuristics.base import distinct_matches, lure_text, rule
from mailflow.spam.heuristics.brands import (
    DOMAIN_BRANDS,
    SHORT_BRANDS,
    all_brand_domains,
    brands_named_in,
    domain_belongs_to,
)
from mailflow.spam.heuristics.url_rules import is_free_hosting
from mailflow.spam.lookalike import typo_of, unconfuse, unicode_label
from mailflow.spam.urls import MAX_HOST_CHARS
from mailflow.spam.view import HTML_NAMES, MessageView

_ACCOUNT = r"(?:account|identity|e-?mail(?: address)?|mailbox|password|details|information|credentials|login)"
LURE = compile_phrases(
    r"\b(?:verify|confirm|validate|re-?validate|authenticate) your "
    + _ACCOUNT
    # "update your details" is what every shop and conference says; updating the account itself is the lure
    + r"|\bupdate your (?:account|password|credentials|login|mailbox|e-?mail account)\b"
    + r"|\bpassword (?:will |is about to |is set to )?(?:expire|expires|has expired|expiration)"
    r"|\bunusual (?:sign-?in|log-?in|activity)|\bsuspicious (?:activity|sign-?in|log-?in|login attempt)"
    r"|\b(?:your|the) (?:e-?mail )?(?:account|mailbox) (?:has been|will be|is|was) (?:temporarily )?"
    r"(?:suspended|locked|blocked|frozen|disabled|limited|restricted|deactivated|terminated|on hold)"
    r"|\bupdate your (?:payment|billing|card) (?:information|details|method)"
    r"|\b(?:mailbox|storage|e-?mail) (?:is |quota )?(?:full|almost full|exceeded|quota)"
    r"|\b(?:reactivate|re-activate|restore|unlock|secure) your (?:account|mailbox|access)"
    r"|\b(?:click|tap) (?:here|below|the (?:link|button)) to (?:verify|confirm|update|log ?in|sign ?in"
    r"|restore|unlock|validate|keep)"
    r"|\byou have (?:\d+ )?(?:new )?(?:(?:pending|undelivered|held|incoming|unread|blocked|failed) ){1,2}"
    r"(?:messages?|e-?mails?|documents?|fax|voicemail|payments?|shipments?|packages?|deliver(?:y|ies))"
    r"|\bshared (?:a|the|an) (?:document|file|folder|invoice|pdf) with you"
    r"|\b(?:shared|uploaded) (?:the|our|some|a|an) (?:documents?|files?|folders?|invoices?)\b[^.\n]{0,60}"
    r"\b(?:via|through|on|in) (?:microsoft )?(?:onedrive|sharepoint|dropbox|google drive|wetransfer|box)\b"
    r"|\breview and sign|\b(?:view|open|access) (?:the )?(?:secure|shared|encrypted) (?:document|file|message)"
    r"|\b(?:parcel|package|shipment) (?:could not be delivered|delivery (?:failed|attempt failed)|is on hold)"
    r"|\bunpaid (?:customs|shipping|delivery) fee"
    r"|\b(?:scan|use) (?:the|this) qr ?code (?:below |above )?to (?:verify|sign ?in|log ?in|update|access|review"
    r"|re-?authenticate|secure|keep)"
    r"|\b(?:your )?(?:session|password|sign-?in) (?:has )?expired"
    r"|\bconfirm (?:your )?(?:identity|ownership)|\bre-?enter your password"
    r"|\b(?:payment|card|billing information) (?:was |has been )?declined"
    r"|\bwe (?:were unable|could not|couldn't) (?:to )?(?:verify|process|validate) your (?:payment|account|identity)"
    r"|\b(?:sent|shared) you a (?:secure |protected |new )?(?:document|file|message|voicemail|fax)"
    r"|\b(?:document|invoice|agreement) (?:is )?ready (?:for|to) (?:review|signature|sign)"
    r"|\byou have \(?\d+\)? (?:new )?(?:held|pending|blocked|quarantined|undelivered) (?:messages?|e-?mails?)"
    r"|\b(?:messages?|e-?mails?) (?:are |were )?(?:held|on hold|blocked|quarantined) (?:in|by) (?:the )?quarantine"
    r"|\brelease (?:the )?(?:held )?(?:messages?|e-?mails?) (?:to|into) (?:your )?inbox"
    r"|\b(?:new|unheard|missed) (?:voice ?mail|voice message|audio message)s?\b.{0,200}"
    r"\b(?:play|listen|sign in|log ?in)"
    r"|\byou (?:have )?received a (?:new |secure |\d+[- ]page )?(?:fax|voice ?mail|voice message)"
    r"|\b(?:click|tap) (?:here )?to (?:view|open|download|play|listen to) (?:the|this|your) (?:fax|voice ?mail|message)"
    r"|\bdelivery attempt (?:failed|was unsuccessful)|\b(?:failed|unsuccessful|missed) delivery attempt"
    r"|\b(?:schedule|confirm) (?:a |your )?redelivery|\b(?:redelivery|customs|delivery|shipping) (?:fee|charge|duty) "
    r"of [$€£]?\d"
    r"|\b(?:reached|exceeded|is at) (?:\d+(?:\.\d+)?% of )?(?:its|your|the) (?:storage|mailbox|quota) (?:limit|quota)"
    r"|\bupgrade (?:your )?(?:mailbox|storage|e-?mail) (?:quota|storage|capacity)"
    r"|\byour (?:reward )?points (?:will |are about to |are set to )?expire|\bredeem your (?:points|reward)"
    # the kit's own phrases: keep the password you have, sign in to see what was sent, prove the mailbox is yours
    r"|\bkeep (?:your |the )?(?:current|same|existing|old) password"
    r"|\b(?:sign|log) ?in to (?:view|access|read|download|review|open) (?:the |your |this )?"
    r"(?:document|file|message|invoice|fax|voice ?mail|attachment|statement)"
    r"|\bconfirm (?:that )?you (?:still )?(?:own|use) this (?:e-?mail|account|mailbox|address)"
    r"|\b(?:mailbox|e-?mail|account) (?:verification|validation|re-?validation|upgrade|migration) "
    r"(?:is )?(?:required|needed|pending|notice)"
    r"|\b(?:messages?|e-?mails?) (?:could not be|were not|weren't|have not been) delivered to your (?:inbox|mailbox)"
    r"|\b(?:your )?(?:e-?mail|mailbox|account) will be (?:deactivated|deleted|closed|disconnected|shut down)"
    r"|\bunpaid tolls?\b|\b(?:toll|traffic|parking|speeding) (?:violation|fine|ticket)s? "
    r"(?:notice|unpaid|outstanding|overdue|due)"
    r"|\b(?:eligible|qualified) (?:to receive |for )?a (?:tax )?refund|\btax refund (?:of|notification|request)",
)
# The same lures in the languages of the most phished banks, carriers, mail services and tax offices.
LURE_INTL = compile_phrases(
    # German
    r"\b(?:bestätigen|verifizieren|aktualisieren|überprüfen) sie (?:bitte )?(?:ihr|ihre|ihren) "
    r"(?:konto|identität|daten|zugangsdaten|e-mail|kundendaten|zahlungs\w*|passwort|kennwort)"
    r"|\b(?:ihr|ihre) (?:konto|zugang|karte|online-banking(?:-zugang)?|postfach) (?:wurde|wird|ist) "
    r"(?:vorübergehend |vorläufig )?(?:gesperrt|eingeschränkt|deaktiviert|blockiert)"
    r"|\b(?:wird|werden|wurde|wurden) (?:ihr|ihre) [\w-]{0,30}(?:konto|zugang|karte|karten)\b[^.]{0,60}"
    r"\b(?:gesperrt|eingeschränkt|deaktiviert|blockiert)"
    r"|\bungewöhnliche (?:anmelde\w*|aktivität)|\b(?:ihr )?(?:passwort|kennwort) läuft (?:heute )?ab"
    r"|\bpostfach (?:ist )?(?:voll|überschritten)|\bzollgebühr|\bsendung konnte nicht zugestellt"
    # French
    r"|\b(?:vérifier|vérifiez|confirmer|confirmez|mettre à jour|mettez à jour) (?:votre|vos) "
    r"(?:compte|identité|informations|coordonnées|données|mot de passe)"
    r"|\bvotre (?:compte|accès|carte|boîte \w+) (?:a été|sera|est) (?:temporairement )?"
    r"(?:suspendu|suspendue|bloqué|bloquée|désactivé|désactivée|restreint|restreinte|limité|limitée)"
    r"|\bactivité (?:inhabituelle|suspecte)|\bvotre mot de passe (?:expire|a expiré)"
    r"|\bfrais de (?:douane|livraison|réexpédition) (?:impayés|à régler)|\bvotre colis (?:est )?en attente"
    r"|\bavis de remboursement"
    # Spanish
    r"|\b(?:verifique|verificar|confirme|confirmar|actualice|actualizar) (?:su|sus) "
    r"(?:cuenta|identidad|datos|información|contraseña)"
    r"|\bsu (?:cuenta|acceso|tarjeta) (?:ha sido|será|está|quedará|quedarán) (?:temporalmente )?"
    r"(?:suspendida|bloqueada|bloqueado|desactivada|restringida|limitada|suspendidas)"
    r"|\bhemos bloqueado (?:temporalmente )?(?:el acceso|su cuenta)|\bactividad (?:inusual|sospechosa)"
    r"|\bsu contraseña (?:caduca|expira|ha caducado)|\bsu paquete (?:está )?retenido"
    # Portuguese
    r"|\b(?:verifique|confirme|atualize) (?:a )?(?:sua|seus|suas) (?:conta|identidade|dados|senha)"
    r"|\bsua conta (?:foi|será|está) (?:temporariamente )?(?:suspensa|bloqueada|desativada|restrita|limitada)"
    r"|\batividade (?:de entrada |de login )?(?:incomum|suspeita)|\bsua senha (?:expira|expirou)"
    r"|\bbloqueio da conta|\b(?:evite|para evitar) o bloqueio"
    r"|\b(?:atualize|regularize|confirme) (?:o |seu |o seu )?(?:cadastro|cpf|dados cadastrais)"
    r"|\bseu cpf (?:está|foi) (?:bloqueado|irregular|suspenso|cancelado)|\bseus pontos (?:vão |irão )?expir"
    r"|\bresgat(?:e|ar) (?:seus|os) pontos"
    # Dutch
    r"|\b(?:verifieer|bevestig|controleer|update) (?:uw|je) (?:account|identiteit|gegevens|wachtwoord)"
    r"|\b(?:uw|je) (?:account|rekening|pas|betaalpas) (?:is|wordt|zal worden) (?:tijdelijk )?"
    r"(?:geblokkeerd|opgeschort|beperkt|gedeactiveerd)"
    r"|\bongebruikelijke (?:activiteit|aanmelding|inlogpoging)|\b(?:uw|je) (?:betaalpas|pas|wachtwoord) verloopt"
    r"|\bgegevens (?:binnen \d+ uur )?(?:te )?controleren"
    # Italian
    r"|\b(?:verifica|conferma|aggiorna) (?:il tuo|la tua|i tuoi|le tue) "
    r"(?:account|conto|identità|dati|password|credenziali)"
    r"|\bil tuo (?:account|conto) (?:è stato|sarà|è) (?:temporaneamente )?(?:sospeso|bloccato|limitato|disattivato)"
    r"|\battività (?:insolita|sospetta)|\bla tua password (?:scade|è scaduta)"
    # Polish
    r"|\b(?:zweryfikuj|potwierdź|zaktualizuj) (?:swoje|swoją|swój|swoich) (?:konto|tożsamość|dane|hasło)"
    r"|\b(?:twoje|pana|pani) konto (?:zostało|zostanie) (?:tymczasowo )?(?:zablokowane|zawieszone|ograniczone)"
    r"|\bnietypow\w+ (?:aktywność|logowanie)|\bdopłat\w* do (?:przesyłki|paczki)"
    # Turkish
    r"|\bhesabınız (?:geçici olarak )?(?:askıya alın|kilitlen|engellen|kısıtlan)\w*"  # noqa: RUF001
    r"|\b(?:kimliğinizi|hesabınızı|bilgilerinizi) (?:doğrulayın|onaylayın|güncelleyin)"  # noqa: RUF001
    r"|\bşüpheli (?:giriş|işlem|etkinlik)"
    # Japanese (no spaces between words, so the phrases are short runs of the lure's own words)
    r"|アカウント(?:が|は)?(?:一時的に)?(?:停止|凍結|ロック|利用制限|制限)"
    r"|(?:ご本人様?|本人)確認(?:を|の)?(?:お願い|行って|完了|手続き)"
    r"|お支払い(?:方法|情報)(?:を|の)?(?:更新|確認)"
    r"|不正(?:な)?(?:ログイン|アクセス|利用)(?:を|が)(?:検知|確認)"
    r"|(?:パスワード|暗証番号)(?:の)?(?:有効期限|再設定|更新)(?:が|を|は)?"
    r"|(?:お)?支払(?:い)?(?:方法|情報)(?:を|の)(?:更新|確認)|(?:お)?荷物(?:を|が)(?:お届けできません|配達できません)"
    r"|メールボックス(?:の)?容量(?:が|を)?(?:超過|上限|不足)"
    # Czech and Slovak (RE2's \b knows only ASCII letters, so no boundary before a word that may start with another)
    r"|\b(?:ověřte|potvrďte|aktualizujte|overte) (?:svůj|svou|své|váš|vaši|vaše|svoj|vašu) "
    r"(?:účet|identitu|údaje|heslo|schránku|totožnosť)"
    r"|(?:váš|vaše|vaša) (?:účet|schránka|e-mailová schránka|karta|přístup|prístup) (?:byl|byla|bylo|bude|je|bol|bola) "
    r"(?:dočasně |dočasne )?(?:zablokov|pozastav|omezen|obmedzen|deaktiv|zrušen|zrušena)"
    r"|neobvykl[^ ]* (?:aktivit|přihlášení)|podezřel[^ ]* (?:aktivit|přihlášení)"
    r"|(?:schránka|úložiště) (?:je )?(?:plná|plné|téměř plná|zaplněn)|heslo (?:vám )?(?:brzy )?(?:vyprší|vypršelo)"
    r"|zásilk[^ ]* (?:nemohla být doručena|čeká na (?:zaplacení|doplatek|clo))"
    # Russian and Ukrainian
    r"|(?:подтвердите|обновите|верифицируйте|подтвердіть|оновіть) (?:[^ ]+ )?(?:учетн|учётн|аккаунт|обліков|акаунт"
    r"|личност|особ|данн|дані|пароль|почт|ящик)"  # noqa: RUF001
    r"|(?:ваш|ваша|ваше) (?:аккаунт|акаунт|учетная запись|учётная запись|обліковий запис|карта|картка|почтовый ящик"
    r"|поштова скринька|доступ) (?:был |была |было |будет |було |буде )?(?:временно |тимчасово )?"
    r"(?:заблокирован|приостановлен|ограничен|отключен|деактивирован|удален|заблоковано|заблокован|призупинено"
    r"|обмежено)"
    r"|(?:подозрительн|необычн|підозріл)[^ ]* (?:активност|вход|действи|вхід)"
    r"|(?:почтовый ящик|ящик) (?:переполнен|заполнен)|срок действия (?:вашего )?пароля (?:истекает|истёк|истек)"
    r"|посылк[^ ]* (?:не может быть доставлен|ожидает оплат|задержан)|таможенн[^ ]* (?:пошлин|сбор)"  # noqa: RUF001
    # Korean
    r"|(?:계정|아이디|카드|계좌)(?:이|가|은|는)? ?(?:일시적으로 )?(?:정지|잠금|잠겼|차단되|제한되|비활성화)"
    r"|(?:본인|신원) ?(?:확인|인증)(?:을|이)? ?(?:해 ?주|필요|바랍|하시)"
    r"|비정상적인 (?:로그인|접근|활동)|해외 (?:지역 )?로그인|로그인 시도(?:가)? ?(?:차단|감지)"
    r"|비밀번호(?:가)? ?만료|메일함(?:이)? ?(?:가득|용량 초과)"
    r"|(?:택배|배송|소포)[^.]{0,20}(?:주소(?:가)? ?(?:불명확|불일치|오류)|보류|반송)"
    # Chinese, simplified and traditional
    r"|(?:账户|帐户|账号|帐号|帳戶|帳號|邮箱|郵箱|信箱)(?:已|将|將|即将|即將)?(?:被)?(?:暂时|暫時)?"
    r"(?:冻结|凍結|停用|锁定|鎖定|封停|限制|注销|註銷|禁用)"
    r"|(?:验证|驗證|核实|核實|确认|確認|更新)(?:您的|你的)(?:身份|账户|帳戶|账号|帳號|信息|資料|资料|邮箱|郵箱)"
    r"|(?:异常|異常|可疑)(?:登录|登錄|登入|活动|活動|访问|訪問)"
    r"|(?:密码|密碼)(?:即将|即將|已经|已經|已)(?:过期|過期|到期|失效)"
    r"|(?:邮箱|郵箱|信箱)(?:空间|空間|容量)(?:已满|已滿|不足|超出)"
    r"|(?:包裹|快递|快遞)(?:无法|無法)(?:投递|投遞|派送|送达|送達)|(?:关税|關稅|清关|清關)(?:费|費)"
    r"|(?:工资|工資|薪资|薪資|个税|個稅|个人所得税)(?:补贴|補貼|退税|退稅)"
    # Arabic
    r"|(?:تم|سيتم) (?:تعليق|إيقاف|ايقاف|تجميد|قفل|حظر|تقييد) (?:حسابك|بطاقتك|حسابكم)"
    r"|(?:حسابك|بطاقتك) (?:معلق|موقوف|مجمد|مقفل|محظور)"
    r"|(?:تأكيد|تحديث|التحقق من) (?:حسابك|بياناتك|هويتك|معلوماتك|عنوانك)"
    r"|(?:شحنتك|طردك) (?:معلقة|معلق|متوقفة|محتجزة|لم يتم تسليمها)|رسوم (?:الشحن|التوصيل|الجمارك|جمركية)"
    r"|نشاط (?:غير عادي|مشبوه)|كلمة (?:المرور|السر) (?:ستنتهي|انتهت)"
    # Hebrew
    r"|(?:החשבון|הכרטיס) (?:שלך|שלכם) (?:נחסם|הושעה|יושעה|ייחסם|הוגבל|מוגבל)"
    r"|(?:אמת|אמתו|עדכן|עדכנו|אשר|אשרו) (?:את )?(?:החשבון|הפרטים|זהותך|פרטי)"
    r"|(?:החבילה|המשלוח) (?:שלך|שלכם) (?:ממתינ|מעוכב|לא נמסר|בהמתנה)|(?:דמי|תשלום) (?:מכס|משלוח)"
    r"|פעילות (?:חריגה|חשודה)|הסיסמה (?:שלך )?(?:תפוג|פגה)|תיבת הדואר (?:שלך )?(?:מלאה|כמעט מלאה)"
    # Swedish, Danish and Norwegian
    r"|\b(?:verifiera|bekräfta|uppdatera|bekræft|opdater|bekreft|oppdater) (?:ditt|din|dina|dine) "
    r"(?:konto|identitet|uppgifter|oplysninger|opplysninger|lösenord|adgangskode|passord)"
    r"|\b(?:din|ditt) (?:konto|kort) (?:har|kommer att|er|vil blive|har blitt|vil bli) (?:tillfälligt |midlertidig )?"
    r"(?:spärr|blocker|stängts|begräns|spærret|blokeret|sperret|suspendert|lukket)"
    r"|\b(?:ovanlig|misstänkt|usædvanlig|mistænkelig|uvanlig|mistenkelig) (?:aktivitet|inloggning|login|pålogging)"
    r"|\bditt paket (?:väntar|kunde inte levereras)|\bdin pakke (?:venter|kunne ikke leveres)|\btullavgift"
    # Hungarian and Romanian
    r"|\b(?:erősítse meg|ellenőrizze|frissítse) (?:a )?(?:fiókját|adatait|személyazonosságát|jelszavát)"
    r"|\b(?:fiókját|fiókja|kártyáját|kártyája) (?:ideiglenesen )?(?:felfüggeszt|letilt|zárol|korlátoz)"
    r"|\bszokatlan (?:tevékenység|bejelentkezés)|\bcsomagja (?:várakozik|nem kézbesíthető)|\bvámkezelési díj"
    r"|\b(?:verificați|confirmați|actualizați) (?:contul|datele|identitatea)"
    r"|\bcontul (?:dumneavoastră|dvs\.?|tău) (?:a fost|va fi) (?:temporar )?"
    r"(?:suspendat|blocat|restricționat|dezactivat)"
    r"|\bactivitate (?:neobișnuită|suspectă)|\bcoletul (?:dumneavoastră|dvs\.?|tău) (?:este )?(?:în așteptare|reținut"
    r"|nu a putut fi livrat)"
    # Greek
    r"|(?:επιβεβαιώστε|επαληθεύστε|ενημερώστε) (?:τον λογαριασμό|τα στοιχεία|την ταυτότητα)"
    r"|ο λογαριασμός σας (?:έχει |θα )?(?:ανασταλεί|κλειδωθεί|αποκλειστεί|περιοριστεί|απενεργοποιηθεί)"  # noqa: RUF001
    r"|(?:ασυνήθιστη|ύποπτη) δραστηριότητα|το δέμα σας (?:βρίσκεται σε αναμονή|δεν (?:μπόρεσε να )?παραδόθηκε)"  # noqa: RUF001
    # Vietnamese and Indonesian
    r"|\b(?:xác minh|xác nhận|cập nhật) (?:tài khoản|thông tin|danh tính)"
    r"|tài khoản (?:của )?(?:bạn|quý khách) (?:đã bị|sẽ bị|bị) (?:tạm )?(?:khóa|khoá|đình chỉ|hạn chế|vô hiệu)"
    r"|hoạt động (?:bất thường|đáng ngờ)|đăng nhập bất thường|bưu (?:kiện|phẩm) (?:của bạn )?(?:đang chờ|bị giữ"
    r"|không thể giao)"
    r"|\b(?:verifikasi|konfirmasi|perbarui) (?:akun|identitas|data) (?:anda|kamu)"
    r"|\bakun (?:anda|kamu) (?:telah |akan )?(?:ditangguhkan|diblokir|dibatasi|dinonaktifkan|dikunci)"
    r"|\baktivitas (?:yang )?(?:tidak biasa|mencurigakan)|\bpaket (?:anda|kamu) (?:tertahan|tidak dapat dikirim)",
)
URGENT = compile_phrases(
    r"\bwithin (?:24|48|72|twenty-four|forty-eight) ?(?:hours|hrs)|\bfailure to (?:verify|confirm|update|comply)"
    r"|\bfailure to complete (?:this|the|your) (?:request|verification|form|update)"
    r"|\bimmediate(?:ly)? action|\baction required|\bfinal (?:notice|warning|reminder)"
    r"|\bpermanently (?:deleted|closed|suspended|disabled)|\bavoid (?:suspension|termination|deactivation)",
)
MONEY_FRAUD = compile_phrases(
    r"\bnext of kin|\bbeneficiary|\b(?:million|billion) (?:united states |us |u\.s\. )?(?:dollars|usd|euros)"
    r"|\bconsignment box|\bdiplomat|\bgift cards?\b.{0,60}\b(?:buy|purchase|scratch|codes?)"
    r"|\b(?:bitcoin|btc|crypto) (?:wallet|address)\b.{0,200}\b(?:send|pay|transfer)"
    r"|\bi (?:have )?(?:hacked|recorded|installed a (?:trojan|malware))",
)
# A wallet to pay into: Bitcoin (bech32 or base58), Ethereum, Litecoin, Monero.
CRYPTO_WALLET = compile_fast(
    r"\b(?:bc1[02-9ac-hj-np-z]{25,87}|[13][1-9A-HJ-NP-Za-km-z]{25,34}|0x[0-9a-fA-F]{40}"
    r"|ltc1[02-9ac-hj-np-z]{25,87}|4[0-9AB][1-9A-HJ-NP-Za-km-z]{93})\b"
)
EXTORTION = compile_phrases(
    r"\b(?:recorded|filmed|captured) (?:you|a video|videos|your screen)|\b(?:webcam|your camera)\b"
    r"|\b(?:trojan|spyware|malware|rat software|keylogger)\b|\bi (?:have )?(?:hacked|gained access|got access)"
    r"|\baccess to (?:your|all your) (?:devices?|computer|phone|accounts?|contacts|e-?mail)"
    r"|\b(?:send|share|forward) (?:the|this|these|it|them)? ?(?:videos?|recordings?|photos?) to (?:all )?your"
    r"|\b(?:contact|go to|inform|tell) (?:the )?police|\bintimate|\badult (?:web)?sites?"
    r"|\b(?:delete|destroy|erase|remove) (?:the|this|all|your)? ?(?:videos?|recordings?|evidence|data|files)"
    r"|\bwithin (?:24|48|72) hours\b.{0,80}\b(?:payment|pay|bitcoin|btc)"
    # German, French, Spanish, Italian, Portuguese, Dutch and Polish
    r"|\b(?:ich habe|habe ich) (?:ihr|dein|ihre|deine) [\w-]{0,20}(?:gerät|geräte|computer|konto|handy) gehackt"
    r"|\b(?:video|aufnahme)\w* (?:an|mit) (?:all(?:e|en) )?(?:ihre|deine) kontakte|\bschadsoftware|\btrojaner"
    r"|\bj'ai (?:piraté|hacké|infecté|enregistré)|(?:\bavec|à) (?:tous )?vos contacts|\bcheval de troie"
    r"|\bhe (?:hackeado|pirateado|grabado|infectado)|\b(?:a|con) (?:todos )?tus contactos|\btroyano"
    r"|\bho (?:hackerato|registrato|infettato)|\b(?:a|con) (?:tutti )?i tuoi contatti"
    r"|\b(?:hackeei|gravei|invadi)|\b(?:para|com) (?:todos )?os seus contatos"
    r"|\bik heb (?:je|uw) [\w-]{0,20}(?:apparaat|computer|account) gehackt|\bnaar (?:al )?(?:je|uw) contacten"
    r"|\bzhakowałem|\bnagrałem|\bdo wszystkich (?:twoich )?kontaktów",
)
_LABEL = re.compile(r"[a-z0-9-]+")
_NAME_WORD = re.compile(r"[a-z]{2,}")
_GENERIC_SENDER_WORDS = frozenset(
    [
        "support",
        "team",
        "security",
        "service",
        "services",
        "account",
        "accounts",
        "billing",
        "notification",
        "notifications",
        "alert",
        "alerts",
        "admin",
        "administrator",
        "online",
        "id",
        "customer",
        "care",
        "help",
        "no",
        "reply",
        "noreply",
        "the",
        "inc",
        "ltd",
        "llc",
        "com",
        "express",
        "mail",
        "center",
        "centre",
        "official",
        "payments",
        "payment",
        "verification",
        "update",
        "updates",
        "desk",
        "helpdesk",
        "it",
        "info",
    ]
)


@rule("CREDENTIAL_LURE", "Text asks the reader to verify, unlock or update an account or password", 1.2)
def credential_lure(view: MessageView) -> bool:
    found = view.memo.get("credential_lure")
    if found is None:
        text = lure_text(view)
        found = view.memo["credential_lure"] = bool(LURE.search(text) or LURE_INTL.search(text))
    return found  # type: ignore[return-value]


@rule("CREDENTIAL_LURE_LINK", "Credential-lure wording together with a link to follow", 2.0)
def credential_lure_link(view: MessageView) -> bool:
    return bool(view.linked_urls) and credential_lure(view)


@rule(
    "CREDENTIAL_LURE_FREE_HOSTING",
    "Credential-lure wording with a link to free hosting, a form builder or IPFS: no real service signs in there",
    2.0,
)
def credential_lure_free_hosting(view: MessageView) -> bool:
    return credential_lure(view) and any(is_free_hosting(u) for u in view.linked_urls)


@rule("URGENCY_PHRASES", "Pressure to act now (within 24 hours, final notice, action required)", 0.8)
def urgency_phrases(view: MessageView) -> bool:
    return bool(URGENT.search(lure_text(view)))


@rule("MONEY_FRAUD_PHRASES", "Advance-fee, gift-card or extortion wording", 1.5)
def money_fraud_phrases(view: MessageView) -> bool:
    return bool(MONEY_FRAUD.search(lure_text(view)))


def _is_wallet(candidate: str) -> bool:
    """Letters and digits both, as in every real address; a long plain number is not one."""
    return any(c.isdigit() for c in candidate[1:]) and any(c.isalpha() for c in candidate[2:])


def _wallet(view: MessageView) -> bool:
    found = view.memo.get("crypto_wallet")
    if found is None:
        text = view.body_text[:20000]
        found = view.memo["crypto_wallet"] = any(_is_wallet(m.group(0)) for m in CRYPTO_WALLET.finditer(text))
    return found  # type: ignore[return-value]


@rule("CRYPTO_EXTORTION", "Threats (recordings, hacked devices, police) with a crypto wallet to pay into", 7.0)
def crypto_extortion(view: MessageView) -> bool:
    return _wallet(view) and distinct_matches(EXTORTION, lure_text(view)) >= 2


@rule("CRYPTO_WALLET_DEMAND", "A crypto wallet address with wording that asks for payment into it", 1.5)
def crypto_wallet_demand(view: MessageView) -> bool:
    return _wallet(view) and bool(_PAY_INTO.search(lure_text(view)))


_PAY_INTO = compile_phrases(
    r"\b(?:send|pay|transfer|deposit)\b.{0,80}\b(?:bitcoin|btc|ethereum|eth|usdt|crypto|wallet|address)\b"
    r"|\b(?:bitcoin|btc|wallet) address\b",
)


@rule(
    "BRAND_IMPERSONATION",
    "From display name names a brand the sending domain does not belong to",
    3.0,
    reads_headers=True,
)
def brand_impersonation(view: MessageView) -> bool:
    name = view.from_name
    if not name or not view.from_domain:
        return False
    _, via, after = name.lower().partition(" via ")
    if via:  # "Alice via SharePoint" is the service's mail; "Alice via python-dev" is a list's
        brands = brands_named_in(after)
        return bool(brands) and not any(domain_belongs_to(view.from_domain, b) for b in brands)
    brands = brands_named_in(name)
    if not brands or any(domain_belongs_to(view.from_domain, b) for b in brands):
        return False
    rest = name.lower()
    for brand in brands:
        rest = rest.replace(brand, " ")
    # "Lockergnome Apple Core" is a newsletter about a brand, not the brand itself.
    return len([w for w in _NAME_WORD.findall(rest) if w not in _GENERIC_SENDER_WORDS]) <= 1


def _spoofs_brand(label: str) -> bool:
    """The label carries a brand name, a digit/``rn`` spoof of one, or a one-letter typo of one."""
    plain = unconfuse(unicode_label(label))
    if any(brand in label or brand in plain for brand in DOMAIN_BRANDS):
        return True
    parts = plain.split("-")
    if SHORT_BRANDS.intersection(parts) and "-" in label:
        return True
    return any(typo_of(part, brand) for part in parts if len(part) >= 6 for brand in DOMAIN_BRANDS)


@lru_cache(maxsize=4096)
def _lookalike(host: str) -> bool:
    """True if ``host`` carries a brand name (or a spoof of one) it does not own."""
    if len(host) > MAX_HOST_CHARS:  # no such name in DNS; and each suffix below costs its length
        return False
    labels = host.lower().split(".")
    known = all_brand_domains()
    if any(".".join(labels[i:]) in known for i in range(len(labels))):
        return False
    return any(_spoofs_brand(label) for label in labels[:-1])


@rule("BRAND_LOOKALIKE_DOMAIN", "A link or the sender uses a domain dressed up with a brand name", 2.5)
def brand_lookalike_domain(view: MessageView) -> bool:
    hosts = {u.host for u in view.linked_urls}
    if view.from_domain:
        hosts.add(view.from_domain)
    return any(_lookalike(h) for h in hosts)


@rule(
    "BRAND_LURE_FOREIGN_LINK",
    "Credential-lure wording in the name of a brand, with no link to any of the brand's domains",
    1.5,
)
def brand_lure_foreign_link(view: MessageView) -> bool:
    """Phishing borrows a brand's name but cannot link to the brand's own site (or links nowhere)."""
    if not credential_lure(view):
        return False
    brands = brands_named_in(f"{view.subject}\n{view.from_name}\n{view.body_text[:300]}")
    if not brands:
        return False
    return not any(domain_belongs_to(u.host, b) for u in view.linked_urls for b in brands)


@rule("HTML_ATTACHMENT", "An attachment is an HTML or SVG page (a link or login form in disguise)", 2.0)
def html_attachment(view: MessageView) -> bool:
    for name, ctype in view.attachments:
        lname = name.lower()
        if ctype in ("text/html", "image/svg+xml", "application/xhtml+xml") and name:
            return True
        if lname.endswith(HTML_NAMES):
            return True
    return False


# What a page needs to act on its own once opened: send the reader elsewhere, or decode a hidden payload.
_PAGE_ACTIONS = compile_fast(
    r"(?:window|document|top|self)\.location|location\.(?:href|replace|assign)|window\.open\s*\("
    r"|http-equiv\s*=\s*[\"']?refresh|\batob\s*\(|\bunescape\s*\(|\beval\s*\(|fromCharCode"
    r"|\bfetch\s*\(|XMLHttpRequest|\$\.(?:ajax|post)\s*\(",
    ignore_case=True,
)


@rule(
    "HTML_ATTACHMENT_ACTIVE",
    "An attached HTML page asks for a password, holds a form, or redirects or decodes itself by script",
    3.0,
)
def html_attachment_active(view: MessageView) -> bool:
    """Fake login pages and HTML smuggling: a real document is never an HTML file that runs or submits."""
    for page, doc in zip(view.attached_html, view.attached_docs, strict=False):
        if doc.password_inputs or doc.forms or _PAGE_ACTIONS.search(page[:200_000]):
            return True
    return False


SEED_PHRASE = compile_phrases(
    r"\b(?:enter|verify|validate|sync(?:hroni[sz]e)?|import|confirm|restore|provide|type) (?:your |the )?"
    r"(?:wallet'?s? )?(?:\d{2}[- ]word )?(?:seed|recovery|secret|mnemonic|backup) (?:phrase|words)"
    r"|\bwallet (?:validation|verification|synchroni[sz]ation|re-?activation)"
)


@rule("SEED_PHRASE_LURE", "Asks for a crypto wallet's recovery phrase, which no real service ever does", 3.0)
def seed_phrase_lure(view: MessageView) -> bool:
    return bool(SEED_PHRASE.search(lure_text(view)))


_QR = re.compile(r"\bqr[ -]?code\b", re.I)


def _has_image(view: MessageView) -> bool:
    return any(ctype.startswith("image/") for _, ctype in view.attachments) or any(doc.images for doc in view.html_docs)


@rule("QR_CODE_LURE", "Credential-lure wording that sends the reader to a QR code image instead of a link", 2.5)
def qr_code_lure(view: MessageView) -> bool:
    """A QR code carries the phishing link past link scanners, to a phone outside company protection."""
    # cheapest test first: the case-insensitive search over the text is what costs
    return _has_image(view) and credential_lure(view) and bool(_QR.search(lure_text(view)))


_LINK_FILES = (".url", ".webloc", ".website", ".desktop", ".iso", ".img", ".vhd", ".vhdx", ".one")


@rule("ATTACHMENT_SHORTCUT", "An attachment is only a link or a container for one (.url, .iso, .img, .one)", 3.0)
def attachment_shortcut(view: MessageView) -> bool:
    return any(name.lower().rstrip().endswith(_LINK_FILES) for name, _ in view.attachments)


# Files Windows runs when they are opened: programs, scripts, installers and the launchers that start them.
_PROGRAM_FILES = (
    ".exe", ".scr", ".pif", ".com", ".bat", ".cmd", ".js", ".jse", ".vbs", ".vbe", ".wsf", ".wsh", ".hta", ".ps1",
    ".msi", ".msix", ".appx", ".jar", ".jnlp", ".cpl", ".xll", ".reg", ".scf", ".chm", ".msc", ".lnk",
)
SMALL_ARCHIVE = 5  # a project's sources are many files; a dropper's archive holds one or two


def _is_program(name: str) -> bool:
    return name.lower().rstrip(" .").endswith(_PROGRAM_FILES)


def _small_archive_members(view: MessageView) -> list[tuple[str, bool]]:
    """Members of archives that hold at most ``SMALL_ARCHIVE`` files: (name, encrypted)."""
    sizes: dict[str, int] = {}
    for _, parent, _ in view.members:
        sizes[parent] = sizes.get(parent, 0) + 1
    return [(name, encrypted) for name, parent, encrypted in view.members if sizes[parent] <= SMALL_ARCHIVE]


@rule(
    "ATTACHMENT_PROGRAM",
    "A program, script or launcher is attached, or is what a small archive holds (invoice.zip with invoice.js)",
    3.0,
)
def attachment_program(view: MessageView) -> bool:
    """What a mail reader runs on a double click: the malware lure's payload, never a document."""
    return (any(_is_program(name) for name, _ in view.attachments)
            or any(_is_program(name) for name, _ in _small_archive_members(view)))


@rule("ARCHIVE_PROGRAM_ENCRYPTED", "A password-protected archive hides a program or script from antivirus", 2.5)
def archive_program_encrypted(view: MessageView) -> bool:
    """Nobody protects a lone script with a password except to keep scanners out."""
    return any(encrypted and _is_program(name) for name, encrypted in _small_archive_members(view))


# The instructions that make the reader run what is attached: enable macros, double-click the embedded button.
OPEN_LURE = compile_phrases(
    r"\benable (?:editing|content|macros|the content)\b|\b(?:click|press) (?:on )?[\"'“]?enable (?:editing|content)"
    r"|\bdouble[- ]?click (?:on )?(?:the )?[\"'“]?(?:view|open|show|display|preview|icon|button|image|attachment"
    r"|document|file)"
    r"|\b(?:open|extract|unzip|unpack) (?:it|the (?:file|archive|attachment|document|zip)) (?:with|using) "
    r"(?:the |this )?(?:password|passcode|code)"
    r"|\b(?:document|file|content) (?:is |was )?(?:protected|encrypted|secured)\b.{0,80}\b(?:enable|double[- ]?click"
    r"|allow|open (?:it )?(?:in|with) (?:the )?desktop)"
    r"|\bmakro(?:s)? aktivieren|\bbearbeitung aktivieren|\bactiver (?:la modification|le contenu|les macros)"
    r"|\bhabilitar (?:edición|contenido|macros)",
)


@rule("ATTACHMENT_OPEN_LURE", "Tells the reader to enable macros, double-click inside or unlock the attachment", 2.0)
def attachment_open_lure(view: MessageView) -> bool:
    return bool(view.attachments) and bool(OPEN_LURE.search(lure_text(view)))


_DOUBLE_EXT = re.compile(r"\.(?:pdf|docx?|xlsx?|jpe?g|png|txt)\s*\.(?:html?|svg|exe|scr|js|vbs|bat|cmd|lnk|iso)$", re.I)
# Bidirectional controls turn "invoice\u202efdp.exe" into "invoiceexe.pdf" on screen.
_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@rule(
    "ATTACHMENT_DOUBLE_EXT",
    "An attachment or archived file hides its type behind a second extension or a right-to-left override",
    1.5,
)
def attachment_double_ext(view: MessageView) -> bool:
    names = [name for name, _ in view.attachments] + [name for name, _, _ in view.members]
    return any(_DOUBLE_EXT.search(name) or _BIDI_CONTROLS.search(name) for name in names)
