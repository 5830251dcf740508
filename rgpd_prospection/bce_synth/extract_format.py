"""How the BCE spells its open-data extracts, and the containers (ZIP or folder) that hold them.

Quoted texts, unquoted dates, NULL as nothing between commas: :func:`render` builds a whole
block of rows at once from numpy columns, :func:`format_row` one row from Python values, with
the same per-column rule, so a re-read row can be rewritten byte for byte.
"""

import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

HEADERS = {
    "meta": ["Variable", "Value"],
    "code": ["Category", "Code", "Language", "Description"],
    "enterprise": [
        "EnterpriseNumber",
        "Status",
        "JuridicalSituation",
        "TypeOfEnterprise",
        "JuridicalForm",
        "JuridicalFormCAC",
        "StartDate",
    ],
    "establishment": ["EstablishmentNumber", "StartDate", "EnterpriseNumber"],
    "denomination": ["EntityNumber", "Language", "TypeOfDenomination", "Denomination"],
    "address": [
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
    "contact": ["EntityNumber", "EntityContact", "ContactType", "Value"],
    "activity": ["EntityNumber", "ActivityGroup", "NaceVersion", "NaceCode", "Classification"],
    "branch": ["Id", "StartDate", "EnterpriseNumber"],
}
DATA_TABLES = (
    "enterprise",
    "establishment",
    "denomination",
    "address",
    "contact",
    "activity",
    "branch",
)
KEY_COLUMNS = {
    "enterprise": "EnterpriseNumber",
    "establishment": "EstablishmentNumber",
    "branch": "Id",
    "denomination": "EntityNumber",
    "address": "EntityNumber",
    "contact": "EntityNumber",
    "activity": "EntityNumber",
}
# How an empty value is spelled, per column: "q" quoted ``""``, "n" NULL, "d" date (NULL).
# One fixed rule per column is what lets a re-read row be rewritten byte for byte.
COLUMN_KINDS = {
    "meta": "qq",
    "code": "qqqq",
    "enterprise": "qqqqnnd",
    "establishment": "qdq",
    "denomination": "qqqq",
    "address": "qqnnqqqqqqqqd",
    "contact": "qqqq",
    "activity": "qqqqq",
    "branch": "qdq",
}
VERSION = "1.0.0"
BOM = b"\xef\xbb\xbf"
CHUNK = 50_000
EPOCH = date(1970, 1, 1)


# --- small helpers ----------------------------------------------------------------------------
def escape_csv(text):
    """CSV escaping inside quotes (doubling), as UTF-8 bytes, ready to be composed."""
    return text.replace('"', '""').encode("utf-8")


def escaped_array(texts):
    return np.array([escape_csv(t) for t in texts], dtype=bytes)


def days_since_epoch(day):
    return (day - EPOCH).days


def _check_digits(prefix):
    return 97 - prefix % 97


def numbers_with_check(prefixes):
    """8-digit prefixes -> 10-digit numbers with the mod-97 check the BCE uses for all three
    kinds of number (enterprise, establishment, branch)."""
    prefixes = np.asarray(prefixes, dtype=np.int64)
    return prefixes * 100 + _check_digits(prefixes)


def _digit_matrix(numbers):
    powers = 10 ** np.arange(9, -1, -1, dtype=np.int64)
    return ((numbers[:, None] // powers) % 10 + 48).astype(np.uint8)


def _dotted_spelling(numbers, layout):
    """Spell numbers as ``0200.065.765`` (layout (4,3,3)) or ``2.000.000.339`` (1,3,3,3)."""
    digits = _digit_matrix(np.asarray(numbers, dtype=np.int64))
    parts, start = [], 0
    for i, size in enumerate(layout):
        if i:
            parts.append(np.full((len(digits), 1), ord("."), np.uint8))
        parts.append(digits[:, start : start + size])
        start += size
    spelled = np.ascontiguousarray(np.concatenate(parts, axis=1))
    return spelled.view(f"S{spelled.shape[1]}").ravel()


def enterprise_spelling(numbers):
    return _dotted_spelling(numbers, (4, 3, 3))


def unit_spelling(numbers):
    """Establishment numbers and branch ids share the ``9.000.006.626`` spelling."""
    return _dotted_spelling(numbers, (1, 3, 3, 3))


def date_spelling(days):
    """Days since 1970 -> ``dd-mm-yyyy`` bytes."""
    iso = np.datetime_as_string(np.asarray(days, dtype="datetime64[D]")).astype("S10")
    reordered = iso.view(np.uint8).reshape(-1, 10)[:, [8, 9, 7, 5, 6, 4, 0, 1, 2, 3]]
    return np.ascontiguousarray(reordered).view("S10").ravel()


@dataclass
class Quoted:
    """A column written between quotes; rows where ``null`` is true are written as NULL."""

    values: np.ndarray
    null: np.ndarray | None = None


def _byte_matrix(column, n):
    if isinstance(column, bytes):
        return np.broadcast_to(np.frombuffer(column, np.uint8), (n, len(column)))
    column = np.ascontiguousarray(column)
    if column.dtype.itemsize == 0:
        return np.zeros((n, 0), np.uint8)
    return column.view(np.uint8).reshape(n, column.dtype.itemsize)


def render(columns, eol=b"\n"):
    """Columns (constant bytes, raw ``S`` arrays or :class:`Quoted`) -> CSV bytes.

    Every value becomes a zero-padded byte matrix; the rows are concatenated and the
    padding dropped in one mask, so no Python object is built per row."""
    n = next(
        len(c.values if isinstance(c, Quoted) else c) for c in columns if not isinstance(c, bytes)
    )
    if n == 0:
        return b""
    pieces = []
    for i, column in enumerate(columns):
        if i:
            pieces.append(_byte_matrix(b",", n))
        if isinstance(column, Quoted):
            quote = np.full((n, 1), ord('"'), np.uint8)
            if column.null is not None:
                quote[column.null] = 0
            pieces += [quote, _byte_matrix(column.values, n), quote]
        else:
            pieces.append(_byte_matrix(column, n))
    pieces.append(_byte_matrix(eol, n))
    padded = np.concatenate(pieces, axis=1)
    return padded[padded != 0].tobytes()


def format_row(table, values, eol=b"\n"):
    """One row from Python values, with the per-column spelling of :data:`COLUMN_KINDS`."""
    out = []
    for kind, value in zip(COLUMN_KINDS[table], values, strict=True):
        if value == "" and kind in "nd":
            out.append(b"")
        elif kind == "d":
            out.append(value.encode())
        else:
            out.append(b'"' + escape_csv(value) + b'"')
    return b",".join(out) + eol


# --- containers -------------------------------------------------------------------------------
def extract_file_name(number, snapshot_date, kind):
    """``KboOpenData_0147_2025_10_12_Full.zip``: the date is the extraction day."""
    day = snapshot_date + timedelta(days=1)
    return f"KboOpenData_{number:04d}_{day:%Y_%m_%d}_{kind}.zip"


class ExtractWriter:
    """Members of an extract, written into a ZIP (deterministic bytes) or a folder."""

    def __init__(self, path, as_folder, stored, stamp):
        self.path, self.as_folder, self.stored, self.stamp = path, as_folder, stored, stamp
        if as_folder:
            path.mkdir(parents=True, exist_ok=True)
            self.zip = None
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.zip = zipfile.ZipFile(path, "w", allowZip64=True)

    def open(self, name):
        if self.zip is None:
            return open(self.path / name, "wb")
        info = zipfile.ZipInfo(name, date_time=self.stamp.timetuple()[:6])
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_STORED if self.stored else zipfile.ZIP_DEFLATED
        info._compresslevel = 1  # ZipFile.open(ZipInfo) ignores the archive's compresslevel
        return self.zip.open(info, "w", force_zip64=True)

    def close(self):
        if self.zip is not None:
            self.zip.close()


class ExtractReader:
    """Read the members of an extract given as a ZIP or a folder."""

    def __init__(self, path):
        self.path = Path(path)
        self.zip = None if self.path.is_dir() else zipfile.ZipFile(self.path)

    def names(self):
        if self.zip is None:
            return [p.name for p in self.path.iterdir()]
        return self.zip.namelist()

    def open(self, name):
        if self.zip is None:
            return open(self.path / name, "rb")
        return self.zip.open(name)

    def read(self, name):  # pylint: disable=method-required-super
        with self.open(name) as f:
            return f.read()

    def close(self):
        if self.zip is not None:
            self.zip.close()


def meta_rows(snapshot, stamp, kind, number):
    return [
        ["SnapshotDate", f"{snapshot:%d-%m-%Y}"],
        ["ExtractTimestamp", f"{stamp:%d-%m-%Y %H:%M:%S}"],
        ["ExtractType", kind],
        ["ExtractNumber", str(number)],
        ["Version", VERSION],
    ]


def write_small_table(sink, name, table, header, rows, bom, eol):
    with sink.open(name) as f:
        f.write(
            (BOM if bom else b"") + b",".join(b'"' + escape_csv(h) + b'"' for h in header) + eol
        )
        for row in rows:
            f.write(format_row(table, row, eol))


def write_meta(sink, snapshot, stamp, kind, number, bom, eol):
    """Write ``meta.csv`` of an extract of ``kind`` (full or update)."""
    rows = meta_rows(snapshot, stamp, kind, number)
    write_small_table(sink, "meta.csv", "meta", HEADERS["meta"], rows, bom, eol)


def header_line(table, eol):
    return b",".join(b'"' + h.encode() + b'"' for h in HEADERS[table]) + eol


def extract_timestamp(seed, snapshot):
    rng = np.random.default_rng([seed, 7])
    day = snapshot + timedelta(days=1)
    return datetime(
        day.year,
        day.month,
        day.day,
        5 + int(rng.integers(3)),
        int(rng.integers(60)),
        int(rng.integers(60)),
    )
