"""Enterprise numbers: one normalised form from any spelling, or a refusal."""

import pytest
from bce_engine.numbers import (
    enterprise_number_or_none,
    format_enterprise_number,
    normalize_enterprise_number,
)


@pytest.mark.parametrize(
    "spelling", ["0403.170.701", "BE 0403 170 701", "0403170701", "403.170.701", "be0403170701"]
)
def test_every_spelling_gives_the_ten_digits(spelling):
    assert normalize_enterprise_number(spelling) == "0403170701"
    assert enterprise_number_or_none(spelling) == "0403170701"


@pytest.mark.parametrize("value", ["0403.170.702", "12345", "", "info@example.be", None])
def test_an_invalid_number_is_refused_or_given_up(value):
    with pytest.raises(ValueError):
        normalize_enterprise_number(value)
    assert enterprise_number_or_none(value) is None


def test_the_display_form_is_the_bce_one():
    assert format_enterprise_number("0403170701") == "0403.170.701"
