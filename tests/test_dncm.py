"""Do Not Call Me list reader: every Belgian spelling, bad lines, the settings."""

from datetime import date

import pytest
from bce_engine.dncm import (
    DATE_FIRST,
    DncmFormat,
    DncmFormatError,
    belgian_e164,
    date_in_name,
    parse_date,
    read_dncm_list,
)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0470 12 34 56", "+32470123456"),
        ("+32470123456", "+32470123456"),
        ("0032470123456", "+32470123456"),
        ("32470123456", "+32470123456"),
        ("02/555.12.34", "+3225551234"),
        ("+32 (0)2 555 12 34", "+3225551234"),
        ("053-39-00-70", "+3253390070"),
        ("0800 12 345", "+3280012345"),
        ("+33 1 42 68 53 00", "+33142685300"),
    ],
)
def test_every_belgian_spelling_reads_to_e164(raw, e164):
    assert belgian_e164(raw) == e164


@pytest.mark.parametrize("raw", ["", "abc", "0470 12 34", "12", "0470 12 34 56 78 9", "+32 0"])
def test_what_is_not_a_number_is_refused(raw):
    assert belgian_e164(raw) is None


def test_dates_in_both_spellings():
    assert parse_date("2024-03-01") == date(2024, 3, 1)
    assert parse_date("01/03/2024") == date(2024, 3, 1)
    assert parse_date("31/02/2024") is None
    assert parse_date("yesterday") is None


def test_one_number_a_line_with_an_optional_date():
    listed = read_dncm_list(
        "0470 12 34 56;2024-03-01\n+3225551234,01/03/2024\n0032470999999\n",
        DncmFormat(separator=";"),
    )
    # the comma is not this file's separator: that line is refused, named
    assert listed.numbers == {"+32470123456": date(2024, 3, 1), "+32470999999": None}
    assert listed.refused_count == 1
    assert listed.refused[0][0] == 2


def test_bad_lines_are_counted_named_and_never_stop_the_rest():
    text = "\n".join(
        [
            "0470123456;2024-01-01",
            "not a number;2024-01-01",
            "0470123457;2024-13-45",
            "",
            "# a comment",
            "0470123458;2024-01-02",
        ]
    )
    listed = read_dncm_list(text)
    assert sorted(listed.numbers) == ["+32470123456", "+32470123458"]
    assert listed.lines_read == 2
    assert listed.refused_count == 2
    assert [(line, why) for line, _text, why in listed.refused] == [(2, "number"), (3, "date")]
    assert listed.refused[0][1] == "not a number;2024-01-01"


def test_separator_and_column_order_are_settings():
    text = "2024-03-01\t02 555 12 34\n"
    listed = read_dncm_list(text, DncmFormat(separator="\t", column_order=DATE_FIRST))
    assert listed.numbers == {"+3225551234": date(2024, 3, 1)}
    with pytest.raises(DncmFormatError):
        DncmFormat(separator="x")
    with pytest.raises(DncmFormatError):
        DncmFormat(column_order="sideways")


def test_a_number_listed_twice_keeps_its_latest_registration():
    listed = read_dncm_list(
        "0470123456;2024-01-01\n0470 12 34 56;2024-06-01\n+32470123456;2023-01-01"
    )
    assert listed.numbers == {"+32470123456": date(2024, 6, 1)}
    assert listed.duplicates == 2


def test_the_list_date_from_a_header_or_the_file_name():
    assert read_dncm_list("# DNCM list of 14/03/2025\n0470123456\n").list_date == date(2025, 3, 14)
    assert read_dncm_list("date;2025-03-14\n0470123456;2024-01-01\n").list_date == date(2025, 3, 14)
    assert read_dncm_list("0470123456;2024-01-01\n").list_date is None
    assert date_in_name("dncm_2025-03-14.txt") == date(2025, 3, 14)
    assert date_in_name("DNCM-20250314.csv") == date(2025, 3, 14)
    assert date_in_name("liste_14-03-2025.txt") == date(2025, 3, 14)
    assert date_in_name("dncm.txt") is None
