"""The column helpers of building a batch of companies, on the small shapes a
generated extract rarely gives (a daily update's few enterprises)."""

import numpy as np
import pandas as pd
import pytest
from bce_engine.companies import _nace_tuples, _sorted_order


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4])
def test_nace_tuples_of_any_count_of_rows(count):
    """Three distinct triples of three items each stay three tuples (numpy
    would read a list of them as a 3x3 array)."""
    codes = ["62010", "62020", "70220", "62010"][:count]
    activities = pd.DataFrame(
        {
            "version": np.array([2008, 2025, 2008, 2008][:count], dtype=np.int16),
            "code": pd.Categorical(codes, categories=["62010", "62020", "70220"]),
            "classification": np.array([0, 1, 2, 0][:count], dtype=np.int8),
        }
    )
    expected = [
        ("2008", "62010", "MAIN"),
        ("2025", "62020", "SECO"),
        ("2008", "70220", "ANCI"),
        ("2008", "62010", "MAIN"),
    ][:count]
    triples = _nace_tuples(activities)
    assert triples == expected
    assert all(type(triple) is tuple for triple in triples)
    if count == 4:
        assert triples[0] is triples[3], "one tuple per distinct triple"


def test_sorted_order_is_lexsort():
    """The packed sort gives ``np.lexsort``'s order, ties in their order,
    and falls back to it when the keys do not fit in an int64."""
    rng = np.random.default_rng(3)
    keys = [rng.integers(-5, 5, 500), rng.integers(0, 3, 500), rng.integers(0, 1000, 500)]
    assert (_sorted_order(keys) == np.lexsort(keys[::-1])).all()
    wide = [rng.integers(0, 2**40, 500), rng.integers(0, 2**30, 500)]
    assert (_sorted_order(wide) == np.lexsort(wide[::-1])).all()
    assert len(_sorted_order([np.empty(0, dtype=np.int64)])) == 0
