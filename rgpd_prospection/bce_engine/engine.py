"""The engine's API: read a full extract, apply an update, list the companies of a
perimeter.

Privacy by design: natural persons and everything not shown to belong to a legal
person are dropped while the CSVs are read, and contacts are classified before
anything is kept, so the state never holds what the GDPR forbids to keep.

Drop counts: ``natural_person`` and ``unknown_type`` count enterprises;
``not_legal_person`` counts rows of the other tables (names, addresses, contacts,
activities, establishments, branches) not shown to belong to a legal person; the
contact reasons count contact rows; ``outside_perimeter``, ``blacklisted`` and
``personal_name`` count companies, ``shared_contact`` and ``mobile_phone`` the
contacts left out of the companies given.
"""

import re
import unicodedata
from collections import Counter

import numpy as np
import pandas as pd

from . import reasons
from .emails import GENERIC_WORDS, PARTICLES, classify_email
from .emails import first_names as known_first_names
from .errors import BceFormatError
from .language import company_language, postal_code_number, region_language
from .model import Company, EngineConfig, LegalPersonState
from .numbers import normalize_enterprise_number
from .phones import normalize_phone
from .reader import CHUNK_ROWS, CORE_TABLES, TABLES, Extract, meta_of, read_table

NAME_LANGUAGES = {0: None, 1: "fr", 2: "nl", 3: "de", 4: "en"}
LANGUAGE_CODES = {language: code for code, language in NAME_LANGUAGES.items()}
# Fallback order of name languages after the preferred one and the region's.
NAME_FALLBACK = (1, 2, 3, 4, 0)
CLASSIFICATIONS = ("MAIN", "SECO", "ANCI")
KEPT_CONTACT_TYPES = ("EMAIL", "TEL")
KNOWN_CONTACT_TYPES = frozenset({"EMAIL", "TEL", "WEB"})

# Forms a single founder can hold, under which a company is often named after him:
# SRL/BV, the former SPRL/BVBA and SPRLU/EBVBA, their social-purpose variants, and
# the limited partnerships (named after the active partner).
ONE_PERSON_FORMS = frozenset({"010", "015", "510", "515", "610", "012", "612"})
LEGAL_FORM_WORDS = frozenset(
    ("bv", "bvba", "ebvba", "srl", "sprl", "sprlu", "comm", "commv", "v", "scomm", "scs")
    + ("gcv", "cv", "nv", "sa")
)
_WORD = re.compile(r"[a-z]+")
_DIGIT = re.compile(r"\d")


def _fold(text):
    text = unicodedata.normalize("NFKD", text.lower())
    return text.encode("ascii", "ignore").decode()


def is_personal_name(name, juridical_form=None, juridical_form_cac=None):
    """A one-person company named after a natural person: under a form of
    ``ONE_PERSON_FORMS``, the name without its legal form is two or three words
    (particles such as ``van den`` aside), none a generic business word, one a known
    first name (Faker's lists, the same as the e-mail classifier's)."""
    if not name or not {juridical_form, juridical_form_cac} & ONE_PERSON_FORMS:
        return False
    if _DIGIT.search(name):
        return False
    words = [
        word
        for word in _WORD.findall(_fold(name))
        if word not in LEGAL_FORM_WORDS and word not in PARTICLES
    ]
    if not 2 <= len(words) <= 3 or any(len(word) < 2 or word in GENERIC_WORDS for word in words):
        return False
    first_names = known_first_names()
    return any(word in first_names for word in words)


class _Vocabulary:
    """Gives the categories of successive chunks one numbering."""

    def __init__(self, values=()):
        self.values = list(values)
        self.ids = {value: index for index, value in enumerate(self.values)}

    def _id(self, value):
        index = self.ids.get(value)
        if index is None:
            index = self.ids[value] = len(self.values)
            self.values.append(value)
        return index

    def encode(self, series):
        categories = series.cat.categories
        mapping = np.fromiter(
            (self._id(value) for value in categories), dtype=np.int32, count=len(categories)
        )
        codes = series.cat.codes.to_numpy()
        ids = np.full(len(codes), -1, dtype=np.int32)
        known = codes >= 0
        ids[known] = mapping[codes[known]]
        return ids

    def categorical(self, ids):
        categories = pd.Index(self.values, dtype="str")
        return pd.Categorical.from_codes(ids, categories=categories)


def _category_values(series, function, dtype=object, missing=None):
    """Apply ``function`` to each category once; -> an array aligned on the rows
    (``missing`` where the value is NULL)."""
    categories = series.cat.categories
    results = np.array([function(value) for value in categories], dtype=dtype)
    codes = series.cat.codes.to_numpy()
    out = np.full(len(codes), missing, dtype=dtype)
    known = codes >= 0
    out[known] = results[codes[known]]
    return out


def _member(numbers, index):
    return index.get_indexer(numbers) >= 0


def _in_sorted(values, array):
    """Membership by binary search in a sorted array: no hash table to build, which
    is what an update, with a few rows against millions, needs."""
    if not len(array):
        return np.zeros(len(values), dtype=bool)
    positions = np.minimum(np.searchsorted(array, values), len(array) - 1)
    return array[positions] == values


