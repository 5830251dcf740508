"""Reading the tables of an extract into state fragments: only legal persons and
what belongs to them is kept, contacts are classified before anything is stored,
and every row left out is counted by reason."""

from collections import Counter

import numpy as np
import pandas as pd

from . import reasons
from .emails import classify_email
from .errors import BceFormatError
from .frames import Vocabulary, category_values, per_run, sorted_unique
from .memory import use_returning_allocators
from .phones import normalize_phone
from .reader import CORE_TABLES
from .tables import read_table

CLASSIFICATIONS = ("MAIN", "SECO", "ANCI")
KEPT_CONTACT_TYPES = ("EMAIL", "TEL")
KNOWN_CONTACT_TYPES = frozenset({"EMAIL", "TEL", "WEB"})


class TableReading:
    """Reads the tables of one extract into state fragments, counting drops."""

    def __init__(self, extract, drops, progress, chunk_rows):
        use_returning_allocators()
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
        return {table: self.rows.get(f"{table}{suffix}.csv", 0) for table in CORE_TABLES}

    def keys(self, file, column):
        parts = [chunk[column].to_numpy() for _, chunk in self.table(file, [column])]
        return sorted_unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.int64)

    def enterprises(self, file, unique):
        """Legal persons of ``file`` and every number it lists (of any type).

        ``unique``: a full extract lists each enterprise once; an update may repeat a
        line, the last one wins."""
        forms, forms_cac = Vocabulary(), Vocabulary()
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
            kind = chunk["TypeOfEnterprise"]
            self.drops[reasons.NATURAL_PERSON] += int((kind == "1").sum())
            self.drops[reasons.UNKNOWN_TYPE] += int((kind == "0").sum())
            numbers.append(chunk["EnterpriseNumber"].to_numpy())
            rows = chunk[(kind == "2").to_numpy()]
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
        order = np.argsort(numbers, kind="stable")
        numbers = numbers[order]
        repeated = np.zeros(len(numbers), dtype=bool)
        repeated[1:] = numbers[1:] == numbers[:-1]
        if unique:
            if repeated.any():
                record = int(order[repeated].min())
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
        return frame.reset_index(drop=True), numbers[~repeated]

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
        return frame.drop_duplicates("unit", keep="last"), sorted_unique(numbers)

    def _known(self, entities, known):
        is_known = per_run(entities, known.contains)
        self.drops[reasons.NOT_LEGAL_PERSON] += int((~is_known).sum())
        return is_known

    def names(self, file, legal, known):
        parts = []
        columns = ["EntityNumber", "Language", "TypeOfDenomination", "Denomination"]
        for _offset, chunk in self.table(file, columns, required=columns[:3]):
            entities = chunk["EntityNumber"].to_numpy()
            keep = self._known(entities, known)
            keep &= (chunk["TypeOfDenomination"] == "001").to_numpy()
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
        postal, municipality_fr, municipality_nl = Vocabulary(), Vocabulary(), Vocabulary()
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
            keep &= (chunk["TypeOfAddress"] == "REGO").to_numpy()
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
        more of them. Only the de-duplicated rows are kept, packed until the end."""
        parts, carry = [], np.empty(0, dtype=np.int64)
        columns = ["EntityNumber", "NaceVersion", "NaceCode", "Classification"]
        for _offset, chunk in self.table(file, columns, required=columns[1:]):
            entities = chunk["EntityNumber"].to_numpy()
            if not len(entities):
                continue
            keep = self._known(entities, known)
            keep &= (chunk["NaceVersion"] != "2003").to_numpy()
            is_2025 = (chunk["NaceVersion"] == "2025").to_numpy()
            code_ids = codes.encode(chunk["NaceCode"])
            ranks = category_values(chunk["Classification"], CLASSIFICATIONS.index, np.int64, 0)
            packed = _pack_activity(entities[keep], is_2025[keep], code_ids[keep], ranks[keep])
            keys = _best_activities(np.concatenate([carry, packed]))
            waiting = (keys >> _ENTITY_SHIFT) == entities[-1]
            carry = keys[waiting]
            parts.append(keys[~waiting])
        parts.append(carry)
        frame = pd.DataFrame(_unpack_activities(parts, len(codes.values)), copy=False)
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
    """Sorted keys, the strongest classification only per (entity, version, code):
    the first of each group once sorted, which drops repeated rows too."""
    keys = np.sort(keys)
    if len(keys):
        first = np.ones(len(keys), dtype=bool)
        first[1:] = (keys[1:] >> 2) != (keys[:-1] >> 2)
        keys = keys[first]
    return keys


def _unpack_activities(parts, code_count):
    """The columns of the packed keys of ``parts``, emptied as they are unpacked:
    at most one part is held twice. The codes come in the integer type the
    categorical keeps (int16 for the few thousand NACE codes), not copied again."""
    size = sum(len(part) for part in parts)
    columns = {
        "entity": np.empty(size, np.int64),
        "version": np.empty(size, np.int16),
        "code": np.empty(size, np.int16 if code_count < 1 << 15 else np.int32),
        "classification": np.empty(size, np.int8),
    }
    start = 0
    parts.reverse()
    while parts:
        keys = parts.pop()
        end = start + len(keys)
        columns["entity"][start:end] = keys >> _ENTITY_SHIFT
        columns["version"][start:end] = np.where((keys >> (2 + _CODE_BITS)) & 1, 2025, 2008)
        columns["code"][start:end] = (keys >> 2) & ((1 << _CODE_BITS) - 1)
        columns["classification"][start:end] = keys & 3
        start = end
    return columns


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


def check_files(extract, files):
    for file in files:
        extract.member(file)
