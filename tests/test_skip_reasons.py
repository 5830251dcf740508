"""Each skipped count has one meaning. Companies left out because
they objected, were erased or expired are counted apart."""

from bce_engine import Perimeter
from test_perimeter import BXL, GENT, LIEGE, numbers, result  # noqa: F401 - fixture
from test_reader import digits


def test_erased_expired_and_opposed_counted_apart(result):  # noqa: F811 - fixture
    perimeter = Perimeter(
        postal_codes="1000-9999",
        excluded=[BXL, GENT, LIEGE],
        erased=[BXL],
        expired=[GENT, BXL],  # an erased company counts once, as erased
    )
    assert numbers(result, perimeter) == []
    drops = result.selection_drops
    assert (drops["erased"], drops["expired"], drops["blacklisted"]) == (1, 1, 1)


def test_reasons_only_for_excluded_numbers(result):  # noqa: F811 - fixture
    perimeter = Perimeter(postal_codes="1000-9999", excluded=[GENT], expired=[BXL])
    assert perimeter.expired == frozenset()
    assert numbers(result, perimeter) == [digits(n) for n in (BXL, LIEGE)]
    assert result.selection_drops["blacklisted"] == 1
    assert not result.selection_drops["expired"]