def _rows_for(entities, keys):
    """Positions of the rows of ``keys`` in a column sorted by entity."""
    keys = np.unique(np.asarray(keys, dtype=np.int64))
    starts = np.searchsorted(entities, keys, "left")
    lengths = np.searchsorted(entities, keys, "right") - starts
    offsets = np.cumsum(lengths) - lengths
    return np.repeat(starts - offsets, lengths) + np.arange(lengths.sum())


def _sorted_by(frame, column):
    """``frame`` ordered by ``column`` (stable: an entity's rows keep their order)."""
    values = frame[column].to_numpy()
    if len(values) < 2 or (values[1:] >= values[:-1]).all():
        return frame.reset_index(drop=True)
    return frame.take(np.argsort(values, kind="stable")).reset_index(drop=True)


class _Numbers:
    """A set of entity numbers from disjoint sorted arrays (enterprises, units):
    hashed for the millions of rows of a full read, searched for an update's few."""

    def __init__(self, *arrays, hashed):
        self.arrays = [np.asarray(array, dtype=np.int64) for array in arrays]
        self.index = pd.Index(np.concatenate(self.arrays)) if hashed else None

    def contains(self, values):
        values = np.asarray(values, dtype=np.int64)
        if self.index is not None:
            return self.index.get_indexer(values) >= 0
        mask = np.zeros(len(values), dtype=bool)
        for array in self.arrays:
            mask |= _in_sorted(values, array)
        return mask


