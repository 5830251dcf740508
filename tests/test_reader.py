"""Reading extracts: headers, values, encodings and every bad-input case.

The helpers at the top build small extracts in the official spelling; the other
engine tests import them from here."""

import zipfile
from datetime import date, datetime

import pytest
from bce_engine import BceFormatError, read_full_extract, read_meta
from bce_engine.reader import HEADERS, TABLES

META = {
    "SnapshotDate": "11-10-2025",
    "ExtractTimestamp": "12-10-2025 07:21:30",
    "ExtractType": "full",
    "ExtractNumber": "147",
    "Version": "1.0.0",
}


def enterprise(prefix):
    """A valid enterprise number (``0200.065.765`` spelling) from 8 digits."""
    digits = f"{prefix:08d}{97 - prefix % 97:02d}"
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def unit(prefix):
    """A valid establishment (2…) or branch (9…) number from 8 digits."""
    digits = f"{prefix:08d}{97 - prefix % 97:02d}"
    return f"{digits[0]}.{digits[1:4]}.{digits[4:7]}.{digits[7:]}"


def digits(number):
    return number.replace(".", "").zfill(10)


def line(values):
    """Texts quoted, ``None`` as NULL, dates unquoted dd-mm-yyyy."""
    fields = []
    for value in values:
        if value is None:
            fields.append("")
        elif isinstance(value, date):
            fields.append(value.strftime("%d-%m-%Y"))
        else:
            fields.append('"' + str(value).replace('"', '""') + '"')
    return ",".join(fields)


def csv_text(header, rows, crlf=False, bom=False):
    eol = "\r\n" if crlf else "\n"
    text = eol.join([line(header), *(line(row) for row in rows)]) + eol
    return ("\ufeff" if bom else "") + text


def write_zip(path, files):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content.encode() if isinstance(content, str) else content)
    return path


def extract_files(tables, meta=None, crlf=False, bom=False, update=False):
    """Files of an extract from ``{file stem: rows}``; missing tables are empty.

    A full takes stems like ``enterprise``; an update ``enterprise_delete`` and
    ``enterprise_insert`` (delete rows are one-element tuples)."""
    meta = {
        **META,
        **({"ExtractType": "update", "ExtractNumber": "148"} if update else {}),
        **(meta or {}),
    }
    files = {"meta.csv": csv_text(HEADERS["meta.csv"], meta.items(), crlf, bom)}
    stems = (
        [f"{t}_{action}" for t in TABLES for action in ("delete", "insert")] if update else TABLES
    )
    for stem in stems:
        table = stem.split("_")[0]
        if stem.endswith("_delete"):
            header = [
                {"enterprise": "EnterpriseNumber", "establishment": "EstablishmentNumber"}.get(
                    table, "Id" if table == "branch" else "EntityNumber"
                )
            ]
        else:
            header = HEADERS[f"{table}.csv"]
        files[f"{stem}.csv"] = csv_text(header, tables.get(stem, []), crlf, bom)
    return files


def make_extract(path, tables, **options):
    return write_zip(path, extract_files(tables, **options))


def ent_row(number, kind="2", form="610", start=date(2020, 1, 2), cac=None):
    return (number, "AC", "000", kind, form, cac, start)


def address_row(number, zipcode="1000", fr="Bruxelles", nl="Brussel", kind="REGO", country=None):
    return (number, kind, country, country, zipcode, nl, fr, "Rue", "Rue", "1", "", "", None)


@pytest.fixture
def small(tmp_path):
    first, second = enterprise(2000001), enterprise(2000002)

    def build(**changes):
        tables = {
            "enterprise": [ent_row(first), ent_row(second, kind="1")],
            "denomination": [(first, "1", "001", "Acme")],
            "address": [address_row(first)],
            "activity": [(first, "001", "2008", "01110", "MAIN")],
        }
        tables.update(changes)
        return make_extract(tmp_path / "full.zip", tables)

    build.first, build.second = first, second
    return build


def test_meta_is_parsed(small):
    meta = read_meta(small())
    assert meta.extract_type == "full"
    assert meta.extract_number == 147
    assert meta.snapshot_date == date(2025, 10, 11)
    assert meta.extract_timestamp == datetime(2025, 10, 12, 7, 21, 30)
    assert meta.version == "1.0.0"


