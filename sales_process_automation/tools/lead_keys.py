# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Keys that tell whether two leads are the same customer.

Plain strings in, plain strings out: no ORM. The lead stores the keys and
the import compares them, so that a duplicate is found by an indexed
equality instead of a comparison per row.
"""

import re
import unicodedata

# legal forms dropped at the end of a company name, compared after the
# name is lower-cased and stripped of punctuation and spaces
LEGAL_SUFFIXES = sorted(
    {
        # Latin
        "ltd",
        "limited",
        "llc",
        "llp",
        "plc",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "oy",
        "ab",
        "pte",
        "pty",
        # Chinese: limited company, limited liability, joint-stock, company
        "有限责任公司",
        "股份有限公司",
        "有限公司",
        "公司",
    },
    key=len,
    reverse=True,
)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_EMAIL = re.compile(r"([^\s<>@,;\"']+@[^\s<>@,;\"']+\.[^\s<>@,;\"']+)")


def email_key(email):
    """The first address in ``email``, lower-cased; '' without one."""
    match = _EMAIL.search(email or "")
    return match.group(1).lower() if match else ""


def phone_key(phone, country_code=""):
    """The number in international digits, without '+' or '00'.

    '+86 138 0013 8000', '0086-138-0013-8000' and, with ``country_code``
    '86', '138 0013 8000' or '0138 0013 8000' all give '8613800138000'.
    A national number without a country code keeps its digits. Fewer than
    six digits is no phone number: ''.
    """
    text = unicodedata.normalize("NFKC", phone or "").strip()
    digits = re.sub(r"\D", "", text)
    if len(digits) < 6:
        return ""
    if text.startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    country_code = re.sub(r"\D", "", str(country_code or ""))
    if not country_code:
        return digits
    if digits.startswith(country_code) and len(digits) > 11:
        # already international, only without its '+'
        return digits
    return country_code + digits.lstrip("0")


def company_key(name):
    """The company name without case, punctuation, spaces or legal form.

    'ACME Ltd.', 'Acme, Limited' and 'acme' give 'acme'; '深圳市腾达有限公司'
    and '深圳市腾达公司' give '深圳市腾达'. A name that is only a legal form
    keeps it, so that it does not match every other one.
    """
    text = unicodedata.normalize("NFKC", name or "").casefold()
    words = [word for word in _NOT_WORD.split(text) if word]
    # drop legal forms written as words ('acme co ltd'), then glued ones
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    key = "".join(words)
    stripped = True
    while stripped:
        stripped = False
        for suffix in LEGAL_SUFFIXES:
            # a glued Latin suffix ('acmegmbh') is not cut: it may be a word
            if key.endswith(suffix) and len(key) > len(suffix) and not suffix.isascii():
                key = key[: -len(suffix)]
                stripped = True
                break
    return key
