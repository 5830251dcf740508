"""Reading BCE open-data ZIPs: exact headers, validated values, chunked pandas.

Speed comes from letting pandas' C parser do the conversions: entity numbers
(``0200.065.765``) are parsed straight to int64 with ``.`` as thousands separator,
codes and dates become categoricals, so validation looks at a few hundred distinct
values instead of millions of rows. Only when a chunk is found faulty is the
file re-read to name the exact line and column.
"""

import csv
import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from .codes import CODE_HEADER, decode_csv_bytes
from .errors import BceFormatError
from .model import ExtractMeta

CHUNK_ROWS = 1_000_000

HEADERS = {
    "meta.csv": ["Variable", "Value"],
    "code.csv": CODE_HEADER,
    "enterprise.csv": [
        "EnterpriseNumber",
        "Status",
        "JuridicalSituation",
        "TypeOfEnterprise",
        "JuridicalForm",
        "JuridicalFormCAC",
        "StartDate",
    ],
    "establishment.csv": ["EstablishmentNumber", "StartDate", "EnterpriseNumber"],
    "denomination.csv": ["EntityNumber", "Language", "TypeOfDenomination", "Denomination"],
    "address.csv": [
        "EntityNumber",
        "TypeOfAddress",
        "CountryNL",
        "CountryFR",
        "Zipcode",
        "MunicipalityNL",
        "MunicipalityFR",
        "StreetNL",
        "StreetFR",
        "HouseNumber",
        "Box",
        "ExtraAddressInfo",
        "DateStrikingOff",
    ],
    "contact.csv": ["EntityNumber", "EntityContact", "ContactType", "Value"],
    "activity.csv": ["EntityNumber", "ActivityGroup", "NaceVersion", "NaceCode", "Classification"],
    "branch.csv": ["Id", "StartDate", "EnterpriseNumber"],
}
TABLES = ("enterprise", "establishment", "branch", "denomination", "address", "contact", "activity")
DELETE_KEYS = {
    "enterprise": "EnterpriseNumber",
    "establishment": "EstablishmentNumber",
    "branch": "Id",
    "denomination": "EntityNumber",
    "address": "EntityNumber",
    "contact": "EntityNumber",
    "activity": "EntityNumber",
}

# Closed code lists: anything else is a format error. Lists the BCE lets grow
# (ContactType, NACE codes, juridical forms) are not checked here.
CLOSED_CODES = {
    "Status": frozenset({"AC"}),
    "TypeOfEnterprise": frozenset({"0", "1", "2"}),
    "Language": frozenset({"0", "1", "2", "3", "4"}),
    "TypeOfDenomination": frozenset({"001", "002", "003", "004"}),
    "TypeOfAddress": frozenset({"REGO", "BAET", "ABBR", "OBAD"}),
    "EntityContact": frozenset({"ENT", "EST", "BRA"}),
    "NaceVersion": frozenset({"2003", "2008", "2025"}),
    "Classification": frozenset({"MAIN", "SECO", "ANCI"}),
}
DATE_FORMAT = "%d-%m-%Y"

# Number kinds: enterprises start with 0 or 1, establishment units with 2 to 8,
# branches with 9; all end with the mod-97 check of the first eight digits.
NUMBER_RANGES = {
    "enterprise": (1, 2_000_000_000),
    "establishment": (2_000_000_000, 9_000_000_000),
    "branch": (9_000_000_000, 10_000_000_000),
    "entity": (1, 10_000_000_000),
}
NUMBER_COLUMNS = {
    "EnterpriseNumber": "enterprise",
    "EstablishmentNumber": "establishment",
    "Id": "branch",
    "EntityNumber": "entity",
}
DATE_COLUMNS = frozenset({"StartDate", "DateStrikingOff"})
TEXT_COLUMNS = frozenset({"Denomination", "Value"})


def column_kind(column):
    if column in NUMBER_COLUMNS:
        return "number"
    if column in DATE_COLUMNS:
        return "date"
    if column in TEXT_COLUMNS:
        return "text"
    return "code"


def valid_numbers(values, kind):
    """Vectorised check of int64 entity numbers of a kind (see ``NUMBER_RANGES``)."""
    low, high = NUMBER_RANGES[kind]
    base, check = np.divmod(values, 100)
    return (values >= low) & (values < high) & (97 - base % 97 == check)


def format_number(value):
    """Int back to the BCE spelling, for messages."""
    digits = f"{int(value):010d}"
    if digits[0] in "01":
        return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
    return f"{digits[0]}.{digits[1:4]}.{digits[4:7]}.{digits[7:]}"


class _CountingStream:
    """Counts the uncompressed bytes pandas has consumed, for progress reports."""

    def __init__(self, raw):
        self.raw = raw
        self.done = 0

    def read(self, size=-1):
        data = self.raw.read(size)
        self.done += len(data)
        return data

    def readable(self):
        return True

    def __iter__(self):
        return iter(self.raw)


