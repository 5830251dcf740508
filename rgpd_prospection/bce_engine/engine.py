"""The engine's API: read a full extract, apply an update, list the companies of a
perimeter.

Privacy by design: natural persons and everything not shown to belong to a legal
person are dropped while the CSVs are read, and contacts are classified before
anything is kept, so the state never holds what the GDPR forbids to keep.

Drop counts: ``natural_person`` and ``unknown_type`` count enterprises;
``not_legal_person`` counts rows of the other tables (names, addresses, contacts,
activities, establishments, branches) not shown to belong to a legal person; the
contact reasons count contact rows; ``outside_perimeter``, ``blacklisted``,
``erased``, ``expired`` and ``personal_name`` count companies (an excluded number
counts once: erased, else expired, else blacklisted), ``shared_contact`` and
``mobile_phone`` the contacts left out of the companies given.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from .codes import read_code_table
from .companies import BUILD_BATCH, build_companies, build_company_rows, select
from .errors import BceFormatError
from .frames import (
    NumberSet,
    Vocabulary,
    in_sorted,
    is_member,
    replace_rows,
    sorted_by,
    sorted_unique,
)
from .model import EngineConfig, LegalPersonState
from .reader import TABLES, Extract, meta_of
from .reading import TableReading, check_files
from .tables import CHUNK_ROWS


class EnterpriseNumbers(Sequence):
    """Sorted enterprise numbers read as a list of 10-digit texts, held as one
    int64 array: the national perimeter as a list of texts is 80 MB of small
    objects, made again at each step of an import. A slice is another
    ``EnterpriseNumbers``; ``bisect`` searches it as it would the list."""

    def __init__(self, numbers):
        self.array = np.asarray(numbers, dtype=np.int64)

    def __len__(self):
        return len(self.array)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return EnterpriseNumbers(self.array[index])
        return f"{int(self.array[index]):010d}"

    def __iter__(self):
        return (f"{number:010d}" for number in self.array.tolist())

    def __contains__(self, number):
        try:
            value = int(number)
        except (TypeError, ValueError):
            return False
        return bool(in_sorted(np.asarray([value], dtype=np.int64), self.array)[0])

    def __eq__(self, other):
        if isinstance(other, EnterpriseNumbers):
            return np.array_equal(self.array, other.array)
        return isinstance(other, (list, tuple)) and list(self) == list(other)

    __hash__ = None

    def __repr__(self):
        return f"EnterpriseNumbers({list(self)!r})"


@dataclass(frozen=True)
class Selection:
    """The enterprise numbers of a perimeter (10 digits, in order, as
    ``EnterpriseNumbers``) and the companies the choice left out, by reason
    (``blacklisted``, ``outside_perimeter``)."""

    numbers: EnterpriseNumbers
    drops: Counter = field(default_factory=Counter)


class _Result:
    """What reading an extract gives: its state, the drops of the reading, and the
    companies of a perimeter. Selecting and building return or add to drops the
    caller owns: nothing here changes between two calls."""

    def __init__(self, meta, state, config, drops, row_counts=None):
        self.meta = meta
        self.state = state
        self.config = config
        self.drops = drops
        # rows of the core tables, as ``count_rows`` gives them: sanity figures
        self.row_counts = row_counts or {}
        # rows of each table of the whole state, when ``state`` holds only part
        # of it (an update applied to a store)
        self.table_counts = None

    @property
    def legal_persons(self):
        """Legal persons of the whole state after this extract."""
        return self.table_counts["enterprises"] if self.table_counts else len(self.state)

    @property
    def changed(self):
        """The enterprise numbers an update changed; ``None``: compare the whole
        perimeter."""
        return None

    def select(self, perimeter, only=None):
        """The enterprises inside ``perimeter`` (the blacklist excluded), before
        the drops of building their companies; ``only`` restricts them to some
        enterprise numbers."""
        drops = Counter()
        numbers = self._selected(perimeter, only, drops)
        return Selection(EnterpriseNumbers(numbers), +drops)

    def companies(self, perimeter, only=None, drops=None):
        """The companies inside ``perimeter``, in number order, built lazily; the
        drops of choosing and building them are added to ``drops`` if given."""
        drops = Counter() if drops is None else drops
        numbers = self._selected(perimeter, only, drops)
        return build_companies(self.state, numbers, self.config, drops)

    def companies_of(self, numbers, drops=None):
        """The companies of ``numbers`` (some of a selection's), in number order;
        the companies and contacts dropped are added to ``drops`` if given."""
        return build_companies(self.state, *self._wanted(numbers, drops))

    def company_rows_of(self, numbers, drops=None):
        """``companies_of`` as ``CompanyRow`` tuples (the same values, made
        faster: for a caller that reads each once)."""
        return build_company_rows(self.state, *self._wanted(numbers, drops))

    def _wanted(self, numbers, drops):
        if isinstance(numbers, EnterpriseNumbers):
            wanted = numbers.array  # sorted and unique already
        else:
            wanted = np.unique(np.asarray([int(number) for number in numbers], dtype=np.int64))
        return wanted, self.config, Counter() if drops is None else drops

    def listed(self, numbers):
        """The enterprise numbers among ``numbers`` that the state holds as legal
        persons (a number it no longer lists was stopped or struck off)."""
        numbers = list(numbers)
        values = np.asarray([int(number) for number in numbers], dtype=np.int64)
        # searched in the sorted column (a set of the national one: 130 MB)
        known = in_sorted(values, self.state.enterprises["bce"].to_numpy())
        return {number for number, listed in zip(numbers, known, strict=True) if listed}

    def _selected(self, perimeter, only, drops):
        perimeter.check_not_empty()
        return select(self.state, perimeter, drops, only=only)


class FullResult(_Result):
    pass


class UpdateResult(_Result):
    def __init__(self, meta, state, config, drops, created, updated, stopped, row_counts=None):
        super().__init__(meta, state, config, drops, row_counts)
        self.created = set(created)
        self.updated = set(updated)
        self.stopped = set(stopped)

    @property
    def changed(self):
        return self.created | self.updated | self.stopped

    def changes(self):
        """The numbers created, updated and stopped, as sorted lists (to store)."""
        return {
            "created": sorted(self.created),
            "updated": sorted(self.updated),
            "stopped": sorted(self.stopped),
        }

    def _selected(self, perimeter, only, drops):
        """Created and updated companies inside the perimeter; an updated one that
        is not given has left the perimeter."""
        only = self.created | self.updated if only is None else only
        return super()._selected(perimeter, only, drops)


def result_of_state(state, config=None, changes=None):
    """The result of an extract read earlier, from its saved ``state``: a full's if
    ``changes`` is ``None``, else an update's with the numbers ``changes`` holds
    (as ``UpdateResult.changes()`` gave them). Its reading drops are not kept."""
    config = config or EngineConfig()
    if changes is None:
        return FullResult(state.meta, state, config, Counter())
    return UpdateResult(
        state.meta,
        state,
        config,
        Counter(),
        changes["created"],
        changes["updated"],
        changes["stopped"],
    )


def read_extract_code_table(zip_path):
    """The code table (``code.csv``) of an extract, parsed."""
    with Extract(zip_path) as extract:
        return read_code_table(extract.read_bytes("code.csv"))


@dataclass
class _Scope:
    """What the rows of the entity tables must belong to, to be kept."""

    legal: NumberSet
    known: NumberSet
    codes: Vocabulary


# enterprises whose companies an update compares at a time
COMPARE_BATCH = BUILD_BATCH

# state table -> (file stem in the extract, how its rows are read)
_ENTITY_TABLES = {
    "names": (
        "denomination",
        lambda reading, file, scope: reading.names(file, scope.legal, scope.known),
    ),
    "addresses": (
        "address",
        lambda reading, file, scope: reading.addresses(file, scope.legal, scope.known),
    ),
    "contacts": ("contact", lambda reading, file, scope: reading.contacts(file, scope.known)),
    "activities": (
        "activity",
        lambda reading, file, scope: reading.activities(file, scope.known, scope.codes),
    ),
}


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
        check_files(extract, [f"{table}.csv" for table in TABLES])
        reading = TableReading(extract, drops, progress, chunk_rows)
        enterprises, _numbers = reading.enterprises("enterprise.csv", unique=True)
        enterprises = sorted_by(enterprises, "bce")
        legal = NumberSet(enterprises["bce"])
        establishments, _ = reading.units("establishment.csv", "EstablishmentNumber", legal)
        branches, _ = reading.units("branch.csv", "Id", legal)
        units = sorted_by(pd.concat([establishments, branches], ignore_index=True), "unit")
        scope = _Scope(legal, NumberSet(enterprises["bce"], units["unit"]), Vocabulary())
        tables = {
            table: sorted_by(read(reading, f"{stem}.csv", scope), "entity")
            for table, (stem, read) in _ENTITY_TABLES.items()
        }
        state = LegalPersonState(meta=meta, enterprises=enterprises, units=units, **tables)
    return FullResult(meta, state, config, drops, reading.core_row_counts(""))


def _check_follows(meta, state):
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


def _update_units(reading, state, legal, gone):
    """The establishments and branches after the update, and the units it listed or
    left without their enterprise."""
    listed_units, inserted_units = [], []
    for table, column in (("establishment", "EstablishmentNumber"), ("branch", "Id")):
        listed_units.append(reading.keys(f"{table}_delete.csv", column))
        rows, numbers = reading.units(f"{table}_insert.csv", column, legal)
        listed_units.append(numbers)
        inserted_units.append(rows)
    inserted_units = pd.concat(inserted_units, ignore_index=True)
    inserted_units = inserted_units.drop_duplicates("unit", keep="last")
    orphaned = state.units["unit"].to_numpy()[in_sorted(state.units["bce"].to_numpy(), gone)]
    listed_units = np.unique(np.concatenate([*listed_units, orphaned]))
    return replace_rows(state.units, listed_units, inserted_units, "unit"), listed_units


def apply_update_extract(zip_path, state, config=None, progress=None, chunk_rows=CHUNK_ROWS):
    """Apply an update extract to ``state``: per table, delete every row of each
    listed key, then insert the insert rows. Returns the new state and the legal
    persons created, updated (their ``Company`` changed) and stopped."""
    return _apply_update(zip_path, state, config, progress, chunk_rows)


def _apply_update(zip_path, state, config, progress, chunk_rows, old_activities=None):
    """``apply_update_extract``; ``old_activities``, if given, holds the activities
    of ``state`` (whose own are then left empty) as ``ActivitySlices``: the new
    activities are made slice by slice, each old slice released once replaced,
    and only the old rows of the candidates are kept for the comparison. A mass
    update (a NACE conversion) then never holds the register's activities
    twice."""
    config = config or EngineConfig()
    drops = Counter()
    with Extract(zip_path) as extract:
        meta = meta_of(extract)
        _check_follows(meta, state)
        check_files(
            extract,
            [f"{table}_{action}.csv" for table in TABLES for action in ("delete", "insert")],
        )
        reading = TableReading(extract, drops, progress, chunk_rows)

        deleted = reading.keys("enterprise_delete.csv", "EnterpriseNumber")
        inserted, inserted_numbers = reading.enterprises("enterprise_insert.csv", unique=False)
        listed = np.union1d(deleted, inserted_numbers)
        enterprises = replace_rows(state.enterprises, listed, inserted, "bce")
        legal_numbers = enterprises["bce"].to_numpy()
        gone = np.setdiff1d(listed, inserted["bce"].to_numpy())
        legal = NumberSet(legal_numbers)
        units, listed_units = _update_units(reading, state, legal, gone)
        # entities whose rows must go even if the update does not list them
        gone = np.union1d(gone, listed_units[~in_sorted(listed_units, units["unit"].to_numpy())])
        scope = _Scope(
            legal,
            NumberSet(legal_numbers, units["unit"]),
            Vocabulary(
                state.activities["code"].cat.categories
                if old_activities is None
                else old_activities.categories
            ),
        )
        touched_entities = [listed, listed_units]
        tables = {}
        for table, (stem, read) in _ENTITY_TABLES.items():
            keys = reading.keys(f"{stem}_delete.csv", "EntityNumber")
            new = read(reading, f"{stem}_insert.csv", scope)
            touched_entities += [keys, sorted_unique(new["entity"].to_numpy())]
            if table == "activities" and old_activities is not None:
                tables[table] = state.activities  # made below, from the slices
                activity_changes = (np.union1d(keys, gone), new)
                continue
            old_rows = getattr(state, table)
            tables[table] = replace_rows(old_rows, np.union1d(keys, gone), new, "entity")
        del new
        new_state = LegalPersonState(meta=meta, enterprises=enterprises, units=units, **tables)

    touched = np.unique(np.concatenate(touched_entities))
    # the activities play no part in choosing the candidates
    candidates = _changed_candidates(state, new_state, touched)
    if old_activities is not None:
        owned = state.units["unit"].to_numpy()[in_sorted(state.units["bce"].to_numpy(), candidates)]
        activities, compared = old_activities.replace(
            *activity_changes, sorted_unique(np.concatenate([candidates, owned]))
        )
        del activity_changes
        new_state = replace(new_state, activities=activities)
        state = replace(state, activities=compared)
    created, updated, stopped = set(), set(), set()
    # compared by slices: a mass update (a NACE conversion) has a million
    # candidates, whose companies before and after held at once took gigabytes
    for start in range(0, len(candidates), COMPARE_BATCH):
        part = candidates[start : start + COMPARE_BATCH]
        before = {c.bce_number: c for c in build_companies(state, part, config, Counter())}
        after = {c.bce_number: c for c in build_companies(new_state, part, config, Counter())}
        created |= after.keys() - before.keys()
        stopped |= before.keys() - after.keys()
        updated.update(
            number
            for number in after.keys() & before.keys()
            if not after[number].same_data(before[number])
        )
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
        rows = contacts[is_member(state.owners(contacts["entity"].to_numpy()), pd.Index(owners))]
        values.append(rows["value"].to_numpy(dtype=object))
    values = pd.unique(np.concatenate(values))
    holders = [owners]
    for state in (old, new):
        contacts = state.contacts
        sharing = contacts["value"].isin(values).to_numpy()
        holders.append(state.owners(contacts["entity"].to_numpy()[sharing]))
    candidates = np.unique(np.concatenate(holders))
    return candidates[candidates >= 0]
