"""Reading extracts: headers, values, encodings and every bad-input case.

The helpers at the top build small extracts in the official spelling; the other
engine tests import them from here."""

import contextlib
import zipfile
from datetime import date, datetime

import pytest
from bce_engine import (
    BceFormatError,
    BceReadError,
    apply_update_extract,
    count_rows,
    read_full_extract,
    read_meta,
    shrunken_tables,
    tables,
)
from bce_engine.codes import read_code_table
from bce_engine.reader import HEADERS, TABLES, Extract

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


# -- rows of the wrong shape: every CSV of a full and of an update


def valid_rows(table, count=3):
    """``count`` rows of ``table`` that the engine accepts."""
    numbers = [enterprise(2000001 + index) for index in range(count)]
    rows = {
        "enterprise": [ent_row(number) for number in numbers],
        "establishment": [
            (unit(20000001 + index), date(2020, 1, 1), number)
            for index, number in enumerate(numbers)
        ],
        "branch": [
            (unit(90000001 + index), date(2020, 1, 1), number)
            for index, number in enumerate(numbers)
        ],
        "denomination": [(number, "1", "001", "Acme, Brussels") for number in numbers],
        "address": [address_row(number) for number in numbers],
        "contact": [(number, "ENT", "EMAIL", "info@acme.be") for number in numbers],
        "activity": [(number, "001", "2008", "01110", "MAIN") for number in numbers],
    }
    return rows[table]


def update_state(tmp_path):
    return read_full_extract(make_extract(tmp_path / "full.zip", {})).state


def read_any(tmp_path, tables, update):
    if update:
        path = make_extract(tmp_path / "update.zip", tables, update=True)
        return apply_update_extract(path, update_state(tmp_path))
    return read_full_extract(make_extract(tmp_path / "full.zip", tables))


SHAPED_FILES = [(table, False) for table in TABLES] + [
    (f"{table}_{action}", True) for table in TABLES for action in ("delete", "insert")
]


def shaped_rows(stem):
    table, _sep, action = stem.partition("_")
    rows = valid_rows(table)
    return [row[:1] for row in rows] if action == "delete" else rows


@pytest.mark.parametrize("stem,update", SHAPED_FILES)
def test_too_few_fields_in_the_middle_is_refused(tmp_path, stem, update):
    rows = shaped_rows(stem)
    width = len(rows[0])
    rows[1] = rows[1][:-1]
    with pytest.raises(BceFormatError) as error:
        read_any(tmp_path, {stem: rows}, update)
    assert (error.value.file, error.value.line) == (f"{stem}.csv", 3)
    what = "an empty line" if width == 1 else f"{width - 1} fields"
    assert error.value.message == f"{what}, the header has {width}"


@pytest.mark.parametrize("stem,update", SHAPED_FILES)
def test_too_many_fields_on_the_first_row_is_refused(tmp_path, stem, update):
    rows = shaped_rows(stem)
    width = len(rows[0])
    rows[0] = (*rows[0], "x")
    with pytest.raises(BceFormatError) as error:
        read_any(tmp_path, {stem: rows}, update)
    assert (error.value.file, error.value.line) == (f"{stem}.csv", 2)
    assert error.value.message == f"{width + 1} fields, the header has {width}"


@pytest.mark.parametrize("table", ["enterprise", "activity", "denomination"])
def test_too_many_fields_after_the_first_row_is_refused(tmp_path, table):
    rows = valid_rows(table)
    rows[2] = (*rows[2], None)
    width = len(rows[0])
    with pytest.raises(BceFormatError) as error:
        read_any(tmp_path, {table: rows}, False)
    assert (error.value.file, error.value.line) == (f"{table}.csv", 4)
    assert error.value.message == f"{width + 1} fields, the header has {width}"


def test_missing_field_beside_a_quoted_comma_is_refused(tmp_path):
    """Three commas on the line, but one of them is inside the quoted name."""
    rows = valid_rows("denomination")
    rows[1] = (rows[1][0], "001", "Acme, Brussels")
    with pytest.raises(BceFormatError, match="3 fields, the header has 4") as error:
        read_any(tmp_path, {"denomination": rows}, False)
    assert error.value.line == 3


def test_missing_last_field_of_the_last_line_is_refused(tmp_path):
    """A NULL start date and a missing one look the same to pandas."""
    rows = valid_rows("enterprise")
    rows[-1] = rows[-1][:-1]
    with pytest.raises(BceFormatError, match="6 fields, the header has 7") as error:
        read_any(tmp_path, {"enterprise": rows}, False)
    assert error.value.line == 4


