"""Value objects of the engine: what it reads (meta), what it is told (config),
and the only thing that leaves it (``Company``)."""

import io
import json
import zipfile
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from operator import attrgetter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from .memory import use_returning_allocators

LANGUAGES = ("fr", "nl", "de")


@dataclass(frozen=True)
class ExtractMeta:
    """``meta.csv`` of an extract: which snapshot the data describes."""

    extract_type: str  # "full" or "update"
    extract_number: int
    snapshot_date: date
    extract_timestamp: datetime
    version: str


@dataclass(frozen=True)
class EngineConfig:
    """Choices of the importing company; the stored state does not depend on them,
    so one state serves any configuration.

    ``preferred_name_language``: the name (denomination type 001) is taken in this
    language when the BCE has it, else in the language of the seat's region, else
    the first of French, Dutch, German, English, unknown.
    ``max_shared_contacts``: an e-mail or phone held by more enterprises than this is
    an accountant's or a domiciliation firm's and is dropped.
    ``drop_flagged``: drop what may identify a natural person (companies named
    after a person, mobile numbers) instead of only flagging it.
    ``keep_municipality``: give the municipality names along with the postal code.
    """

    preferred_name_language: str = "fr"
    max_shared_contacts: int = 3
    drop_flagged: bool = False
    keep_municipality: bool = True

    def __post_init__(self):
        if self.preferred_name_language not in LANGUAGES:
            raise ValueError(
                f"preferred_name_language must be one of {LANGUAGES}, "
                f"not {self.preferred_name_language!r}"
            )
        if self.max_shared_contacts < 1:
            raise ValueError("max_shared_contacts must be at least 1")


@dataclass(frozen=True)
class Company:
    """The minimised record of one legal person: nothing else leaves the engine."""

    bce_number: str  # 10 digits
    name: str | None
    name_language: str | None  # fr, nl, de, en or None (unknown)
    juridical_form: str | None
    juridical_form_cac: str | None
    start_date: date | None
    postal_code: str | None  # Belgian seat only
    municipality_fr: str | None
    municipality_nl: str | None
    emails: tuple = ()
    phones: tuple = ()  # E.164
    language: str = "fr"  # fr, nl or de: the language to address the company in
    nace_codes: tuple = ()  # (version, code, classification), MAIN first
    flags: tuple = ()  # reason codes, see ``reasons.FLAG_REASONS``
    extract_number: int | None = None
    snapshot_date: date | None = field(default=None)

    def same_data(self, other):
        """True when only the extract it was read from differs (field by field:
        two copies per comparison cost a mass update seconds)."""
        return _company_data(self) == _company_data(other)


# the fields of a ``Company`` that are its data, not where it was read from
_company_data = attrgetter(
    *(item.name for item in fields(Company) if item.name not in ("extract_number", "snapshot_date"))
)

STATE_TABLES = {
    "enterprises": ("bce", "juridical_form", "juridical_form_cac", "start_date"),
    "units": ("unit", "bce"),
    "names": ("entity", "language", "name"),
    "addresses": ("entity", "postal_code", "municipality_fr", "municipality_nl", "abroad"),
    "contacts": ("entity", "kind", "value", "mobile"),
    "activities": ("entity", "version", "code", "classification"),
}
FIRST_UNIT = 2_000_000_000  # establishment and branch numbers start at 2


def _pack_texts(values):
    """Texts as one UTF-8 buffer: savez without pickle, a few bytes per text."""
    return np.frombuffer("\x00".join(values).encode("utf-8"), dtype=np.uint8)


def _unpack_texts(buffer, count):
    if count == 0:
        return []
    return bytes(buffer).decode("utf-8").split("\x00")


def _unpack_text_array(buffer, count):
    """The ``count`` texts of ``buffer`` as a string array built on the bytes
    themselves: a Python string per row would cost the national names 150 MB
    for a moment, in every step that loads the state."""
    data = np.asarray(buffer, dtype=np.uint8)
    ends = np.flatnonzero(data == 0)
    if count == 0 or len(ends) != count - 1:
        return pd.array(_unpack_texts(buffer, count), dtype="str")
    starts = np.concatenate([[0], ends + 1])
    stops = np.concatenate([ends, [len(data)]])
    offsets = np.concatenate([[0], np.cumsum(stops - starts)])
    kind = pa.large_string() if offsets[-1] >= 1 << 31 else pa.string()
    offsets = offsets.astype(np.int64 if kind == pa.large_string() else np.int32)
    array = pa.Array.from_buffers(
        kind, count, [None, pa.py_buffer(offsets), pa.py_buffer(data[data != 0])]
    )
    array.validate(full=True)  # UTF-8, as decoding it would check
    return pd.array(array, dtype="str")