@pytest.mark.parametrize("crlf,bom", [(False, False), (True, False), (False, True), (True, True)])
def test_bom_and_crlf_are_accepted(tmp_path, crlf, bom):
    number = enterprise(2000001)
    path = make_extract(
        tmp_path / "full.zip",
        {
            "enterprise": [ent_row(number)],
            "denomination": [(number, "2", "001", "Bakkerij")],
            "address": [address_row(number, "9000", "Gand", "Gent")],
        },
        crlf=crlf,
        bom=bom,
    )
    result = read_full_extract(path)
    assert result.state.names["name"].tolist() == ["Bakkerij"]
    assert result.state.addresses["postal_code"].astype(str).tolist() == ["9000"]


def test_codes_keep_their_leading_zeros(small):
    result = read_full_extract(small())
    assert result.state.enterprises["juridical_form"].astype(str).tolist() == ["610"]
    assert result.state.activities["code"].astype(str).tolist() == ["01110"]


def test_not_a_zip(tmp_path):
    path = tmp_path / "full.zip"
    path.write_text("hello")
    with pytest.raises(BceFormatError, match="not a ZIP") as error:
        read_full_extract(path)
    assert error.value.file == "full.zip"


def test_missing_file_is_named(tmp_path):
    files = extract_files({})
    del files["activity.csv"]
    with pytest.raises(BceFormatError, match="activity.csv is missing") as error:
        read_full_extract(write_zip(tmp_path / "full.zip", files))
    assert error.value.file == "activity.csv"


def test_reordered_header_is_refused(tmp_path):
    files = extract_files({})
    files["contact.csv"] = '"EntityNumber","ContactType","EntityContact","Value"\n'
    with pytest.raises(BceFormatError, match="differs from the official") as error:
        read_full_extract(write_zip(tmp_path / "full.zip", files))
    assert (error.value.file, error.value.line) == ("contact.csv", 1)


def test_wrong_header_is_refused(tmp_path):
    files = extract_files({})
    files["enterprise.csv"] = files["enterprise.csv"].replace("StartDate", "Start")
    with pytest.raises(BceFormatError) as error:
        read_full_extract(write_zip(tmp_path / "full.zip", files))
    assert (error.value.file, error.value.line) == ("enterprise.csv", 1)


def test_invalid_enterprise_number_names_line_and_column(small):
    bad = "0200.065.766"  # check digits off by one
    with pytest.raises(BceFormatError, match="not a valid enterprise number") as error:
        read_full_extract(small(enterprise=[ent_row(small.first), ent_row(bad)]))
    assert (error.value.file, error.value.line, error.value.column) == (
        "enterprise.csv",
        3,
        "EnterpriseNumber",
    )


def test_unparsable_number_names_line_and_column(small):
    rows = [(small.first, "ENT", "EMAIL", "info@acme.be"), ("12AB", "ENT", "EMAIL", "x@y.be")]
    with pytest.raises(BceFormatError, match="'12AB'") as error:
        read_full_extract(small(contact=rows))
    assert (error.value.file, error.value.line, error.value.column) == (
        "contact.csv",
        3,
        "EntityNumber",
    )


def test_establishment_number_in_an_enterprise_column_is_refused(small):
    rows = [(unit(20000001), date(2020, 1, 1), unit(20000002))]
    with pytest.raises(BceFormatError) as error:
        read_full_extract(small(establishment=rows))
    assert (error.value.line, error.value.column) == (2, "EnterpriseNumber")


def test_bad_date_names_line_and_column(small):
    rows = [ent_row(small.first), (small.second, "AC", "000", "2", "610", None, "31-02-2020")]
    with pytest.raises(BceFormatError, match="dd-mm-yyyy") as error:
        read_full_extract(small(enterprise=rows))
    assert (error.value.file, error.value.line, error.value.column) == (
        "enterprise.csv",
        3,
        "StartDate",
    )


def test_undecodable_bytes_name_line_and_column(small, tmp_path):
    path = small()
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    files["denomination.csv"] += f'"{small.first}","1","002","Caf\xe9"\n'.encode("latin-1")
    with pytest.raises(BceFormatError, match="undecodable") as error:
        read_full_extract(write_zip(tmp_path / "bad.zip", files))
    assert (error.value.file, error.value.line, error.value.column) == (
        "denomination.csv",
        3,
        "Denomination",
    )