class _Reading:
    """Reads the tables of one extract into state fragments, counting drops."""

    def __init__(self, extract, drops, progress, chunk_rows):
        self.extract = extract
        self.drops = drops
        self.progress = progress
        self.chunk_rows = chunk_rows
        self.rows = {}

    def table(self, file, columns, required=()):
        self.rows[file] = 0
        for offset, chunk in read_table(
            self.extract,
            file,
            columns,
            required=required,
            chunk_rows=self.chunk_rows,
            progress=self.progress,
        ):
            self.rows[file] = offset + len(chunk)
            yield offset, chunk

    def core_row_counts(self, suffix):
        """Rows of each core table's file (``<table><suffix>.csv``), as ``count_rows``."""
        return {table: self.rows[f"{table}{suffix}.csv"] for table in CORE_TABLES}

    def keys(self, file, column):
        parts = [chunk[column].to_numpy() for _, chunk in self.table(file, [column])]
        return np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)

    def enterprises(self, file, unique):
        """Legal persons of ``file`` and every number it lists (of any type).

        ``unique``: a full extract lists each enterprise once; an update may repeat a
        line, the last one wins."""
        forms, forms_cac = _Vocabulary(), _Vocabulary()
        numbers, legal = [], []
        columns = [
            "EnterpriseNumber",
            "Status",
            "TypeOfEnterprise",
            "JuridicalForm",
            "JuridicalFormCAC",
            "StartDate",
        ]
        for _offset, chunk in self.table(file, columns, required=("Status", "TypeOfEnterprise")):
            kind = chunk["TypeOfEnterprise"].astype(str).to_numpy()
            self.drops[reasons.NATURAL_PERSON] += int((kind == "1").sum())
            self.drops[reasons.UNKNOWN_TYPE] += int((kind == "0").sum())
            numbers.append(chunk["EnterpriseNumber"].to_numpy())
            rows = chunk[kind == "2"]
            legal.append(
                pd.DataFrame(
                    {
                        "bce": rows["EnterpriseNumber"].to_numpy(),
                        "juridical_form": forms.encode(rows["JuridicalForm"]),
                        "juridical_form_cac": forms_cac.encode(rows["JuridicalFormCAC"]),
                        "start_date": rows["StartDate"].to_numpy(),
                    }
                )
            )
        numbers = np.concatenate(numbers) if numbers else np.empty(0, dtype=np.int64)
        frame = pd.concat(legal, ignore_index=True) if legal else None
        if unique:
            duplicated = pd.Series(numbers).duplicated().to_numpy()
            if duplicated.any():
                record = int(np.argmax(duplicated))
                self.extract.fail(
                    file,
                    record,
                    "EnterpriseNumber",
                    "this enterprise number already appears on an earlier line",
                )
        elif frame is not None:
            frame = frame.drop_duplicates("bce", keep="last")
        if frame is None:
            frame = pd.DataFrame(
                {
                    "bce": np.empty(0, np.int64),
                    "juridical_form": np.empty(0, np.int32),
                    "juridical_form_cac": np.empty(0, np.int32),
                    "start_date": np.empty(0, "datetime64[D]"),
                }
            )
        frame["juridical_form"] = forms.categorical(frame["juridical_form"].to_numpy())
        frame["juridical_form_cac"] = forms_cac.categorical(frame["juridical_form_cac"].to_numpy())
        return frame.reset_index(drop=True), np.unique(numbers)

    def units(self, file, number_column, legal):
        """Establishments or branches of legal persons, and every number listed."""
        parts, numbers = [], []
        for _offset, chunk in self.table(file, [number_column, "StartDate", "EnterpriseNumber"]):
            units = chunk[number_column].to_numpy()
            owners = chunk["EnterpriseNumber"].to_numpy()
            numbers.append(units)
            of_legal = legal.contains(owners)
            self.drops[reasons.NOT_LEGAL_PERSON] += int((~of_legal).sum())
            parts.append(pd.DataFrame({"unit": units[of_legal], "bce": owners[of_legal]}))
        frame = pd.concat(parts, ignore_index=True) if parts else _empty_units()
        numbers = np.concatenate(numbers) if numbers else np.empty(0, dtype=np.int64)
        return frame.drop_duplicates("unit", keep="last"), np.unique(numbers)

    def _known(self, entities, known):
        is_known = known.contains(entities)
        self.drops[reasons.NOT_LEGAL_PERSON] += int((~is_known).sum())
        return is_known

    def names(self, file, legal, known):
        parts = []
        columns = ["EntityNumber", "Language", "TypeOfDenomination", "Denomination"]
        for _offset, chunk in self.table(file, columns, required=columns[:3]):
            entities = chunk["EntityNumber"].to_numpy()
            keep = self._known(entities, known)
            keep &= chunk["TypeOfDenomination"].astype(str).to_numpy() == "001"
            keep &= legal.contains(entities)
            keep &= chunk["Denomination"].notna().to_numpy()
            rows = chunk[keep]
            parts.append(
                pd.DataFrame(
                    {
                        "entity": rows["EntityNumber"].to_numpy(),
                        "language": rows["Language"].astype(str).astype(np.int8).to_numpy(),
                        "name": rows["Denomination"].str.strip().array,
                    }
                )
            )
        return pd.concat(parts, ignore_index=True) if parts else _empty_names()

    def addresses(self, file, legal, known):
        postal, municipality_fr, municipality_nl = _Vocabulary(), _Vocabulary(), _Vocabulary()
        parts = []
        columns = [
            "EntityNumber",
            "TypeOfAddress",
            "CountryNL",
            "Zipcode",
            "MunicipalityNL",
            "MunicipalityFR",
            "DateStrikingOff",
        ]
        for _offset, chunk in self.table(file, columns, required=("TypeOfAddress",)):
            entities = chunk["EntityNumber"].to_numpy()
            keep = self._known(entities, known)
            keep &= chunk["TypeOfAddress"].astype(str).to_numpy() == "REGO"
            keep &= legal.contains(entities)
            rows = chunk[keep]
            parts.append(
                pd.DataFrame(
                    {
                        "entity": rows["EntityNumber"].to_numpy(),
                        "postal_code": postal.encode(rows["Zipcode"]),
                        "municipality_fr": municipality_fr.encode(rows["MunicipalityFR"]),
                        "municipality_nl": municipality_nl.encode(rows["MunicipalityNL"]),
                        "abroad": rows["CountryNL"].notna().to_numpy(),
                    }
                )
            )
        if not parts:
            return _empty_addresses()
        frame = pd.concat(parts, ignore_index=True)
        frame["postal_code"] = postal.categorical(frame["postal_code"].to_numpy())
        frame["municipality_fr"] = municipality_fr.categorical(frame["municipality_fr"].to_numpy())
        frame["municipality_nl"] = municipality_nl.categorical(frame["municipality_nl"].to_numpy())
        return frame

    def contacts(self, file, known):
        """Kept e-mails (generic, lower-case) and phones (E.164), classified here so
        that nominative or private ones are never stored."""
        parts = []
        columns = ["EntityNumber", "EntityContact", "ContactType", "Value"]
        for _offset, chunk in self.table(file, columns, required=columns[:3]):
            chunk = chunk[self._known(chunk["EntityNumber"].to_numpy(), known)]
            kinds = chunk["ContactType"].astype(str).to_numpy()
            unknown = ~np.isin(kinds, list(KNOWN_CONTACT_TYPES))
            self.drops[reasons.UNKNOWN_CODE] += int(unknown.sum())
            values = chunk["Value"].fillna("").str.strip().to_numpy(dtype=object)
            for kind in KEPT_CONTACT_TYPES:
                selected = kinds == kind
                if not selected.any():
                    continue
                entities, raw = chunk["EntityNumber"].to_numpy()[selected], values[selected]
                unique, inverse = np.unique(raw, return_inverse=True)
                if kind == "EMAIL":
                    verdicts = [classify_email(value) for value in unique]
                    kept = np.array([verdict.keep for verdict in verdicts], dtype=bool)
                    normal = np.array([value.lower() for value in unique], dtype=object)
                    mobile = np.zeros(len(unique), dtype=bool)
                else:
                    verdicts = [normalize_phone(value) for value in unique]
                    kept = np.array([verdict.e164 is not None for verdict in verdicts], dtype=bool)
                    normal = np.array([verdict.e164 for verdict in verdicts], dtype=object)
                    mobile = np.array([verdict.is_mobile for verdict in verdicts], dtype=bool)
                row_kept = kept[inverse]
                dropped = Counter(verdicts[i].reason for i in inverse[~row_kept])
                self.drops.update(dropped)
                parts.append(
                    pd.DataFrame(
                        {
                            "entity": entities[row_kept],
                            "kind": kind,
                            "value": pd.array(normal[inverse[row_kept]], dtype="str"),
                            "mobile": mobile[inverse[row_kept]],
                        }
                    )
                )
        if not parts:
            return _empty_contacts()
        frame = pd.concat(parts, ignore_index=True)
        frame["kind"] = pd.Categorical(frame["kind"], categories=list(KEPT_CONTACT_TYPES))
        return frame.drop_duplicates(["entity", "kind", "value"], ignore_index=True)

    def activities(self, file, known, codes):
        """NACE 2008 and 2025 codes per entity, one row per (version, code) with the
        strongest classification: the same code in several activity groups is one.

        The BCE writes an entity's rows together, so each chunk is de-duplicated on
        its own; the rows of its last entity wait for the next chunk, which may hold
        more of them. Only the de-duplicated rows are kept, in compact columns."""
        parts, carry = [], np.empty(0, dtype=np.int64)
        columns = ["EntityNumber", "NaceVersion", "NaceCode", "Classification"]
        for _offset, chunk in self.table(file, columns, required=columns[1:]):
            entities = chunk["EntityNumber"].to_numpy()
            if not len(entities):
                continue
            keep = self._known(entities, known)
            version = chunk["NaceVersion"].astype(str).to_numpy()
            keep &= version != "2003"
            code_ids = codes.encode(chunk["NaceCode"])
            ranks = _category_values(chunk["Classification"], CLASSIFICATIONS.index, np.int64, 0)
            packed = _pack_activity(
                entities[keep], version[keep] == "2025", code_ids[keep], ranks[keep]
            )
            keys = _best_activities(np.concatenate([carry, packed]))
            waiting = (keys >> _ENTITY_SHIFT) == entities[-1]
            carry = keys[waiting]
            parts.append(_unpack_activities(keys[~waiting]))
        parts.append(_unpack_activities(carry))
        frame = pd.DataFrame(
            {
                name: np.concatenate([part[name] for part in parts])
                for name in ("entity", "version", "code", "classification")
            },
            copy=False,
        )
        frame["code"] = codes.categorical(frame["code"].to_numpy())
        return frame


