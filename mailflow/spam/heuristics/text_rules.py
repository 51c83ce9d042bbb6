"""Rules on wording: shouting subjects, obfuscated words, invisible characters.

See docs/spam.md.
"""

from __future__ import annotations

import re
import unicodedata

from mailflow.spam.fastre import compile_fast
from mailflow.spam.heuristics.base import rule
from mailflow.spam.obfuscation import spaced_words
from mailflow.spam.view import MessageView

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_LEET_WORDS = compile_fast(
    r"\b(?:v[i1!|][a@4]gr[a@4]|c[i1!|][a@4]l[i1!|]s|p[a@4][s$5]{2}w[o0]rd|micr[o0]s[o0]ft"
    r"|p[a@4]yp[a@4][l1|]|[a@4]cc[o0]unt|v[e3]r[i1!|]fy|b[i1!|]tc[o0][i1!|]n|l[o0]g[i1!|]n)\b",
    ignore_case=True,
)
_WORD = re.compile(r"\w{3,}", re.U)
# The labels laws ask unsolicited advertising to carry at the start of its subject: "ADV:" (several US
# states, later CAN-SPAM practice), Korea's "(광고)" and Japan's "未承諾広告" (unsolicited advertisement).
_AD_LABEL = re.compile(r"^\W{0,3}(?:adv\b\W|\(광고\)|\[광고\]|未承諾広告)", re.I)


@rule("SUBJECT_ALL_CAPS", "Subject is mostly capital letters", 0.8)
def subject_all_caps(view: MessageView) -> bool:
    letters = [c for c in view.subject if c.isalpha()]
    return len(letters) >= 10 and sum(c.isupper() for c in letters) / len(letters) > 0.7


@rule("SUBJECT_EXCLAIM", "Subject has repeated exclamation marks", 0.6)
def subject_exclaim(view: MessageView) -> bool:
    return view.subject.count("!") >= 2


@rule("SUBJECT_MONEY", "Subject names an amount of money or 'free'", 0.4)
def subject_money(view: MessageView) -> bool:
    return bool(re.search(r"[$€£]\s?\d|\bfree\b|\b\d+% off\b", view.subject, re.I))


@rule("SUBJECT_AD_LABEL", "Subject starts with a legal advertising label (ADV:, (광고), 未承諾広告)", 2.0)
def subject_ad_label(view: MessageView) -> bool:
    return bool(_AD_LABEL.match(view.subject))


@rule("ZERO_WIDTH_CHARS", "Text is salted with invisible zero-width characters", 1.5)
def zero_width_chars(view: MessageView) -> bool:
    text = f"{view.subject}{view.text}{''.join(d.text for d in view.html_docs)}"
    return not text.isascii() and len(_ZERO_WIDTH.findall(text)) >= 3


@rule("OBFUSCATED_SPACING", "Words spelled out with separators between letters (V-I-A-G-R-A)", 1.0)
def obfuscated_spacing(view: MessageView) -> bool:
    return any(len(word) >= 6 and len(set(word)) >= 4 for word in spaced_words(view))


@rule("OBFUSCATED_WORDS", "Common spam or phishing words written with look-alike digits and symbols", 1.5)
def obfuscated_words(view: MessageView) -> bool:
    text = f"{view.subject}\n{view.body_text[:20000]}"
    return any(not match.group(0).isalpha() for match in _LEET_WORDS.finditer(text))


def _scripts(word: str) -> set[str]:
    names = set()
    for char in word:
        if char.isalpha():
            names.add(unicodedata.name(char, "UNKNOWN").split(" ", 1)[0])
    return names


@rule("MIXED_SCRIPT_WORDS", "Words mix Latin letters with Cyrillic or Greek look-alikes", 1.5)
def mixed_script_words(view: MessageView) -> bool:
    text = f"{view.subject} {view.from_name} {view.body_text[:10000]}"
    if text.isascii():
        return False  # no word can mix scripts
    mixed = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        scripts = _scripts(word)
        if "LATIN" in scripts and scripts & {"CYRILLIC", "GREEK"}:
            mixed += 1
    return mixed >= 1
