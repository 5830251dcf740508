"""Reading BCE open-data ZIPs: exact headers, validated values, chunked pandas.

Speed comes from letting pandas' C parser do the conversions: entity numbers
(``0200.065.765``) are parsed straight to int64 with ``.`` as thousands separator,
codes and dates become categoricals, so validation looks at a few hundred distinct
values instead of millions of rows. Only when a chunk is found faulty is the
file re-read to name the exact line and column.

pandas pads a row with too few fields and drops the surplus of a too long first
row without a word. So each line reaches it with one more field, ``ROW_END``:
a row whose last field is not that marker has the wrong number of fields.
"""

import csv
import io
import re
import warnings
import zipfile
from datetime import datetime
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from .codes import CODE_HEADER, decode_csv_bytes
from .errors import READ_ERRORS, BceFormatError, read_error
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
# Tables whose row counts tell whether a full extract is plausible.
CORE_TABLES = ("enterprise", "denomination", "address", "activity", "contact")
# The members an extract may hold, at the root of the ZIP only.
OFFICIAL_FILES = frozenset(
    ["meta.csv", "code.csv"]
    + [f"{table}{suffix}.csv" for table in TABLES for suffix in ("", "_delete", "_insert")]
)
# A meta.csv is five short lines: a bigger one is not read into memory.
META_MAX_BYTES = 1 << 16
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


ROW_END = "\x1f"  # the ASCII unit separator: never in a BCE value
_END_FIELD = b",\x1f"
ROW_END_COLUMN = "(end of row)"


class _MarkedRows:
    """The bytes of a CSV member with the field ``ROW_END`` added at the end of
    every line, as pandas reads them; counts the bytes read, for progress reports.

    A line break inside a quoted text gets the marker too: ``_unmark`` removes
    it from the values read."""

    def __init__(self, raw):
        self.raw = raw
        self.done = 0
        self.carry = b""
        self.open_line = False
        self.finished = False

    def read(self, size=-1):  # pylint: disable=method-required-super
        if self.finished:
            return b""
        data = self.raw.read(size)
        self.done += len(data)
        if not data:
            self.finished = True
            tail, self.carry = self.carry, b""
            return tail + _END_FIELD + b"\n" if tail or self.open_line else b""
        data, self.carry = self.carry + data, b""
        if data.endswith(b"\r"):  # its \n may start the next block
            data, self.carry = data[:-1], b"\r"
        if data:
            self.open_line = not data.endswith(b"\n")
        marked = data.replace(b"\n", _END_FIELD + b"\n")
        if b"\r" not in data:
            return marked
        return marked.replace(b"\r" + _END_FIELD + b"\n", _END_FIELD + b"\r\n")

    def readable(self):
        return True

    def __iter__(self):
        raise io.UnsupportedOperation("read by blocks only")


