"""``build_company_rows`` (the named tuples the preparation of contacts reads)
against ``build_companies``: the same companies, field by field, and the same
drops, on a generated extract under every configuration and on the real rows
of ``../shared/bce``."""

import dataclasses
from collections import Counter

import bce_synth
import numpy as np
import pytest
from bce_engine import EngineConfig, read_full_extract
from bce_engine.companies import CompanyRow, build_companies, build_company_rows
from bce_engine.model import Company
from bce_engine.reader import HEADERS, TABLES
from conftest import SHARED_BCE
from test_reader import csv_text, write_zip

REAL = SHARED_BCE / "full_0127_partial"
CONFIGS = [
    EngineConfig(),
    EngineConfig(preferred_name_language="nl", max_shared_contacts=1, drop_flagged=True),
    EngineConfig(preferred_name_language="de", keep_municipality=False),
]


def assert_same(state, config, numbers=None):
    numbers = np.sort(state.enterprises["bce"].to_numpy()) if numbers is None else numbers
    drops, row_drops = Counter(), Counter()
    companies = list(build_companies(state, numbers, config, drops))
    rows = list(build_company_rows(state, numbers, config, row_drops))
    assert companies, "some companies built"
    assert all(type(row) is CompanyRow for row in rows)
    assert [tuple(row) for row in rows] == [dataclasses.astuple(c) for c in companies]
    assert [row._asdict() for row in rows] == [dataclasses.asdict(c) for c in companies]
    assert row_drops == drops
    return companies, drops


def test_company_row_has_the_fields_of_company():
    assert CompanyRow._fields == tuple(field.name for field in dataclasses.fields(Company))


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return read_full_extract(
        bce_synth.generate_full(tmp_path_factory.mktemp("rows"), enterprises=3000, seed=22)
    )


@pytest.mark.parametrize("config", CONFIGS)
def test_rows_equal_companies_on_a_generated_extract(generated, config):
    companies, drops = assert_same(generated.state, config)
    assert any(company.emails for company in companies)
    assert any(company.flags for company in companies) or drops["personal_name"]
    # a few numbers, some not in the state, in several batches of one
    numbers = np.sort(generated.state.enterprises["bce"].to_numpy())[::7]
    assert_same(generated.state, config, np.append(numbers, [1, 10**10 - 1]))


def test_rows_equal_companies_on_the_real_rows(tmp_path):
    """The real enterprises, seats and branches of extract 127 (no names,
    contacts nor activities are published in ``../shared/bce``)."""
    files = {name: csv_text(HEADERS[name], []) for name in (f"{table}.csv" for table in TABLES)}
    for name in ("meta.csv", "enterprise.csv", "address.csv", "branch.csv"):
        files[name] = (REAL / name).read_bytes()
    state = read_full_extract(write_zip(tmp_path / "real.zip", files)).state
    assert len(state.enterprises) > 1000
    for config in CONFIGS:
        companies, _drops = assert_same(state, config)
        assert any(company.postal_code for company in companies)
