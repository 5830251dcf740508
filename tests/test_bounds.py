"""Values no file should carry: every field held to its bound while reading, member
sizes judged from the ZIP's central directory, hostile member names; and the slow
paths that name the line and column of a fault."""

import csv
import io
import struct
import zipfile

import pytest
from bce_engine import (
    BceFormatError,
    BceReadError,
    apply_update_extract,
    count_rows,
    locate,
    read_full_extract,
    read_meta,
    reader,
)
from bce_engine.codes import read_code_table
from bce_engine.reader import HEADERS, MAX_COMPRESSION_RATIO, Extract
from test_reader import (
    csv_text,
    enterprise,
    extract_files,
    read_any,
    update_state,
    valid_rows,
    write_zip,
)


@pytest.mark.parametrize(
    "table,index,column,bound",
    [
        ("denomination", 3, "Denomination", 320),
        ("address", 4, "Zipcode", 20),
        ("address", 7, "StreetNL", 200),  # a column the engine does not keep
        ("contact", 3, "Value", 254),
        ("activity", 3, "NaceCode", 7),
    ],
)
@pytest.mark.parametrize("update", [False, True])
def test_value_over_its_bound_names_file_line_and_column(
    tmp_path, table, index, column, bound, update
):
    rows = valid_rows(table)
    rows[1] = (*rows[1][:index], "9" * (bound + 1), *rows[1][index + 1 :])
    stem = f"{table}_insert" if update else table
    with pytest.raises(BceReadError, match=f"longer than the {bound}") as error:
        read_any(tmp_path, {stem: rows}, update)
    assert (error.value.file, error.value.line, error.value.column) == (f"{stem}.csv", 3, column)


def test_bounds_count_characters_not_bytes(tmp_path):
    rows = valid_rows("denomination")
    rows[1] = (*rows[1][:3], "é" * 320)
    result = read_any(
        tmp_path, {"enterprise": valid_rows("enterprise"), "denomination": rows}, False
    )
    assert "é" * 320 in result.state.names["name"].tolist()


def test_long_value_after_a_line_break_names_its_line(tmp_path):
    """Longer than the csv module's field limit: the line is still found."""
    number = enterprise(2000001)
    rows = [(number, "1", "001", "Two\nlines"), (number, "1", "002", "x" * 200_000)]
    with pytest.raises(BceReadError, match="200,000 characters") as error:
        read_any(tmp_path, {"denomination": rows}, False)
    assert (error.value.line, error.value.column) == (4, "Denomination")


def test_a_200_mb_name_in_an_update_is_refused(tmp_path):
    number = enterprise(2000001)
    name = "denomination_insert.csv"
    with zipfile.ZipFile(tmp_path / "update.zip", "w", zipfile.ZIP_STORED) as archive:
        for member, text in extract_files({}, update=True).items():
            if member != name:
                archive.writestr(member, text)
        with archive.open(name, "w", force_zip64=True) as stream:
            stream.write(
                csv_text(HEADERS["denomination.csv"], [(number, "1", "001", "Acme")]).encode()
            )
            stream.write(f'"{number}","1","001","'.encode())
            for _ in range(200):
                stream.write(b"x" * 1_000_000)
            stream.write(b'"\n')
    with pytest.raises(BceReadError, match="longer than any BCE value") as error:
        apply_update_extract(tmp_path / "update.zip", update_state(tmp_path))
    assert (error.value.file, error.value.line, error.value.column) == (name, 3, "Denomination")


def test_over_long_code_description_names_line_and_column():
    text = csv_text(HEADERS["code.csv"], [("Nace2008", "62", "FR", "x" * 5000)])
    with pytest.raises(BceReadError, match="longer than the 4,096") as error:
        read_code_table(text.encode())
    assert (error.value.file, error.value.line, error.value.column) == (
        "code.csv",
        2,
        "Description",
    )


def test_rows_of_the_wrong_shape_are_counted(tmp_path):
    rows = valid_rows("address", count=5)
    rows[1], rows[3] = rows[1][:-1], (*rows[3], "x")
    with pytest.raises(BceFormatError) as error:
        read_any(tmp_path, {"address": rows}, False)
    assert (error.value.file, error.value.line) == ("address.csv", 3)
    assert error.value.message == (
        "12 fields, the header has 13 (2 rows have the wrong number of fields)"
    )


# -- the ZIP's central directory, judged before anything is unpacked


def central_entry(data, member):
    """Offset of ``member``'s entry in the central directory of the ZIP ``data``."""
    start = data.index(b"PK\x01\x02")
    while True:
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46 : start + 46 + name_length] == member.encode():
            return start
        start = data.index(b"PK\x01\x02", start + 46)