def test_empty_line_is_refused(tmp_path):
    files = extract_files({"address": valid_rows("address")})
    lines = files["address.csv"].split("\n")
    files["address.csv"] = "\n".join([*lines[:2], "", *lines[2:]])
    with pytest.raises(BceFormatError, match="an empty line, the header has 13") as error:
        read_full_extract(write_zip(tmp_path / "full.zip", files))
    assert (error.value.file, error.value.line) == ("address.csv", 3)


@pytest.mark.parametrize("crlf", [False, True])
def test_last_line_without_line_break_and_quoted_line_breaks_are_kept(tmp_path, crlf):
    number = enterprise(2000001)
    eol = "\r\n" if crlf else "\n"
    files = extract_files(
        {
            "enterprise": [ent_row(number)],
            "denomination": [(number, "1", "001", f"Two{eol}lines, one name")],
            "address": [address_row(number, fr=f"Saint{eol}Gilles")],
        },
        crlf=crlf,
    )
    files = {name: text.removesuffix(eol) for name, text in files.items()}
    state = read_full_extract(write_zip(tmp_path / "full.zip", files)).state
    assert state.names["name"].tolist() == [f"Two{eol}lines, one name"]
    assert state.addresses["municipality_fr"].astype(str).tolist() == [f"Saint{eol}Gilles"]
    assert len(state) == 1


def test_row_counts_of_the_core_tables(tmp_path):
    tables = {table: valid_rows(table) for table in TABLES}
    tables["denomination"] = tables["denomination"][:2]
    path = make_extract(tmp_path / "full.zip", tables)
    counts = {"enterprise": 3, "denomination": 2, "address": 3, "activity": 3, "contact": 3}
    assert count_rows(path) == counts
    assert read_full_extract(path).row_counts == counts
    update = {f"{table}_insert": rows for table, rows in tables.items()}
    update["activity_insert"] = []
    update_path = make_extract(tmp_path / "update.zip", update, update=True)
    assert count_rows(update_path) == dict(counts, activity=0)
    result = apply_update_extract(update_path, read_full_extract(path).state)
    assert result.row_counts == dict(counts, activity=0)


def test_row_counts_check_the_shape(tmp_path):
    rows = valid_rows("contact")
    rows[0] = rows[0][:2]
    with pytest.raises(BceFormatError, match="2 fields, the header has 4"):
        count_rows(make_extract(tmp_path / "full.zip", {"contact": rows}))


def test_shrunken_tables():
    previous = {"enterprise": 1000, "address": 1000, "activity": 1000}
    counts = {"enterprise": 990, "address": 700, "activity": 0, "contact": 5}
    assert shrunken_tables(counts, previous) == {"address": (700, 1000), "activity": (0, 1000)}
    assert shrunken_tables(counts, previous, max_drop=0.4) == {"activity": (0, 1000)}
    assert shrunken_tables({"enterprise": 0}, None) == {"enterprise": (0, 0)}


# -- what cannot be right: copies of a file, damaged ZIPs