class Extract:
    """An open BCE ZIP. Members are read by name; a missing one is an error naming it."""

    def __init__(self, path):
        self.path = Path(path)
        self.label = self.path.name
        try:
            self.zip = zipfile.ZipFile(self.path)
        except FileNotFoundError:
            raise BceFormatError("file not found", file=str(self.path)) from None
        except (zipfile.BadZipFile, OSError) as error:
            raise BceFormatError(f"not a ZIP file ({error})", file=self.label) from None
        self.names = {Path(name).name: name for name in self.zip.namelist()}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.zip.close()

    def member(self, file):
        if file not in self.names:
            raise BceFormatError(f"{file} is missing from the ZIP {self.label}", file=file)
        return self.names[file]

    def size(self, file):
        return self.zip.getinfo(self.member(file)).file_size

    def open(self, file):
        return self.zip.open(self.member(file))

    def read_bytes(self, file):
        return self.zip.read(self.member(file))

    def check_header(self, file, expected):
        with self.open(file) as stream:
            first = stream.readline()
        text = decode_csv_bytes(first, file).rstrip("\r\n")
        header = next(csv.reader([text]), [])
        if header != expected:
            raise BceFormatError(
                f"header {header!r} differs from the official {expected!r}", file=file, line=1
            )

    def line_of_record(self, file, record):
        """Physical line (1-based, header = 1) where data record ``record`` (0-based)
        starts; exact even when quoted texts hold line breaks."""
        with self.open(file) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
            reader = csv.reader(text)
            next(reader, None)
            start = reader.line_num + 1
            for index, _row in enumerate(reader):
                if index == record:
                    return start
                start = reader.line_num + 1
        return start

    def locate_undecodable(self, file):
        """Line and column of the first bytes that are not UTF-8, read by blocks."""
        line, carry = 1, b""
        with self.open(file) as raw:
            while True:
                block = raw.read(1 << 24)
                data = carry + block
                if not data:
                    break
                try:
                    data.decode("utf-8")
                    carry = b""
                except UnicodeDecodeError as error:
                    if block and error.reason == "unexpected end of data":
                        # a character cut by the block boundary: finish it next time
                        carry = data[error.start :]
                        line += data.count(b"\n", 0, error.start)
                        continue
                    self._undecodable(file, data, error, line + data.count(b"\n", 0, error.start))
                line += data.count(b"\n")
        raise BceFormatError("undecodable bytes (the file must be UTF-8)", file=file)

    def _undecodable(self, file, data, error, line):
        start = data.rfind(b"\n", 0, error.start) + 1
        end = data.find(b"\n", error.start)
        fields = next(csv.reader([data[start : None if end < 0 else end].decode(errors="replace")]))
        header = HEADERS.get(file.replace("_insert", ""), [])
        column = next(
            (
                header[index] if index < len(header) else index + 1
                for index, value in enumerate(fields)
                if "\ufffd" in value
            ),
            None,
        )
        raise BceFormatError(
            f"undecodable bytes {data[error.start : error.end]!r} (the file must be UTF-8)",
            file=file,
            line=line,
            column=column,
        )

    def fail(self, file, record, column, message):
        raise BceFormatError(
            message, file=file, line=self.line_of_record(file, record), column=column
        )


def read_meta(zip_path):
    """``meta.csv`` of an extract as an ``ExtractMeta``."""
    with Extract(zip_path) as extract:
        return meta_of(extract)


def meta_of(extract):
    file = "meta.csv"
    text = decode_csv_bytes(extract.read_bytes(file), file)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or rows[0] != HEADERS[file]:
        raise BceFormatError(
            f"header {rows[0] if rows else []!r} differs from the official {HEADERS[file]!r}",
            file=file,
            line=1,
        )
    values, lines = {}, {}
    for line, row in enumerate(rows[1:], start=2):
        if row:
            if len(row) != 2:
                raise BceFormatError(f"{len(row)} fields where 2 are expected", file, line)
            values[row[0]], lines[row[0]] = row[1], line

    def get(name, parse):
        if name not in values:
            raise BceFormatError(f"the variable {name} is missing", file=file)
        try:
            return parse(values[name])
        except ValueError:
            raise BceFormatError(
                f"{values[name]!r} is not a valid {name}", file=file, line=lines[name], column=2
            ) from None

    def extract_type(value):
        value = value.strip().lower()
        if value not in ("full", "update"):
            raise ValueError(value)
        return value

    return ExtractMeta(
        extract_type=get("ExtractType", extract_type),
        extract_number=get("ExtractNumber", int),
        snapshot_date=get("SnapshotDate", lambda v: datetime.strptime(v, DATE_FORMAT).date()),
        extract_timestamp=get(
            "ExtractTimestamp", lambda v: datetime.strptime(v, f"{DATE_FORMAT} %H:%M:%S")
        ),
        version=values.get("Version", ""),
    )


_NUMBER_TEXT = re.compile(r"^\d[\d.]*$")