# Activity rows packed in one int64 (entity 34 bits, version 1, code 16, class 2)
# so that de-duplication is one numpy sort.
_CODE_BITS = 16
_ENTITY_SHIFT = 3 + _CODE_BITS


def _pack_activity(entities, is_2025, code_ids, ranks):
    if len(code_ids) and code_ids.max() >= 1 << _CODE_BITS:
        raise BceFormatError("more distinct NACE codes than the engine can hold")
    return (
        (entities.astype(np.int64) << _ENTITY_SHIFT)
        | (is_2025.astype(np.int64) << (2 + _CODE_BITS))
        | (code_ids.astype(np.int64) << 2)
        | ranks
    )


def _best_activities(keys):
    """Sorted unique keys, the strongest classification only per (entity, version, code)."""
    keys = np.unique(keys)
    if len(keys):
        first = np.ones(len(keys), dtype=bool)
        first[1:] = (keys[1:] >> 2) != (keys[:-1] >> 2)
        keys = keys[first]
    return keys


def _unpack_activities(keys):
    return {
        "entity": keys >> _ENTITY_SHIFT,
        "version": np.where((keys >> (2 + _CODE_BITS)) & 1, 2025, 2008).astype(np.int16),
        "code": ((keys >> 2) & ((1 << _CODE_BITS) - 1)).astype(np.int32),
        "classification": (keys & 3).astype(np.int8),
    }


def _empty_units():
    return pd.DataFrame({"unit": np.empty(0, np.int64), "bce": np.empty(0, np.int64)})


def _empty_names():
    return pd.DataFrame(
        {
            "entity": np.empty(0, np.int64),
            "language": np.empty(0, np.int8),
            "name": pd.array([], dtype="str"),
        }
    )


def _empty_addresses():
    empty = pd.Categorical([], categories=pd.Index([], dtype="str"))
    return pd.DataFrame(
        {
            "entity": np.empty(0, np.int64),
            "postal_code": empty,
            "municipality_fr": empty,
            "municipality_nl": empty,
            "abroad": np.empty(0, bool),
        }
    )


def _empty_contacts():
    return pd.DataFrame(
        {
            "entity": np.empty(0, np.int64),
            "kind": pd.Categorical([], categories=list(KEPT_CONTACT_TYPES)),
            "value": pd.array([], dtype="str"),
            "mobile": np.empty(0, bool),
        }
    )


