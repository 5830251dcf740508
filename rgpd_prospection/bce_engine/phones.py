"""Normalise BCE telephone numbers to E.164 with ``phonenumbers``.

The BCE holds numbers as typed by the enterprise (``053/39-00-70``, ``+32 (0)2 …``,
``0032 2 …``); one E.164 form lets duplicates and blacklist entries match. A number that
``phonenumbers`` does not hold valid is dropped: it could not be called anyway. Belgian
mobiles are reported, since a mobile line usually belongs to one person.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from . import reasons

OK = "ok"
_BELGIUM = 32
_LETTER = re.compile(r"[^\W\d_]")
_PREFIX = re.compile(r"^\s*(?:tel|tél|phone)\s*[:.]?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class PhoneVerdict:
    """``e164`` and reason ``OK`` when kept; ``is_mobile`` for Belgian mobiles only."""

    e164: str | None
    reason: str
    is_mobile: bool


_INVALID = PhoneVerdict(None, reasons.INVALID_PHONE, False)


@lru_cache(maxsize=65536)
def normalize_phone(raw: str, region: str = "BE") -> PhoneVerdict:
    """E.164 form of ``raw`` read in ``region``, or an ``INVALID_PHONE`` verdict.

    Letters are refused rather than read as a keypad word (``phonenumbers`` would turn
    ``0800-FLOWERS`` into digits); a ``tel:`` prefix is tolerated.
    """
    text = _PREFIX.sub("", raw or "")
    if not text.strip() or _LETTER.search(text):
        return _INVALID
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return _INVALID
    if not phonenumbers.is_valid_number(number):
        return _INVALID
    is_mobile = (
        number.country_code == _BELGIUM
        and phonenumbers.number_type(number) == PhoneNumberType.MOBILE
    )
    return PhoneVerdict(phonenumbers.format_number(number, PhoneNumberFormat.E164), OK, is_mobile)
