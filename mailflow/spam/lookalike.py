"""Look-alike names: letters drawn alike, punycode spoofs and typing slips (docs/spam.md).

Shared by the brand rules (``heuristics/phish_rules.py``) and the check for
look-alikes of a customer's own domains (``mailflow/checks/impersonation.py``).
"""

from __future__ import annotations

_HOMOGLYPHS = (("rn", "m"), ("vv", "w"), ("0", "o"), ("1", "l"), ("3", "e"), ("5", "s"))
# Cyrillic and Greek letters drawn like Latin ones, as used in internationalised lookalike hosts.
_CONFUSABLES = str.maketrans(
    "\u0430\u0441\u0435\u0456\u0458\u043e\u0440\u0455\u0445\u0443\u0501\u04bb\u03bf\u03b1\u03bd\u03c1\u0262\u0131",
    "aceijopsxydhoavpgi",
)


def unconfuse(label: str) -> str:
    """``paypa1``, ``rnicrosoft``: digits and letter pairs drawn like other letters, made those letters."""
    for fake, real in _HOMOGLYPHS:
        label = label.replace(fake, real)
    return label


def unicode_label(label: str) -> str:
    """``xn--pypal-4ve`` -> ``paypal``: a punycode label with look-alike letters made Latin."""
    if not label.startswith("xn--"):
        return label
    try:
        return label.encode("ascii").decode("idna").translate(_CONFUSABLES)
    except UnicodeError:
        return label


_ALIKE = frozenset(["il", "li", "ol", "lo", "mn", "nm", "uv", "vu", "ce", "ec", "gq", "qg", "ij", "ji"])


def typo_of(part: str, brand: str) -> bool:
    """True if ``part`` is ``brand`` with one typosquatting slip.

    A swap of neighbours (``drobpox``), a dropped letter (``micosoft``), a
    doubled letter (``amazzon``) or one letter drawn alike (``paypai``,
    ``linkedln``).  An arbitrary different letter is not counted:
    ``finance`` is a word, not a spoof of ``binance``.
    """
    if part == brand or len(brand) < 6 or abs(len(part) - len(brand)) > 1:
        return False
    if len(part) == len(brand):
        diff = [i for i in range(len(part)) if part[i] != brand[i]]
        if len(diff) == 1:
            return part[diff[0]] + brand[diff[0]] in _ALIKE
        first = diff[0]
        return len(diff) == 2 and diff[1] == first + 1 and part[first : first + 2] == brand[first + 1] + brand[first]
    if len(part) < len(brand):
        return any(part == brand[:i] + brand[i + 1 :] for i in range(len(brand)))
    return any(part == brand[:i] + brand[i] + brand[i:] for i in range(len(brand)))