def _first_unparsable_number(extract, file, columns, chunk_rows):
    """Slow path after pandas refused an entity number: find the record and column."""
    with extract.open(file) as stream:
        reader = pd.read_csv(
            stream,
            usecols=columns,
            dtype=str,
            keep_default_na=False,
            chunksize=chunk_rows,
            encoding="utf-8",
        )
        offset = 0
        for chunk in reader:
            for column in columns:
                values = chunk[column]
                bad = ~values.str.match(_NUMBER_TEXT.pattern)
                if bad.any():
                    index = int(np.argmax(bad.to_numpy()))
                    extract.fail(
                        file,
                        offset + index,
                        column,
                        f"{values.iloc[index]!r} is not a valid {NUMBER_COLUMNS[column]} number",
                    )
            offset += len(chunk)
    raise BceFormatError("an entity number could not be read", file=file)


def _check_chunk(extract, file, chunk, offset, required):
    """Validate one chunk in place; dates become datetime64 (NaT for NULL)."""
    for column in chunk.columns:
        kind = column_kind(column)
        values = chunk[column]
        if kind == "number":
            number_kind = NUMBER_COLUMNS[column]
            numbers = values.to_numpy()
            bad = ~valid_numbers(numbers, number_kind)
            if bad.any():
                index = int(np.argmax(bad))
                extract.fail(
                    file,
                    offset + index,
                    column,
                    f"{format_number(numbers[index])} is not a valid {number_kind} number",
                )
        elif kind == "code":
            codes = values.cat.codes.to_numpy()
            if column in required and (codes < 0).any():
                index = int(np.argmax(codes < 0))
                extract.fail(file, offset + index, column, "a value is required")
            allowed = CLOSED_CODES.get(column)
            if allowed is not None:
                unknown = [i for i, code in enumerate(values.cat.categories) if code not in allowed]
                if unknown:
                    index = int(np.argmax(np.isin(codes, unknown)))
                    extract.fail(
                        file,
                        offset + index,
                        column,
                        f"unknown code {values.iloc[index]!r} (allowed: {sorted(allowed)})",
                    )
        elif kind == "date":
            categories = values.cat.categories
            parsed = pd.to_datetime(
                pd.Series(np.asarray(categories, dtype=object)), format=DATE_FORMAT, errors="coerce"
            )
            if parsed.isna().any():
                codes = values.cat.codes.to_numpy()
                index = int(np.argmax(np.isin(codes, np.flatnonzero(parsed.isna().to_numpy()))))
                extract.fail(
                    file, offset + index, column, f"{values.iloc[index]!r} is not a dd-mm-yyyy date"
                )
            codes = values.cat.codes.to_numpy()
            dates = parsed.to_numpy().astype("datetime64[D]")
            column_dates = np.full(len(codes), np.datetime64("NaT"), dtype="datetime64[D]")
            known = codes >= 0
            column_dates[known] = dates[codes[known]]
            chunk[column] = column_dates


def read_table(extract, file, columns, required=(), chunk_rows=CHUNK_ROWS, progress=None):
    """Yield ``(offset, chunk)`` of the validated ``columns`` of ``file``.

    ``offset`` is the 0-based index of the chunk's first record. Numbers are int64,
    codes categoricals of text, dates datetime64[D], texts strings; NULL is missing.
    """
    base = (
        file.rsplit("_", 1)[0] + ".csv" if file.endswith(("_delete.csv", "_insert.csv")) else file
    )
    expected = [DELETE_KEYS[base[:-4]]] if file.endswith("_delete.csv") else HEADERS[base]
    extract.check_header(file, expected)
    # columns read but not used stay text: no type guessing, nor its warnings
    dtypes = dict.fromkeys(expected, "str")
    for column in columns:
        kind = column_kind(column)
        dtypes[column] = {"number": "int64", "code": "category", "date": "category"}.get(
            kind, "str"
        )
    total = extract.size(file)
    offset = 0
    with extract.open(file) as raw:
        stream = _CountingStream(raw)
        try:
            reader = pd.read_csv(
                stream,
                # all columns parsed: with usecols pandas silently drops surplus fields
                usecols=None,
                dtype=dtypes,
                thousands=".",
                decimal=",",
                keep_default_na=False,
                na_values=[""],
                chunksize=chunk_rows,
                encoding="utf-8",
                index_col=False,
                engine="c",
            )
            for chunk in reader:
                chunk = chunk[list(columns)]
                _check_chunk(extract, file, chunk, offset, required)
                yield offset, chunk
                offset += len(chunk)
                if progress:
                    progress(file, stream.done, total)
        except UnicodeDecodeError:
            extract.locate_undecodable(file)
        except pd.errors.ParserError as error:
            fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(error))
            if fields:
                # pandas counts records (header = 1), not lines: quoted texts may break lines
                expected_count, record, count = (int(value) for value in fields.groups())
                extract.fail(
                    file, record - 2, None, f"{count} fields where {expected_count} are expected"
                )
            match = re.search(r"line (\d+)", str(error))
            raise BceFormatError(
                f"malformed CSV ({error})", file=file, line=int(match.group(1)) if match else None
            ) from None
        except ValueError as error:
            if isinstance(error, BceFormatError):
                raise
            numbers = [column for column in columns if column_kind(column) == "number"]
            _first_unparsable_number(extract, file, numbers, chunk_rows)