class _Result:
    """What reading an extract gives: its state, the drops, and the companies."""

    def __init__(self, meta, state, config, drops, row_counts=None):
        self.meta = meta
        self.state = state
        self.config = config
        self.read_drops = drops
        self.selection_drops = Counter()
        # rows of the core tables, as ``count_rows`` gives them: sanity figures
        self.row_counts = row_counts or {}

    @property
    def drops(self):
        """Drops of the reading plus those of the last ``companies()`` call."""
        return self.read_drops + self.selection_drops

    def companies(self, perimeter, only=None):
        """The companies inside ``perimeter`` (the blacklist excluded), in number
        order; ``only`` restricts them to some enterprise numbers."""
        numbers = self._selected(perimeter, only)
        return build_companies(self.state, numbers, self.config, self.selection_drops)

    def numbers(self, perimeter, only=None):
        """The enterprise numbers (10 digits, in order) ``companies`` would give
        before its drops of companies, without building them: the selection's
        drops are counted anew, those of building by ``companies_of``."""
        return [f"{number:010d}" for number in self._selected(perimeter, only).tolist()]

    def _selected(self, perimeter, only):
        """The numbers (int64) selected, the selection's drops counted anew."""
        perimeter.check_not_empty()
        self.selection_drops = Counter()
        return select(self.state, perimeter, self.selection_drops, only=only)

    def companies_of(self, numbers):
        """The companies of ``numbers`` (some of those ``numbers`` gave), in
        number order; the companies dropped are added to the drops."""
        wanted = np.unique(np.asarray([int(number) for number in numbers], dtype=np.int64))
        return build_companies(self.state, wanted, self.config, self.selection_drops)


class FullResult(_Result):
    pass


class UpdateResult(_Result):
    def __init__(self, meta, state, config, drops, created, updated, stopped, row_counts=None):
        super().__init__(meta, state, config, drops, row_counts)
        self.created = created
        self.updated = updated
        self.stopped = stopped

    def _selected(self, perimeter, only):
        """Created and updated companies inside the perimeter; an updated one that
        is not given has left the perimeter."""
        return super()._selected(perimeter, self.created | self.updated if only is None else only)


def _check_files(extract, files):
    for file in files:
        extract.member(file)


def read_full_extract(zip_path, config=None, progress=None, chunk_rows=CHUNK_ROWS):
    """Read a full extract into the state of every legal person it holds.

    ``progress(step, done, total)`` is called after each chunk with the file name
    and the bytes read of it."""
    config = config or EngineConfig()
    drops = Counter()
    with Extract(zip_path) as extract:
        meta = meta_of(extract)
        if meta.extract_type != "full":
            raise BceFormatError(
                "this is an update extract: apply it with apply_update_extract", file="meta.csv"
            )
        _check_files(extract, [f"{table}.csv" for table in TABLES])
        reading = _Reading(extract, drops, progress, chunk_rows)
        enterprises, _numbers = reading.enterprises("enterprise.csv", unique=True)
        enterprises = _sorted_by(enterprises, "bce")
        legal = _Numbers(enterprises["bce"], hashed=True)
        establishments, _ = reading.units("establishment.csv", "EstablishmentNumber", legal)
        branches, _ = reading.units("branch.csv", "Id", legal)
        units = _sorted_by(pd.concat([establishments, branches], ignore_index=True), "unit")
        known = _Numbers(enterprises["bce"], units["unit"], hashed=True)
        state = LegalPersonState(
            meta=meta,
            enterprises=enterprises,
            units=units,
            names=_sorted_by(reading.names("denomination.csv", legal, known), "entity"),
            addresses=_sorted_by(reading.addresses("address.csv", legal, known), "entity"),
            contacts=_sorted_by(reading.contacts("contact.csv", known), "entity"),
            activities=_sorted_by(
                reading.activities("activity.csv", known, _Vocabulary()), "entity"
            ),
        )
    return FullResult(meta, state, config, drops, reading.core_row_counts(""))


def _replace_rows(old, remove, new, key):
    """``old`` (sorted by ``key``) without the rows of the keys ``remove``, with the
    rows ``new``, still sorted. Works column by column in numpy: two passes over the
    millions of rows of a table, whatever the size of the update."""
    old_keys = old[key].to_numpy()
    drop = _rows_for(old_keys, remove)
    new = _sorted_by(new, key)
    if not len(drop) and not len(new):
        return old
    inserted_at = np.searchsorted(old_keys, new[key].to_numpy(), "right")
    targets = inserted_at - np.searchsorted(drop, inserted_at) + np.arange(len(new))
    # runs of kept old rows, each copied as one slice
    bounds = np.unique(np.concatenate([[0, len(old)], drop, drop + 1, inserted_at]))
    starts, ends = bounds[:-1], bounds[1:]
    kept = ~_in_sorted(starts, drop)
    starts, ends = starts[kept], ends[kept]
    destinations = (
        starts - np.searchsorted(drop, starts) + np.searchsorted(inserted_at, starts, "right")
    )
    runs = list(zip(starts.tolist(), ends.tolist(), destinations.tolist(), strict=True))
    size = len(old) - len(drop) + len(new)
    columns = {}
    for column in old.columns:
        old_column, new_column = old[column], new[column]
        categorical = isinstance(old_column.dtype, pd.CategoricalDtype)
        if categorical:
            values = new_column.astype(object)
            categories = old_column.cat.categories
            missing = pd.Index(values.dropna().unique()).difference(categories)
            categories = categories.append(missing.astype("str"))
            old_values = old_column.cat.codes.to_numpy().astype(np.int32)
            new_values = pd.Categorical(values, categories=categories).codes
        else:
            old_values = old_column.to_numpy()
            new_values = new_column.to_numpy(dtype=old_values.dtype)
        merged = np.empty(size, dtype=old_values.dtype)
        for start, end, destination in runs:
            merged[destination : destination + end - start] = old_values[start:end]
        merged[targets] = new_values
        if categorical:
            columns[column] = pd.Categorical.from_codes(merged, categories=categories)
        elif old_values.dtype == object:
            columns[column] = pd.array(merged, dtype="str")
        else:
            columns[column] = merged
    return pd.DataFrame(columns, copy=False)


