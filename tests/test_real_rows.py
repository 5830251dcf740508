"""Real rows of full extract 127 (read from ``../shared/bce``, never copied): the
partial extract lacks some files, so the test ZIP adds them empty."""

import csv

import pytest
from bce_engine import BceFormatError, Perimeter, read_full_extract, read_meta
from bce_engine.reader import HEADERS
from conftest import SHARED_BCE
from test_reader import csv_text, write_zip

PARTIAL = SHARED_BCE / "full_0127_partial"
REAL_FILES = ("meta.csv", "enterprise.csv", "address.csv", "branch.csv")

pytestmark = pytest.mark.skipif(not PARTIAL.is_dir(), reason="real BCE rows not available")


def real_files(transform=lambda data: data):
    files = {name: transform((PARTIAL / name).read_bytes()) for name in REAL_FILES}
    files["code.csv"] = (SHARED_BCE / "code.csv").read_bytes()
    for name in ("establishment.csv", "denomination.csv", "contact.csv", "activity.csv"):
        files[name] = csv_text(HEADERS[name], [])
    return files


def rows(name):
    with open(PARTIAL / name, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    path = write_zip(tmp_path_factory.mktemp("real") / "full.zip", real_files())
    return path, read_full_extract(path)


def test_meta(real):
    meta = read_meta(real[0])
    assert (meta.extract_type, meta.extract_number, meta.snapshot_date.isoformat()) == (
        "full",
        127,
        "2024-08-30",
    )


def test_every_legal_person_is_kept(real):
    _path, result = real
    legal = {
        row["EnterpriseNumber"] for row in rows("enterprise.csv") if row["TypeOfEnterprise"] == "2"
    }
    kept = {f"{n:010d}" for n in result.state.enterprises["bce"].tolist()}
    assert kept == {number.replace(".", "") for number in legal}
    assert result.drops["natural_person"] == sum(
        row["TypeOfEnterprise"] == "1" for row in rows("enterprise.csv")
    )


def test_seat_postal_codes_and_branches(real):
    _path, result = real
    enterprises = {row["EnterpriseNumber"] for row in rows("enterprise.csv")}
    # real seats include the placeholder postal code 0999, which is no Belgian code
    belgian = {
        row["EntityNumber"].replace(".", ""): row
        for row in rows("address.csv")
        if row["TypeOfAddress"] == "REGO"
        and not row["CountryNL"]
        and row["EntityNumber"] in enterprises
        and "1000" <= row["Zipcode"] <= "9999"
    }
    companies = {c.bce_number: c for c in result.companies(Perimeter(postal_codes="1000-9999"))}
    assert set(companies) == set(belgian)
    for number, row in list(belgian.items())[:500]:
        company = companies[number]
        assert company.postal_code == row["Zipcode"]
        assert company.municipality_nl == (row["MunicipalityNL"] or None)
    branches = [row for row in rows("branch.csv") if row["EnterpriseNumber"] in enterprises]
    assert len(result.state.units) == len(branches)
    assert result.drops["not_legal_person"] == (
        len(rows("branch.csv"))
        - len(branches)
        + sum(row["EntityNumber"] not in enterprises for row in rows("address.csv"))
    )


def test_known_real_company(real):
    _path, result = real
    companies = {c.bce_number: c for c in result.companies(Perimeter(postal_codes="9070"))}
    company = companies["0200065765"]
    assert (company.postal_code, company.municipality_nl, company.language) == (
        "9070",
        "Destelbergen",
        "nl",
    )
    assert company.juridical_form == "416"
    assert company.start_date.isoformat() == "1960-08-09"


def test_bom_and_crlf_versions_read_the_same(real, tmp_path):
    _path, result = real

    def crlf_with_bom(data):
        return b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n")

    other = read_full_extract(write_zip(tmp_path / "crlf.zip", real_files(crlf_with_bom)))
    for table in ("enterprises", "addresses", "units"):
        left, right = getattr(result.state, table), getattr(other.state, table)
        assert left.astype(str).values.tolist() == right.astype(str).values.tolist()


def test_tampered_real_row_is_located(tmp_path):
    files = real_files()
    lines = files["enterprise.csv"].decode().split("\n")
    lines[1234] = lines[1234].replace('"AC"', '"XX"', 1)
    files["enterprise.csv"] = "\n".join(lines).encode()
    with pytest.raises(BceFormatError) as error:
        read_full_extract(write_zip(tmp_path / "bad.zip", files))
    assert (error.value.file, error.value.line, error.value.column) == (
        "enterprise.csv",
        1235,
        "Status",
    )