@pytest.mark.parametrize(
    "table,row,column",
    [
        ("enterprise", ("E", "ST", "000", "2", "610", None, date(2020, 1, 1)), "Status"),
        ("enterprise", ("E", "AC", "000", "7", "610", None, date(2020, 1, 1)), "TypeOfEnterprise"),
        ("activity", ("E", "001", "2007", "01110", "MAIN"), "NaceVersion"),
        ("activity", ("E", "001", "2008", "01110", "PRIM"), "Classification"),
        ("address", ("E", "HOME", None, None, "1000", "B", "B", "", "", "", "", "", None), None),
        ("contact", ("E", "XYZ", "EMAIL", "info@acme.be"), "EntityContact"),
    ],
)
def test_unknown_closed_code_names_line_and_column(small, table, row, column):
    row = tuple(small.first if value == "E" else value for value in row)
    existing = {
        "enterprise": [],
        "activity": [(small.first, "001", "2008", "01110", "MAIN")],
        "address": [address_row(small.first)],
        "contact": [(small.first, "ENT", "EMAIL", "info@acme.be")],
    }[table]
    if table == "enterprise":
        row = (enterprise(2000003),) + row[1:]
        existing = [ent_row(small.first)]
    with pytest.raises(BceFormatError, match="unknown code") as error:
        read_full_extract(small(**{table: [*existing, row]}))
    assert (error.value.file, error.value.line) == (f"{table}.csv", 3)
    assert error.value.column == (column or "TypeOfAddress")


def test_unknown_contact_type_is_tolerated_and_counted(small):
    rows = [
        (small.first, "ENT", "FAX", "02 123 45 67"),
        (small.first, "ENT", "EMAIL", "info@acme.be"),
    ]
    result = read_full_extract(small(contact=rows))
    assert result.drops["unknown_code"] == 1
    assert result.state.contacts["value"].tolist() == ["info@acme.be"]


def test_duplicate_enterprise_in_a_full_is_refused(small):
    rows = [ent_row(small.first), ent_row(small.second), ent_row(small.first)]
    with pytest.raises(BceFormatError, match="already appears") as error:
        read_full_extract(small(enterprise=rows))
    assert (error.value.file, error.value.line, error.value.column) == (
        "enterprise.csv",
        4,
        "EnterpriseNumber",
    )


def test_error_line_counts_line_breaks_inside_quotes(small):
    rows = [
        (small.first, "1", "001", "Two\nlines"),
        (small.first, "9", "001", "Bad language"),
    ]
    with pytest.raises(BceFormatError) as error:
        read_full_extract(small(denomination=rows))
    assert (error.value.line, error.value.column) == (4, "Language")


def test_text_like_null_is_not_null(small):
    result = read_full_extract(small(denomination=[(small.first, "4", "001", "NA")]))
    assert result.state.names["name"].tolist() == ["NA"]


def test_update_given_as_full_is_refused(tmp_path):
    path = make_extract(tmp_path / "update.zip", {}, update=True)
    with pytest.raises(BceFormatError, match="update extract"):
        read_full_extract(path)


def test_chunked_reading_gives_the_same_state(tmp_path):
    numbers = [enterprise(2000000 + i) for i in range(1, 40)]
    tables = {
        "enterprise": [ent_row(n, kind=str(i % 3)) for i, n in enumerate(numbers)],
        "denomination": [(n, "1", "001", f"Firm {i}") for i, n in enumerate(numbers)],
        "address": [address_row(n, str(1000 + 100 * (i % 80))) for i, n in enumerate(numbers)],
        "activity": [(n, "001", "2025", f"{i:05d}", "MAIN") for i, n in enumerate(numbers)],
    }
    path = make_extract(tmp_path / "full.zip", tables)
    whole, chunked = read_full_extract(path), read_full_extract(path, chunk_rows=7)
    for table in ("enterprises", "names", "addresses", "activities"):
        left, right = getattr(whole.state, table), getattr(chunked.state, table)
        assert left.astype(str).values.tolist() == right.astype(str).values.tolist()
    assert whole.drops == chunked.drops
    assert len(whole.state) == 13


@pytest.mark.parametrize(
    "table,row,expected",
    [
        ("enterprise", ("E", "AC", "000", "2", "610", None, date(2020, 1, 1), "x"), 7),
        ("activity", ("E", "001", "2008", "01110", "MAIN", "MAIN"), 5),
    ],
)
def test_surplus_field_names_file_and_line(small, table, row, expected):
    first = (small.first,) + row[1:-1] if table == "activity" else ent_row(small.first)
    row = (enterprise(2000003) if table == "enterprise" else small.first,) + row[1:]
    with pytest.raises(BceFormatError, match=f"{expected + 1} fields where {expected}") as error:
        read_full_extract(small(**{table: [first, row]}))
    assert (error.value.file, error.value.line) == (f"{table}.csv", 3)
