"""Phone normaliser: Belgian spellings found in the BCE, foreign numbers, rejects."""

import pytest
from bce_engine import reasons
from bce_engine.phones import OK, normalize_phone


@pytest.mark.parametrize(
    ("raw", "e164", "is_mobile"),
    [
        ("053/39-00-70", "+3253390070", False),
        ("053 39 00 70", "+3253390070", False),
        ("+32 (0)2 512 45 67", "+3225124567", False),
        ("0032 2 512 45 67", "+3225124567", False),
        ("0032(0)2 512 45 67", "+3225124567", False),
        ("02.512.45.67", "+3225124567", False),
        ("02/512.45.67", "+3225124567", False),
        ("003225124567", "+3225124567", False),
        ("09 222 22 22", "+3292222222", False),
        ("0800 12 345", "+3280012345", False),
        ("tel: 02 512 12 34", "+3225121234", False),
        ("0475/12.34.56", "+32475123456", True),
        ("+32 475 12 34 56", "+32475123456", True),
        ("+32 (0)486 12 34 56", "+32486123456", True),
        ("0032497123456", "+32497123456", True),
        ("+33 1 42 68 53 00", "+33142685300", False),
        ("+31 20 123 4567", "+31201234567", False),
        ("0049 30 12345678", "+493012345678", False),
        ("+352 26 12 34 56", "+35226123456", False),
        ("+33 6 12 34 56 78", "+33612345678", False),
    ],
)
def test_valid_numbers_are_normalised_to_e164(raw, e164, is_mobile):
    verdict = normalize_phone(raw)
    assert verdict.e164 == e164
    assert verdict.reason == OK
    assert verdict.is_mobile is is_mobile


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        None,
        "12",
        "02 12",
        "053/39-00",
        "abc",
        "0800-FLOWERS",
        "02 512 45 67 ext 12",
        "02/512.45.67 - 0475/12.34.56",
        "+32 1 234 56 78 90 12",
        "+999 123 456 789",
        "04/000.00",
    ],
)
def test_invalid_numbers_are_dropped(raw):
    verdict = normalize_phone(raw)
    assert verdict.e164 is None
    assert verdict.reason == reasons.INVALID_PHONE
    assert not verdict.is_mobile


def test_region_reads_national_numbers():
    assert normalize_phone("01 42 68 53 00", region="FR").e164 == "+33142685300"
    assert normalize_phone("01 42 68 53 00").reason == reasons.INVALID_PHONE
    assert normalize_phone("06 12 34 56 78", region="FR").is_mobile is False
