"""The ``prospects`` command on generated extracts: what it writes, what it refuses."""

import csv
import io
import zipfile

import pytest
from bce_engine.spreadsheet import append_text_row, csv_text
from bce_synth import generate_full, generate_update
from openpyxl import Workbook, load_workbook
from prospects import REASON_EXPLANATIONS, main


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    return generate_full(tmp_path_factory.mktemp("bce"), enterprises=3000, seed=7)


def read_table(zip_path, name):
    with zipfile.ZipFile(zip_path) as archive:
        text = archive.read(name).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def sheet_rows(path, title):
    rows = list(load_workbook(path)[title].iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_prospects_inside_the_perimeter_and_legal_persons_only(extract, tmp_path):
    output = tmp_path / "prospects.xlsx"
    assert (
        main([str(extract), "--postal", "1000-1299,9000", "--nace", "62", "-o", str(output)]) == 0
    )
    header, rows = sheet_rows(output, "Prospects")
    assert rows, "a 3000-enterprise sample has prospects in Brussels in NACE 62"
    column = {name: index for index, name in enumerate(header)}
    types = {
        row["EnterpriseNumber"]: row["TypeOfEnterprise"]
        for row in read_table(extract, "enterprise.csv")
    }
    for row in rows:
        assert types[row[column["Enterprise number"]]] == "2"
        postal = int(row[column["Postal code"]])
        assert 1000 <= postal <= 1299 or postal == 9000
        codes = ", ".join(str(row[column[name]] or "") for name in header if "NACE" in name)
        assert "62" in codes


def test_no_personal_data_in_the_workbook(extract, tmp_path):
    output = tmp_path / "prospects.xlsx"
    main([str(extract), "--postal", "1000-9999", "-o", str(output)])
    workbook = load_workbook(output)
    text = "\n".join(
        str(value)
        for sheet in workbook
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )
    natural = {
        row["EnterpriseNumber"]
        for row in read_table(extract, "enterprise.csv")
        if row["TypeOfEnterprise"] != "2"
    }
    assert natural and not any(number in text for number in natural)
    private = [
        row["Value"]
        for row in read_table(extract, "contact.csv")
        if row["ContactType"] == "EMAIL" and row["Value"].endswith(("@gmail.com", "@skynet.be"))
    ]
    assert private and not any(address in text for address in private)


def test_excluded_sheet_counts_reasons_and_lists_no_data(extract, tmp_path):
    output = tmp_path / "prospects.xlsx"
    main([str(extract), "--postal", "1000-1299", "-o", str(output)])
    header, rows = sheet_rows(output, "Excluded")
    assert header == ("Reason", "Count", "What it means")
    reasons = {row[0]: row[1] for row in rows}
    assert reasons["natural_person"] > 0 and reasons["outside_perimeter"] > 0
    assert set(reasons) <= set(REASON_EXPLANATIONS)
    assert all(isinstance(count, int) and count > 0 for count in reasons.values())


def test_blacklist_file_wins(extract, tmp_path):
    first = tmp_path / "all.xlsx"
    main([str(extract), "--postal", "1000-1299", "-o", str(first)])
    _header, rows = sheet_rows(first, "Prospects")
    excluded = [rows[0][0], rows[1][0]]
    blacklist = tmp_path / "blacklist.txt"
    blacklist.write_text("\n".join(excluded) + "\n")
    second = tmp_path / "filtered.xlsx"
    main([str(extract), "--postal", "1000-1299", "--blacklist", str(blacklist), "-o", str(second)])
    _header, kept = sheet_rows(second, "Prospects")
    assert len(kept) == len(rows) - 2
    assert not {row[0] for row in kept} & set(excluded)


def test_empty_perimeter_refused(extract, tmp_path, capsys):
    output = tmp_path / "none.xlsx"
    assert main([str(extract), "-o", str(output)]) == 2
    assert "perimeter" in capsys.readouterr().err
    assert not output.exists()


def test_update_extract_refused(extract, tmp_path, capsys):
    update, _later = generate_update(extract, tmp_path, seed=3)
    assert main([str(update), "--postal", "1000-1299", "-o", str(tmp_path / "u.xlsx")]) == 2
    assert "full extract" in capsys.readouterr().err


def test_corrupt_zip_names_the_file(tmp_path, capsys):
    broken = tmp_path / "KboOpenData_0150_2025_10_15_Full.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert main([str(broken), "--postal", "1000", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert broken.name in capsys.readouterr().err


def _rewritten(source, target, member, change):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info.filename, change(data) if info.filename == member else data)
    return target