def test_zip_bomb_is_refused_before_anything_is_unpacked(tmp_path):
    files = extract_files({"enterprise": valid_rows("enterprise")})
    files["enterprise.csv"] += files["enterprise.csv"].splitlines(keepends=True)[1] * 300_000
    path = write_zip(tmp_path / "full.zip", files)
    with pytest.raises(BceReadError, match="ZIP bomb") as error:
        read_meta(path)  # refused on opening: meta.csv is not even read
    assert error.value.file == "enterprise.csv"


def test_member_larger_than_a_bce_file_is_refused(tmp_path):
    files = extract_files({})
    files["code.csv"] = csv_text(HEADERS["code.csv"], [("Nace2008", "62", "FR", "Info")])
    path = write_zip(tmp_path / "full.zip", files)
    data = bytearray(path.read_bytes())
    struct.pack_into("<I", data, central_entry(data, "code.csv") + 24, 300 << 20)
    path.write_bytes(bytes(data))
    with pytest.raises(BceReadError, match="more than the 268,435,456") as error:
        Extract(path)
    assert error.value.file == "code.csv"


def test_a_mass_update_passes(tmp_path):
    """The NACE-2025 conversion: every entity's activities deleted and inserted again."""
    numbers = [enterprise(2000001 + index) for index in range(60_000)]
    rows = [
        (number, group, version, code, "MAIN" if group == "001" else "SECO")
        for number in numbers
        for group, version, code in (
            ("001", "2008", "62010"),
            ("001", "2025", "62100"),
            ("006", "2008", "70220"),
            ("006", "2025", "70200"),
        )
    ]
    tables = {"activity_delete": [(number,) for number in numbers], "activity_insert": rows}
    path = write_zip(tmp_path / "update.zip", extract_files(tables, update=True))
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("activity_insert.csv")
    assert info.file_size > reader.RATIO_MIN_BYTES
    assert info.file_size / info.compress_size < MAX_COMPRESSION_RATIO / 4
    assert count_rows(path, tables=("activity",)) == {"activity": len(rows)}


def test_nul_byte_in_a_member_name_is_refused(tmp_path):
    files = extract_files({})
    files["denomination.csvX"] = files.pop("denomination.csv")
    path = write_zip(tmp_path / "full.zip", files)
    path.write_bytes(path.read_bytes().replace(b"denomination.csvX", b"denomination.csv\x00"))
    with pytest.raises(BceFormatError, match="NUL byte") as error:
        read_meta(path)
    assert type(error.value) is BceFormatError


# -- the slow paths, block by block


TRICKY = (
    b'"A","B"\r\n"1","two\nlines"\r\n"2","a ""quoted"" ,comma"\n\n"3",\r\n'
    b'"4","' + b"y" * 40 + b'"\n"5","z"'
)


def csv_lines():
    """Line where each data record starts, as the csv module counts them."""
    reader_ = csv.reader(io.StringIO(TRICKY.decode(), newline=""))
    next(reader_)
    starts, start = [], reader_.line_num + 1
    for _row in reader_:
        starts.append(start)
        start = reader_.line_num + 1
    return starts


@pytest.mark.parametrize("block", [1, 2, 3, 5, 8, 1 << 22])
def test_line_of_record_across_blocks(monkeypatch, block):
    monkeypatch.setattr(locate, "_BLOCK", block)
    lines = [locate.line_of_record(io.BytesIO(TRICKY), record) for record in range(6)]
    assert lines == csv_lines() == [2, 4, 5, 6, 7, 8]


@pytest.mark.parametrize("block", [1, 3, 7, 1 << 22])
def test_first_long_field_across_blocks(monkeypatch, block):
    monkeypatch.setattr(locate, "_BLOCK", block)
    with pytest.raises(BceReadError) as error:
        locate.first_long_field(io.BytesIO(TRICKY), "x.csv", ["A", "B"], 30)
    assert (error.value.line, error.value.column) == (7, "B")
    assert locate.first_long_field(io.BytesIO(TRICKY), "x.csv", ["A", "B"], 50) is None


def test_undecodable_bytes_in_a_column_not_kept_are_refused(tmp_path):
    files = extract_files({"address": valid_rows("address")})
    row = f'"{enterprise(2000001)}","REGO",,,"1000","B","B","Caf\xe9","","1","","",\n'
    files["address.csv"] = files["address.csv"].encode() + row.encode("latin-1")
    with pytest.raises(BceFormatError, match="undecodable") as error:
        read_full_extract(write_zip(tmp_path / "full.zip", files))
    where = (error.value.file, error.value.line, error.value.column)
    assert where == ("address.csv", 5, "StreetNL")