def _unmark(chunk, columns):
    """Remove the markers a quoted line break got from the values of ``columns``."""
    for column in columns:
        values = chunk[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            categories = values.cat.categories
            if len(categories) and categories.str.contains(ROW_END, regex=False).any():
                text = values.astype(object).str.replace(_END_FIELD.decode(), "", regex=False)
                chunk[column] = text.astype("category")
        elif values.dtype != np.int64:
            marked = values.str.contains(ROW_END, regex=False).fillna(False).to_numpy(dtype=bool)
            if marked.any():
                chunk.loc[marked, column] = values[marked].str.replace(
                    _END_FIELD.decode(), "", regex=False
                )


class Extract:
    """An open BCE ZIP. Members are read by name; a missing one is an error naming it."""

    def __init__(self, path):
        self.path = Path(path)
        self.label = self.path.name
        self.current = None  # the member being read, named by errors
        try:
            self.zip = zipfile.ZipFile(self.path)
        except FileNotFoundError:
            raise BceFormatError("file not found", file=str(self.path)) from None
        except zipfile.BadZipFile as error:
            raise BceFormatError(f"not a ZIP file ({error})", file=self.label) from None
        except READ_ERRORS as error:
            raise read_error(error, file=self.label) from error
        try:
            self.names = self._official_members(self.zip.namelist())
        except BaseException:
            self.zip.close()
            raise

    def _official_members(self, names):
        """Official file name -> member; only the root of the ZIP counts, and a
        second copy of an official file, at the root or in a folder, is refused:
        which one the BCE meant cannot be told."""
        members = {}
        for name in names:
            base = PurePosixPath(name.replace("\\", "/")).name
            if base not in OFFICIAL_FILES:
                continue
            if base in members or name != base:
                first = members.get(base, name)
                raise BceFormatError(
                    f'the ZIP {self.label} holds {base} more than once ("{first}" and '
                    f'"{name}"): an extract has each file once, at the root of the ZIP',
                    file=base,
                )
            members[base] = name
        return members

    def __enter__(self):
        return self

    def __exit__(self, exc_type, error, traceback):
        self.zip.close()
        if isinstance(error, READ_ERRORS) and not isinstance(error, BceFormatError):
            raise read_error(error, file=self.current or self.label) from error

    def member(self, file):
        if file not in self.names:
            raise BceFormatError(f"{file} is missing from the ZIP {self.label}", file=file)
        return self.names[file]

    def size(self, file):
        return self.zip.getinfo(self.member(file)).file_size

    def open(self, file):
        member = self.member(file)
        self.current = file
        return self.zip.open(member)

    def read_bytes(self, file, limit=None):
        member = self.member(file)
        self.current = file
        size = self.zip.getinfo(member).file_size
        if limit is not None and size > limit:
            raise BceFormatError(
                f"{size:,} bytes where a BCE {file} holds a few lines: not a BCE file", file=file
            )
        return self.zip.read(member)

    def check_shape(self, file, expected):
        """Raise on the first row whose field count is not ``expected``: the slow
        path, once pandas was found to have padded or cut a row."""
        with self.open(file) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")
            reader = csv.reader(text)
            start = 1
            try:
                for row in reader:
                    if len(row) != expected:
                        what = f"{len(row)} fields" if row else "an empty line"
                        raise BceFormatError(
                            f"{what}, the header has {expected}", file=file, line=start
                        )
                    start = reader.line_num + 1
            except csv.Error as error:
                raise read_error(error, file=file, line=start) from error

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
    text = decode_csv_bytes(extract.read_bytes(file, limit=META_MAX_BYTES), file)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as error:
        raise read_error(error, file=file, line=reader.line_num) from error
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
                raise BceFormatError(f"{len(row)} fields, the header has 2", file, line)
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
    Every row must have the header's number of fields.
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
    dtypes[ROW_END_COLUMN] = "category"
    total = extract.size(file)
    offset = 0
    with extract.open(file) as raw:
        stream = _MarkedRows(raw)
        try:
            reader = pd.read_csv(
                stream,
                header=0,
                names=[*expected, ROW_END_COLUMN],
                usecols=None,
                dtype=dtypes,
                thousands=".",
                decimal=",",
                keep_default_na=False,
                na_values={column: [""] for column in expected},
                skip_blank_lines=False,
                chunksize=chunk_rows,
                encoding="utf-8",
                index_col=False,
                engine="c",
            )
            while True:
                with warnings.catch_warnings():
                    # a surplus field on the first row: ROW_END_COLUMN tells it
                    warnings.simplefilter("ignore", pd.errors.ParserWarning)
                    chunk = next(reader, None)
                if chunk is None:
                    break
                ends = chunk[ROW_END_COLUMN]
                if len(chunk) and (
                    list(ends.cat.categories) != [ROW_END] or ends.cat.codes.to_numpy().min() < 0
                ):
                    _wrong_shape(extract, file, len(expected))
                chunk = chunk[list(columns)]
                _unmark(chunk, columns)
                _check_chunk(extract, file, chunk, offset, required)
                yield offset, chunk
                offset += len(chunk)
                if progress:
                    progress(file, stream.done, total)
        except UnicodeDecodeError:
            extract.locate_undecodable(file)
        except pd.errors.ParserError as error:
            _wrong_shape(extract, file, len(expected))
            match = re.search(r"line (\d+)", str(error))
            line = int(match.group(1)) if match else None
            raise read_error(error, file=file, line=line) from None
        except ValueError as error:
            if isinstance(error, BceFormatError):
                raise
            extract.check_shape(file, len(expected))
            numbers = [column for column in columns if column_kind(column) == "number"]
            _first_unparsable_number(extract, file, numbers, chunk_rows)
        except READ_ERRORS as error:
            raise read_error(error, file=file) from error


def _wrong_shape(extract, file, expected):
    """Name the first row without ``expected`` fields; a file whose rows all
    have them is malformed in some other way."""
    extract.check_shape(file, expected)
    raise BceFormatError("malformed CSV: a row could not be read", file=file)


def count_rows(zip_path, tables=CORE_TABLES):
    """Rows of each table of ``tables`` in an extract, shape and values checked:
    the rows of ``<table>.csv`` for a full, of ``<table>_insert.csv`` for an
    update. Sanity figures: a full whose core table is empty or shrank sharply
    against the previous full cannot be right."""
    with Extract(zip_path) as extract:
        meta = meta_of(extract)
        suffix = "" if meta.extract_type == "full" else "_insert"
        counts = {}
        for table in tables:
            file = f"{table}{suffix}.csv"
            key = HEADERS[f"{table}.csv"][0]
            counts[table] = sum(len(chunk) for _offset, chunk in read_table(extract, file, [key]))
    return counts


def shrunken_tables(counts, previous, max_drop=0.2):
    """``{table: (rows, previous rows)}`` of the tables of ``counts`` that are
    empty, or have lost more than ``max_drop`` (a fraction) of the rows they
    had in ``previous`` (the counts of the last applied full, may be empty)."""
    previous = previous or {}
    suspicious = {}
    for table, rows in counts.items():
        before = previous.get(table) or 0
        if not rows or (before and rows < before * (1 - max_drop)):
            suspicious[table] = (rows, before)
    return suspicious
