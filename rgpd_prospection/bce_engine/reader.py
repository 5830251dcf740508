"""Opening BCE open-data ZIPs: the official members, their sizes judged from the
central directory before anything is unpacked, the exact headers, ``meta.csv``.
The tables themselves are read by ``tables``."""

import csv
import io
import zipfile
from datetime import datetime
from pathlib import Path, PurePosixPath

import numpy as np

from . import locate
from .codes import CODE_HEADER, FIELD_BOUND, decode_csv_bytes
from .errors import READ_ERRORS, BceFormatError, BceReadError, read_error
from .model import ExtractMeta

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

# Longest value of each column, in characters: the KBO cookbook's formats (an
# e-mail's 254, a name's 320), checked on every field while reading so that no
# absurd value (a 200 MB name) passes. A column the cookbook leaves open would get
# ``FIELD_BOUND``.
FIELD_BOUNDS = {
    "EnterpriseNumber": 12,
    "EstablishmentNumber": 13,
    "EntityNumber": 13,
    "Id": 13,
    "Status": 2,
    "JuridicalSituation": 3,
    "TypeOfEnterprise": 1,
    "JuridicalForm": 3,
    "JuridicalFormCAC": 3,
    "StartDate": 10,
    "DateStrikingOff": 10,
    "Language": 1,
    "TypeOfDenomination": 3,
    "Denomination": 320,
    "TypeOfAddress": 4,
    "CountryNL": 100,
    "CountryFR": 100,
    "Zipcode": 20,
    "MunicipalityNL": 200,
    "MunicipalityFR": 200,
    "StreetNL": 200,
    "StreetFR": 200,
    "HouseNumber": 22,
    "Box": 20,
    "ExtraAddressInfo": 80,
    "EntityContact": 3,
    "ContactType": 5,
    "Value": 254,
    "ActivityGroup": 3,
    "NaceVersion": 4,
    "NaceCode": 7,
    "Classification": 4,
}


def table_header(file):
    """The official header of a table's file, a ``_delete`` file's being its key."""
    if file.endswith("_delete.csv"):
        return [DELETE_KEYS[file.removesuffix("_delete.csv")]]
    return HEADERS[file.replace("_insert.csv", ".csv")]


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


# Sizes judged from the ZIP's central directory before a member is unpacked. A
# national full holds 2.1 GB of CSV, its activity.csv 1.5 GB compressed about 7:1;
# a mass update (the 7.28 M changes of the NACE-2025 conversion) stays well within.
MEMBER_MAX_BYTES = 16 << 30
CODE_MAX_BYTES = 256 << 20
# Deflate cannot pack CSV rows of distinct numbers much beyond 20:1; a bomb packs
# 1000:1. Small members are not judged: an empty table packs oddly.
MAX_COMPRESSION_RATIO = 200
RATIO_MIN_BYTES = 1 << 20


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
        except ValueError as error:  # newer Pythons refuse a NUL in a member name
            raise BceFormatError(f"not a BCE ZIP ({error})", file=self.label) from None
        except READ_ERRORS as error:
            raise read_error(error, file=self.label) from error
        try:
            self.names = self._official_members(self.zip.infolist())
        except BaseException:
            self.zip.close()
            raise

    def _official_members(self, infos):
        """Official file name -> member; only the root of the ZIP counts, and a
        second copy of an official file, at the root or in a folder, is refused:
        which one the BCE meant cannot be told."""
        members = {}
        for info in infos:
            name = info.filename
            if "\x00" in info.orig_filename:
                raise BceFormatError(
                    f"the ZIP {self.label} holds a member whose name {info.orig_filename!r} "
                    "has a NUL byte: a trick to pass one file for another, not a BCE extract",
                    file=name,
                )
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
            self._check_size(base, info)
            members[base] = name
        return members

    def _check_size(self, file, info):
        limit = {"meta.csv": META_MAX_BYTES, "code.csv": CODE_MAX_BYTES}.get(file, MEMBER_MAX_BYTES)
        if info.file_size > limit:
            raise BceReadError(
                f"{info.file_size:,} bytes once unpacked, more than the {limit:,} a BCE "
                f"{file} can hold: not a BCE file",
                file=file,
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > MAX_COMPRESSION_RATIO:
            raise BceReadError(
                f"{info.compress_size:,} bytes unpack to {info.file_size:,} ({ratio:,.0f}:1, "
                f"a BCE file packs less than {MAX_COMPRESSION_RATIO}:1): a ZIP bomb, not a "
                "BCE file",
                file=file,
            )

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
        """``file`` unpacked as it is read; ``zipfile`` stops at the declared size and
        checks the CRC, so a member lying about its size is refused as damaged."""
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

    def check_header(self, file, expected):
        """Raise unless ``file`` starts with ``expected``; -> whether rows may follow
        (a header without a line break is the whole file)."""
        with self.open(file) as stream:
            first = stream.readline(1 << 16)
        text = decode_csv_bytes(first, file).rstrip("\r\n")
        header = next(csv.reader([text]), [])
        if header != expected:
            raise BceFormatError(
                f"header {header!r} differs from the official {expected!r}", file=file, line=1
            )
        return first.endswith(b"\n")

    def check_shape(self, file, expected):
        """Raise on the first row whose field count is not ``expected``."""
        with self.open(file) as stream:
            locate.check_shape(stream, file, expected)

    def locate_undecodable(self, file):
        with self.open(file) as stream:
            locate.locate_undecodable(stream, file, HEADERS.get(file.replace("_insert", ""), []))

    def locate_long_field(self, file, header, limit):
        with self.open(file) as stream:
            locate.first_long_field(stream, file, header, limit)

    def fail(self, file, record, column, message, error=BceFormatError):
        """Raise ``error`` on data record ``record`` (0-based) of ``file``."""
        with self.open(file) as stream:
            line = locate.line_of_record(stream, record)
        raise error(message, file=file, line=line, column=column)


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
            for column, value in zip(HEADERS[file], row, strict=True):
                if len(value) > FIELD_BOUND:
                    raise BceReadError(
                        f"a value of {len(value):,} characters is longer than the "
                        f"{FIELD_BOUND:,} the BCE allows",
                        file=file,
                        line=line,
                        column=column,
                    )
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
