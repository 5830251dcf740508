"""The pure helpers the models call: each rule written once, tested here without Odoo."""

import hashlib
from types import SimpleNamespace

import pytest
from bce_engine.codes import (
    clean_nace_code,
    format_nace_code,
    nace_level,
    nace_parent_code,
    nace_section,
)
from bce_engine.perimeter import parse_nace_prefixes, parse_postal_codes
from tools import (
    MANAGER_GROUP,
    file_checksum,
    is_rgpd_manager,
    label_for_lang,
    mask_email,
    mask_phone,
    mask_words,
    nace_codes_text,
    nace_keys,
    nace_token,
)


@pytest.mark.parametrize(
    ("code", "level"),
    [("J", 1), ("62", 2), ("620", 3), ("6201", 4), ("62010", 5), ("6202001", 6)],
)
def test_nace_level_follows_the_spelling(code, level):
    assert nace_level(code) == level


def test_nace_parents_and_sections():
    assert [nace_parent_code(c) for c in ("6202001", "62010", "6201", "620", "62", "J")] == [
        "62020",
        "6201",
        "620",
        "62",
        None,
        None,
    ]
    assert nace_section("62", "2008") == "J"
    assert nace_section("62", "2025") == "K"  # Rev. 2.1 splits section J
    assert nace_section("45", "2025") is None  # division 45 is gone in 2025


def test_one_cleaning_of_typed_nace_codes():
    assert [clean_nace_code(v) for v in ("62.010", " 62 01 ", "j", "62.01.0")] == [
        "62010",
        "6201",
        "J",
        "62010",
    ]
    assert parse_nace_prefixes("62, 63.1;47.62") == ("4762", "62", "631")
    with pytest.raises(ValueError):
        parse_nace_prefixes("J")  # a perimeter takes digits only
    assert format_nace_code("62010") == "62.010"
    assert format_nace_code("62") == "62"
    assert format_nace_code("J") == "J"


def test_postal_codes_are_belgian_four_digit_codes():
    assert parse_postal_codes("1000-1299, 1300;9000") == (
        (1000, 1299),
        (1300, 1300),
        (9000, 9000),
    )
    assert (
        parse_postal_codes("1000 - 1299") == parse_postal_codes(["1000 - 1299"]) == ((1000, 1299),)
    )
    for wrong in ("100", "10000", "0999", "1299-1000", "abcd", "1000-99999"):
        with pytest.raises(ValueError):
            parse_postal_codes(wrong)


def test_nace_text_of_a_partner():
    text = nace_codes_text([("2025", "62100"), ("2008", "62010"), ("2008", "62010")])
    assert text == "2008:62010 2025:62100"
    assert nace_keys(text) == [("2008", "62010"), ("2025", "62100")]
    assert nace_token("2008", "4762") == "2008:4762"
    assert nace_codes_text([]) is False
    assert nace_keys(False) == []


def test_masks_tell_enough_to_recognise_not_to_rebuild():
    assert mask_words("Jan Peeters") == "J*** P***"
    assert mask_email("jan.peeters@acme.be") == "j***.p***@a***.be"
    assert mask_phone("+32470123456") == "+32***56"


def test_file_checksum_is_the_sha256_of_the_content(tmp_path):
    path = tmp_path / "extract.zip"
    data = b"x" * (3 << 20) + b"tail"  # more than one block
    path.write_bytes(data)
    assert file_checksum(path) == hashlib.sha256(data).hexdigest()


def test_label_in_the_user_language_else_any():
    labels = {"fr": "Commerce", "nl": "Handel"}
    assert label_for_lang("nl_BE", labels) == "Handel"
    assert label_for_lang("de_DE", labels) == "Commerce"
    assert label_for_lang("nl_BE", {"fr": "Commerce", "nl": False}) == "Commerce"
    assert label_for_lang(None, {"fr": False, "nl": False}) is False


def test_manager_check_respects_the_superuser():
    def env(su, groups):
        user = SimpleNamespace(has_group=lambda group: group in groups)
        return SimpleNamespace(su=su, user=user)

    assert is_rgpd_manager(env(False, {MANAGER_GROUP}))
    assert is_rgpd_manager(env(True, set()))
    assert not is_rgpd_manager(env(False, {"rgpd_prospection.group_rgpd_user"}))