@dataclass(frozen=True, eq=False)
class LegalPersonState:
    """Every legal person of an extract, minimised, as compact pandas tables.

    Not only the prospects: an update must be checked against every legal person
    already known, and so must the sharing of contacts. Rows keep the entity they
    belong to (enterprise, establishment or branch number as int64) because update
    files delete by entity; ``units`` maps establishments and branches to their
    enterprise. Only what ``Company`` needs is held: names of type 001, the seat's
    postal code and municipality, kept e-mails and phones, NACE 2008 and 2025 codes.
    Every table is sorted by its first column, so that an update finds the rows of a
    key by binary search instead of scanning millions of rows.
    """

    meta: ExtractMeta
    enterprises: pd.DataFrame  # bce, juridical_form, juridical_form_cac, start_date
    units: pd.DataFrame  # unit, bce
    names: pd.DataFrame  # entity, language (0 unknown, 1 fr, 2 nl, 3 de, 4 en), name
    addresses: pd.DataFrame  # entity, postal_code, municipality_fr, municipality_nl, abroad
    contacts: pd.DataFrame  # entity, kind (EMAIL/TEL), value (lower-case / E.164), mobile
    activities: pd.DataFrame  # entity, version (2008/2025), code, classification (0 MAIN…)

    def __len__(self):
        return len(self.enterprises)

    def owners(self, entities):
        """Enterprise number (int64) of each entity, -1 when it is unknown."""
        entities = np.asarray(entities, dtype=np.int64)
        owners = np.where(entities < FIRST_UNIT, entities, -1)
        units = entities >= FIRST_UNIT
        if units.any() and len(self.units):
            known = self.units["unit"].to_numpy()  # sorted
            wanted = entities[units]
            positions = np.minimum(np.searchsorted(known, wanted), len(known) - 1)
            bce = self.units["bce"].to_numpy()[positions]
            owners[units] = np.where(known[positions] == wanted, bce, -1)
        return owners

    def to_bytes(self):
        """A compressed ``.npz`` (no pickle, so loading it cannot run code)."""
        arrays, schema = {}, {}
        for table, columns in STATE_TABLES.items():
            frame = getattr(self, table)
            schema[table] = {"rows": len(frame), "columns": {}}
            for column in columns:
                key, series = f"{table}.{column}", frame[column]
                if isinstance(series.dtype, pd.CategoricalDtype):
                    kind = "category"
                    arrays[key] = series.cat.codes.to_numpy()
                    arrays[key + ".categories"] = _pack_texts(series.cat.categories)
                    schema[table]["columns"][column + ".categories"] = len(series.cat.categories)
                elif column == "start_date":
                    kind = "date"
                    arrays[key] = series.to_numpy().astype("datetime64[D]").view(np.int64)
                elif series.dtype.kind in "biuf":
                    kind = "numpy"
                    arrays[key] = series.to_numpy()
                else:
                    kind = "text"
                    arrays[key] = _pack_texts(series.tolist())
                schema[table]["columns"][column] = kind
        meta = asdict(self.meta)
        meta["snapshot_date"] = self.meta.snapshot_date.isoformat()
        meta["extract_timestamp"] = self.meta.extract_timestamp.isoformat()
        header = json.dumps({"meta": meta, "schema": schema}).encode()
        arrays["header"] = np.frombuffer(header, dtype=np.uint8)
        buffer = io.BytesIO()
        # what np.savez_compressed writes, with the fastest deflate level: the
        # sorted number columns compress well even so, in a fraction of the time
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name, array in arrays.items():
                with archive.open(f"{name}.npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, np.asarray(array), allow_pickle=False)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data):
        use_returning_allocators()
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            header = json.loads(bytes(arrays["header"]).decode())
            tables = {}
            for table, spec in header["schema"].items():
                rows, columns = spec["rows"], {}
                for column in STATE_TABLES[table]:
                    kind, key = spec["columns"][column], f"{table}.{column}"
                    if kind == "category":
                        count = spec["columns"][column + ".categories"]
                        categories = _unpack_texts(arrays[key + ".categories"], count)
                        columns[column] = pd.Categorical.from_codes(
                            arrays[key], categories=pd.Index(categories, dtype="str")
                        )
                    elif kind == "date":
                        columns[column] = arrays[key].view("datetime64[D]")
                    elif kind == "numpy":
                        columns[column] = arrays[key]
                    else:
                        columns[column] = _unpack_text_array(arrays[key], rows)
                # the arrays are this load's own: taken, not copied (the national
                # activities would be held twice for a moment)
                tables[table] = pd.DataFrame(columns, columns=list(STATE_TABLES[table]), copy=False)
        meta = header["meta"]
        meta["snapshot_date"] = date.fromisoformat(meta["snapshot_date"])
        meta["extract_timestamp"] = datetime.fromisoformat(meta["extract_timestamp"])
        return cls(meta=ExtractMeta(**meta), **tables)

    def save(self, path):
        Path(path).write_bytes(self.to_bytes())

    @classmethod
    def load(cls, path):
        return cls.from_bytes(Path(path).read_bytes())