def apply_update_extract(zip_path, state, config=None, progress=None, chunk_rows=CHUNK_ROWS):
    """Apply an update extract to ``state``: per table, delete every row of each
    listed key, then insert the insert rows. Returns the new state and the legal
    persons created, updated (their ``Company`` changed) and stopped."""
    config = config or EngineConfig()
    drops = Counter()
    with Extract(zip_path) as extract:
        meta = meta_of(extract)
        if meta.extract_type != "update":
            raise BceFormatError(
                "this is a full extract: read it with read_full_extract", file="meta.csv"
            )
        expected = state.meta.extract_number + 1
        if meta.extract_number != expected:
            raise BceFormatError(
                f"update {meta.extract_number} does not follow extract "
                f"{state.meta.extract_number} (expected {expected}): a gap needs a new full "
                "extract",
                file="meta.csv",
            )
        _check_files(
            extract,
            [f"{table}_{action}.csv" for table in TABLES for action in ("delete", "insert")],
        )
        reading = _Reading(extract, drops, progress, chunk_rows)

        deleted = reading.keys("enterprise_delete.csv", "EnterpriseNumber")
        inserted, inserted_numbers = reading.enterprises("enterprise_insert.csv", unique=False)
        listed = np.union1d(deleted, inserted_numbers)
        enterprises = _replace_rows(state.enterprises, listed, inserted, "bce")
        legal_numbers = enterprises["bce"].to_numpy()
        gone = np.setdiff1d(listed, inserted["bce"].to_numpy())
        legal = _Numbers(legal_numbers, hashed=False)

        listed_units, inserted_units = [], []
        for table, column in (("establishment", "EstablishmentNumber"), ("branch", "Id")):
            listed_units.append(reading.keys(f"{table}_delete.csv", column))
            rows, numbers = reading.units(f"{table}_insert.csv", column, legal)
            listed_units.append(numbers)
            inserted_units.append(rows)
        inserted_units = pd.concat(inserted_units, ignore_index=True)
        inserted_units = inserted_units.drop_duplicates("unit", keep="last")
        orphaned = state.units["unit"].to_numpy()[_in_sorted(state.units["bce"].to_numpy(), gone)]
        listed_units = np.unique(np.concatenate([*listed_units, orphaned]))
        units = _replace_rows(state.units, listed_units, inserted_units, "unit")
        # entities whose rows must go even if the update does not list them
        gone = np.union1d(gone, listed_units[~_in_sorted(listed_units, units["unit"].to_numpy())])
        known = _Numbers(legal_numbers, units["unit"], hashed=False)

        touched_entities = [listed, listed_units]
        tables = {}
        codes = _Vocabulary(state.activities["code"].cat.categories)
        for table, file in (
            ("names", "denomination"),
            ("addresses", "address"),
            ("contacts", "contact"),
            ("activities", "activity"),
        ):
            keys = reading.keys(f"{file}_delete.csv", "EntityNumber")
            insert = f"{file}_insert.csv"
            if table == "names":
                new = reading.names(insert, legal, known)
            elif table == "addresses":
                new = reading.addresses(insert, legal, known)
            elif table == "contacts":
                new = reading.contacts(insert, known)
            else:
                new = reading.activities(insert, known, codes)
            old_rows = getattr(state, table)
            tables[table] = _replace_rows(old_rows, np.union1d(keys, gone), new, "entity")
            touched_entities += [keys, new["entity"].to_numpy()]
        new_state = LegalPersonState(meta=meta, enterprises=enterprises, units=units, **tables)

    touched = np.unique(np.concatenate(touched_entities))
    candidates = _changed_candidates(state, new_state, touched)
    before = {c.bce_number: c for c in build_companies(state, candidates, config, Counter())}
    after = {c.bce_number: c for c in build_companies(new_state, candidates, config, Counter())}
    created = set(after) - set(before)
    stopped = set(before) - set(after)
    updated = {
        number
        for number in after.keys() & before.keys()
        if not after[number].same_data(before[number])
    }
    return UpdateResult(
        meta,
        new_state,
        config,
        drops,
        created,
        updated,
        stopped,
        reading.core_row_counts("_insert"),
    )


def _changed_candidates(old, new, touched):
    """Enterprises whose ``Company`` may differ: owners of a touched entity in
    either state, and every holder of a contact value that gained or lost a holder
    (its sharing count changed)."""
    owners = np.concatenate([old.owners(touched), new.owners(touched)])
    owners = np.unique(owners[owners >= 0])
    values = []
    for state in (old, new):
        contacts = state.contacts
        rows = contacts[_member(state.owners(contacts["entity"].to_numpy()), pd.Index(owners))]
        values.append(rows["value"].to_numpy(dtype=object))
    values = pd.unique(np.concatenate(values))
    holders = [owners]
    for state in (old, new):
        contacts = state.contacts
        sharing = contacts["value"].isin(values).to_numpy()
        holders.append(state.owners(contacts["entity"].to_numpy()[sharing]))
    candidates = np.unique(np.concatenate(holders))
    return candidates[candidates >= 0]