def _flip_stored(path, member):
    """Damage ``member``'s stored bytes: its CRC no longer matches."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(member)
    data = bytearray(path.read_bytes())
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0x20
    path.write_bytes(bytes(data))
    return path


def _bad_files(extract, tmp_path):
    def short_row(data):
        lines = data.split(b"\n")
        lines[2] = lines[2].rsplit(b",", 1)[0]
        return b"\n".join(lines)

    short = _rewritten(extract, tmp_path / "short.zip", "enterprise.csv", short_row)
    crc = _rewritten(extract, tmp_path / "crc.zip", "meta.csv", lambda data: data)
    return {
        "short": (short, "enterprise.csv, line 3: 6 fields, the header has 7"),
        "crc": (_flip_stored(crc, "meta.csv"), "meta.csv: the ZIP is damaged"),
    }


@pytest.mark.parametrize("case", ["short", "crc"])
def test_bad_file_prints_the_engine_message_without_traceback(extract, tmp_path, capsys, case):
    path, message = _bad_files(extract, tmp_path)[case]
    output = tmp_path / "out.xlsx"
    assert main([str(path), "--postal", "1000-9999", "-o", str(output)]) == 2
    out, err = capsys.readouterr()
    assert err.startswith(f"prospects: {path.name}: {message}")
    assert len(err.splitlines()) == 1 and "Traceback" not in err + out
    assert not output.exists()


FORMULA_NAME = '=HYPERLINK("http://evil.example/","Click")'


def _renamed(extract, tmp_path, number, name):
    """The extract with every denomination of ``number`` replaced by ``name``."""

    def rename(data):
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        for row in rows:
            if row[0] == number:
                row[3] = name
        text = io.StringIO()
        csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
        return text.getvalue().encode("utf-8")

    return _rewritten(extract, tmp_path / extract.name, "denomination.csv", rename)


def _formula_cells(path):
    with zipfile.ZipFile(path) as archive:
        return [
            name
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and b"<f>" in archive.read(name)
        ]


def test_a_company_named_like_a_formula_is_written_as_text(extract, tmp_path):
    first = tmp_path / "all.xlsx"
    main([str(extract), "--postal", "1000-1299", "-o", str(first)])
    number = sheet_rows(first, "Prospects")[1][0][0]
    renamed = _renamed(extract, tmp_path, number, FORMULA_NAME)
    output = tmp_path / "prospects.xlsx"
    assert main([str(renamed), "--postal", "1000-1299", "-o", str(output)]) == 0
    sheet = load_workbook(output)["Prospects"]
    (cell,) = [row[1] for row in sheet.iter_rows(min_row=2) if row[0].value == number]
    assert (cell.value, cell.data_type) == (FORMULA_NAME, "s")
    assert _formula_cells(output) == []


def test_append_text_row_keeps_texts_intact_and_other_values_typed(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    values = (FORMULA_NAME, "+32 2 123 45 67", "-x", None, "@SUM(A1)", 7)
    append_text_row(sheet, ("header",))
    append_text_row(sheet, values)
    workbook.save(tmp_path / "t.xlsx")
    cells = next(load_workbook(tmp_path / "t.xlsx").active.iter_rows(min_row=2))
    assert tuple(cell.value for cell in cells) == values
    assert [cell.data_type for cell in cells] == ["s", "s", "s", "n", "s", "n"]
    assert _formula_cells(tmp_path / "t.xlsx") == []


@pytest.mark.parametrize(
    "value, written",
    [
        (FORMULA_NAME, "'" + FORMULA_NAME),
        ("+32 2 123 45 67", "'+32 2 123 45 67"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Acme = best", "Acme = best"),
        ("", ""),
        (7, 7),
        (None, None),
    ],
)
def test_csv_text_quotes_what_a_spreadsheet_would_evaluate(value, written):
    assert csv_text(value) == written