@pytest.mark.parametrize(
    "extra",
    ["sub/enterprise.csv", "KboOpenData_0147/enterprise.csv", "enterprise.csv", "x\\meta.csv"],
)
def test_a_second_or_nested_copy_of_a_file_is_refused(tmp_path, extra):
    files = extract_files({"enterprise": valid_rows("enterprise")})
    base = extra.replace("\\", "/").rsplit("/", 1)[-1]
    with zipfile.ZipFile(tmp_path / "full.zip", "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
        with pytest.warns(UserWarning) if extra in files else contextlib.nullcontext():
            archive.writestr(extra, files[base].replace("2000001", "2000009"))
    for read in (read_meta, read_full_extract, count_rows):
        with pytest.raises(BceFormatError, match="more than once") as error:
            read(tmp_path / "full.zip")
        assert error.value.file == base and extra in error.value.message


def test_only_the_root_counts_even_without_a_copy(tmp_path):
    files = extract_files({})
    files["folder/activity.csv"] = files.pop("activity.csv")
    with pytest.raises(BceFormatError) as error:
        read_full_extract(write_zip(tmp_path / "full.zip", files))
    assert error.value.file == "activity.csv"
    assert '"folder/activity.csv"' in error.value.message


def test_other_files_in_the_zip_are_ignored(tmp_path):
    files = extract_files({"enterprise": valid_rows("enterprise")})
    files["docs/readme.txt"] = "hello"
    assert len(read_full_extract(write_zip(tmp_path / "full.zip", files)).state) == 3


def stored_zip(path, files):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def damage(path, member, change):
    """Change the stored bytes of ``member`` in place (its CRC stays the old one)."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    change(data, start, info.compress_size)
    path.write_bytes(bytes(data))
    return path


def flip(data, start, size):
    data[start + size // 2] ^= 0x20


@pytest.mark.parametrize("member", ["meta.csv", "enterprise.csv", "activity.csv", "code.csv"])
def test_crc_error_names_the_file(tmp_path, member):
    files = extract_files({table: valid_rows(table) for table in TABLES})
    files["code.csv"] = csv_text(HEADERS["code.csv"], [("Nace2008", "62", "FR", "Info")])
    path = damage(stored_zip(tmp_path / "full.zip", files), member, flip)
    with pytest.raises(BceReadError, match="fails its integrity check") as error:
        if member == "code.csv":  # read by the import beside the engine
            with Extract(path) as extract:
                extract.read_bytes("code.csv")
        else:
            read_full_extract(path)
    assert error.value.file == member
    assert str(error.value).startswith(f"{member}: the ZIP is damaged")


@pytest.mark.parametrize("member", ["meta.csv", "denomination.csv"])
def test_corrupt_compressed_data_names_the_file(tmp_path, member):
    files = extract_files({table: valid_rows(table) for table in TABLES})

    def garble(data, start, size):
        data[start : start + size] = b"\xff" * size  # a deflate block of the reserved type

    path = damage(write_zip(tmp_path / "full.zip", files), member, garble)
    with pytest.raises(BceReadError, match="compressed data cannot be unpacked") as error:
        read_full_extract(path)
    assert error.value.file == member


def test_over_long_meta_is_refused_before_it_is_read(tmp_path):
    files = extract_files({})
    files["meta.csv"] += '"Comment","' + "x" * 200_000 + '"\n'
    with pytest.raises(BceFormatError, match="not a BCE file") as error:
        read_meta(write_zip(tmp_path / "full.zip", files))
    assert error.value.file == "meta.csv"


def test_over_long_field_in_the_code_table_names_file_and_line():
    text = csv_text(HEADERS["code.csv"], [("Nace2008", "62", "FR", "x" * 200_000)])
    with pytest.raises(BceReadError, match="longer than 131,072 characters") as error:
        read_code_table(text.encode())
    assert (error.value.file, error.value.line) == ("code.csv", 2)


def test_over_long_field_found_by_the_shape_check_names_file_and_line(tmp_path):
    rows = valid_rows("denomination")
    rows[1] = (rows[1][0], "1", "001", "x" * 200_000)
    rows[2] = rows[2][:3]
    with pytest.raises(BceReadError, match="longer than") as error:
        read_any(tmp_path, {"denomination": rows}, False)
    assert (error.value.file, error.value.line) == ("denomination.csv", 3)


def test_memory_error_names_the_file(tmp_path, monkeypatch):
    path = make_extract(tmp_path / "full.zip", {"enterprise": valid_rows("enterprise")})

    def giant(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(tables.pa_csv, "open_csv", giant)
    with pytest.raises(BceReadError, match="too large to be read") as error:
        read_full_extract(path)
    assert error.value.file == "enterprise.csv"


def test_unreadable_file_is_a_read_error(tmp_path, monkeypatch):
    folder = tmp_path / "KboOpenData_0147_2025_10_12_Full.zip"
    folder.mkdir()
    with pytest.raises(BceReadError, match="cannot be read") as error:
        read_meta(folder)
    assert error.value.file == folder.name
    path = make_extract(tmp_path / "full.zip", {"address": valid_rows("address")})
    real_read = zipfile.ZipExtFile.read

    def failing_disk(self, *args):
        if self.name == "address.csv":
            raise OSError(5, "Input/output error")
        return real_read(self, *args)

    monkeypatch.setattr(zipfile.ZipExtFile, "read", failing_disk)
    with pytest.raises(BceReadError, match=r"cannot be read \(Input/output error\)") as error:
        read_full_extract(path)
    assert error.value.file == "address.csv"