def _first_per_entity(frame):
    return frame.drop_duplicates("entity", keep="first")


def _seat_postal_numbers(state, numbers):
    """Belgian postal code (int, 0 if none) of each enterprise of ``numbers``."""
    seats = _first_per_entity(state.addresses)
    positions = pd.Index(seats["entity"].to_numpy()).get_indexer(numbers)
    postal = _category_values(
        seats["postal_code"], lambda code: postal_code_number(code) or 0, np.int64, 0
    )
    postal = np.where(seats["abroad"].to_numpy(), 0, postal)
    return np.where(positions >= 0, postal[np.maximum(positions, 0)], 0)


def select(state, perimeter, drops, only=None):
    """Enterprise numbers (int64, sorted) of the legal persons inside ``perimeter``."""
    enterprises = state.enterprises
    numbers = enterprises["bce"].to_numpy()
    mask = np.ones(len(numbers), dtype=bool)
    if only is not None:
        wanted = [int(normalize_enterprise_number(number)) for number in only]
        mask &= np.isin(numbers, np.asarray(wanted, dtype=np.int64))
    excluded = np.asarray([int(number) for number in perimeter.excluded], dtype=np.int64)
    blacklisted = mask & np.isin(numbers, excluded)
    drops[reasons.BLACKLISTED] += int(blacklisted.sum())
    mask &= ~blacklisted
    inside = perimeter.postal_mask(_seat_postal_numbers(state, numbers))
    if perimeter.forms_in or perimeter.forms_out:
        forms = _category_values(enterprises["juridical_form"], lambda code: code)
        forms_cac = _category_values(enterprises["juridical_form_cac"], lambda code: code)
        inside &= np.fromiter(
            map(perimeter.form_matches, forms, forms_cac), dtype=bool, count=len(numbers)
        )
    if perimeter.nace_prefixes:
        activities = state.activities
        matching = _category_values(activities["code"], perimeter.nace_matches, bool, False)
        rows = activities["entity"].to_numpy()[matching]
        holders = state.owners(rows)
        inside &= np.isin(numbers, holders[holders >= 0])
    drops[reasons.OUTSIDE_PERIMETER] += int((mask & ~inside).sum())
    return np.sort(numbers[mask & inside])


def _grouped(owners, numbers):
    """Start and end row of each number's group in rows sorted by owner."""
    return np.searchsorted(owners, numbers, "left"), np.searchsorted(owners, numbers, "right")


def _rows_of(state, table, entities):
    frame = getattr(state, table)
    frame = frame.take(_rows_for(frame["entity"].to_numpy(), entities))
    return frame.assign(owner=state.owners(frame["entity"].to_numpy()))


def _shared_values(state, values, limit):
    """Values among ``values`` held by more than ``limit`` enterprises."""
    contacts = state.contacts
    rows = contacts[contacts["value"].isin(values).to_numpy()]
    holders = pd.DataFrame(
        {"value": rows["value"].to_numpy(dtype=object), "owner": state.owners(rows["entity"])}
    ).drop_duplicates()
    counts = holders["value"].value_counts()
    return set(counts.index[counts > limit])


BUILD_BATCH = 20_000


def build_companies(state, numbers, config, drops):
    """``Company`` records of the enterprises ``numbers`` (int64, sorted) present in
    ``state``; flagged or shared data handled as ``config`` says, drops counted.
    Built by batches, so that listing the whole country stays in bounded memory."""
    known = state.enterprises["bce"].to_numpy()
    numbers = np.asarray(numbers, dtype=np.int64)
    numbers = numbers[_in_sorted(numbers, known)]
    for start in range(0, len(numbers), BUILD_BATCH):
        yield from _build_batch(state, numbers[start : start + BUILD_BATCH], config, drops)


def _nace_rows(activities):
    """Positions of the activity rows to give, in order: one per (owner, version,
    code) with its strongest classification; MAIN first, then 2025 before 2008,
    then by code."""
    owners = activities["owner"].to_numpy()
    versions = activities["version"].to_numpy().astype(np.int64)
    ranks = activities["classification"].to_numpy()
    codes = activities["code"]
    lexical = np.argsort(np.argsort(np.asarray(codes.cat.categories, dtype=object)))
    code_ranks = lexical[codes.cat.codes.to_numpy()] if len(lexical) else codes.cat.codes
    code_ranks = np.asarray(code_ranks, dtype=np.int64)
    order = np.lexsort((ranks, code_ranks, -versions, owners))
    first = np.ones(len(order), dtype=bool)
    first[1:] = (
        (owners[order][1:] != owners[order][:-1])
        | (versions[order][1:] != versions[order][:-1])
        | (code_ranks[order][1:] != code_ranks[order][:-1])
    )
    rows = order[first]
    return rows[np.lexsort((code_ranks[rows], -versions[rows], ranks[rows], owners[rows]))]


