"""Every prospect list names the source and the date of its data (BCE licence)."""

import pytest
from bce_engine.source import SOURCE_NAME, source_statement
from bce_synth import generate_full
from openpyxl import load_workbook
from prospects import main


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    return generate_full(tmp_path_factory.mktemp("bce"), enterprises=500, seed=11)


def test_about_sheet_names_source_extract_date_and_licence(extract, tmp_path):
    output = tmp_path / "prospects.xlsx"
    assert main([str(extract), "--postal", "1000-9999", "-o", str(output)]) == 0
    about = dict(load_workbook(output)["About"].iter_rows(values_only=True))
    assert about["Source"] == SOURCE_NAME
    assert about["Extract number"]
    assert about["Snapshot date"]
    snapshot = about["Snapshot date"].date()
    assert about["Cite as"] == source_statement(about["Extract number"], snapshot)
    assert str(about["Extract number"]) in about["Cite as"]
    assert snapshot.isoformat() in about["Cite as"]
    assert "natural persons" in about["Licence"]


def test_source_statement_without_an_extract_names_the_source_only():
    assert source_statement(None, None) == SOURCE_NAME