def _build_batch(state, numbers, config, drops):
    known = state.enterprises["bce"].to_numpy()
    units = state.units[_member(state.units["bce"].to_numpy(), pd.Index(numbers))]
    entities = np.union1d(numbers, units["unit"].to_numpy())

    enterprises = state.enterprises.take(np.searchsorted(known, numbers))
    seats = _first_per_entity(_rows_of(state, "addresses", entities))
    seat_position = pd.Index(seats["entity"].to_numpy()).get_indexer(numbers)
    seat_postal = _texts(seats["postal_code"])
    seat_fr = _texts(seats["municipality_fr"])
    seat_nl = _texts(seats["municipality_nl"])
    seat_abroad = seats["abroad"].to_numpy()

    names = _rows_of(state, "names", entities)
    contacts = _rows_of(state, "contacts", entities).sort_values(
        ["owner", "kind", "value"], kind="stable"
    )
    contacts = contacts.drop_duplicates(["owner", "kind", "value"])
    shared = _shared_values(
        state, contacts["value"].to_numpy(dtype=object), config.max_shared_contacts
    )
    activities = _rows_of(state, "activities", entities)
    activities = activities.take(_nace_rows(activities))
    names = names.sort_values(["owner"], kind="stable")

    name_bounds = _grouped(names["owner"].to_numpy(), numbers)
    contact_bounds = _grouped(contacts["owner"].to_numpy(), numbers)
    activity_bounds = _grouped(activities["owner"].to_numpy(), numbers)
    name_languages = names["language"].to_numpy().tolist()
    name_texts = names["name"].to_numpy(dtype=object)
    contact_kinds = contacts["kind"].astype(object).to_numpy()
    contact_values = contacts["value"].to_numpy(dtype=object)
    contact_mobile = contacts["mobile"].to_numpy()
    nace = list(
        zip(
            np.where(activities["version"].to_numpy() == 2025, "2025", "2008").tolist(),
            activities["code"].astype(object).tolist(),
            np.asarray(CLASSIFICATIONS)[activities["classification"].to_numpy()].tolist(),
            strict=True,
        )
    )
    forms = _texts(enterprises["juridical_form"])
    forms_cac = _texts(enterprises["juridical_form_cac"])
    start_dates = enterprises["start_date"].to_numpy().astype("datetime64[D]").astype(object)
    preferred = LANGUAGE_CODES[config.preferred_name_language]
    meta = state.meta

    def company(index):
        number = numbers[index]
        position = seat_position[index]
        postal = municipality_fr = municipality_nl = None
        if position >= 0 and not seat_abroad[position]:
            postal = seat_postal[position]
            if config.keep_municipality:
                municipality_fr = seat_fr[position]
                municipality_nl = seat_nl[position]
        region = region_language(postal)
        start, end = name_bounds[0][index], name_bounds[1][index]
        name, name_language = _choose_name(
            name_languages[start:end], name_texts[start:end], preferred, region
        )
        flags = []
        form, form_cac = forms[index], forms_cac[index]
        if is_personal_name(name, form, form_cac):
            if config.drop_flagged:
                drops[reasons.PERSONAL_NAME] += 1
                return None
            flags.append(reasons.PERSONAL_NAME)
        emails, phones = [], []
        start, end = contact_bounds[0][index], contact_bounds[1][index]
        for row in range(start, end):
            value = contact_values[row]
            if value in shared:
                drops[reasons.SHARED_CONTACT] += 1
            elif contact_kinds[row] == "EMAIL":
                emails.append(value)
            elif contact_mobile[row] and config.drop_flagged:
                drops[reasons.MOBILE_PHONE] += 1
            else:
                if contact_mobile[row]:
                    flags.append(reasons.MOBILE_PHONE)
                phones.append(value)
        start, end = activity_bounds[0][index], activity_bounds[1][index]
        return Company(
            bce_number=f"{number:010d}",
            name=name,
            name_language=name_language,
            juridical_form=form,
            juridical_form_cac=form_cac,
            start_date=start_dates[index],
            postal_code=postal,
            municipality_fr=municipality_fr,
            municipality_nl=municipality_nl,
            emails=tuple(emails),
            phones=tuple(phones),
            language=company_language(postal, name_language, config.preferred_name_language),
            nace_codes=tuple(nace[start:end]),
            flags=tuple(sorted(set(flags))),
            extract_number=meta.extract_number,
            snapshot_date=meta.snapshot_date,
        )

    return (result for result in map(company, range(len(numbers))) if result is not None)


def _texts(column):
    """A categorical column as a list of texts, ``None`` for NULL."""
    categories = np.asarray(column.cat.categories, dtype=object)
    texts = np.append(categories, None)  # code -1 (NULL) takes the last item
    return texts[column.cat.codes.to_numpy()].tolist()


def _choose_name(languages, texts, preferred, region):
    """Type-001 name: in the preferred language, else the region's, else French,
    Dutch, German, English, unknown."""
    if len(texts) < 2:
        return (texts[0], NAME_LANGUAGES[languages[0]]) if len(texts) else (None, None)
    order = [preferred]
    if region:
        order.append(LANGUAGE_CODES[region])
    order += NAME_FALLBACK
    best = min(range(len(texts)), key=lambda i: (order.index(languages[i]), texts[i]))
    return texts[best], NAME_LANGUAGES[languages[best]]
