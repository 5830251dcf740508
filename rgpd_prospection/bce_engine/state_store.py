"""Applying an update to a stored state without reading all of it.

A daily update touches a few hundred enterprises of two million: it reads the
rows of the enterprises it references and of every enterprise sharing a contact
value with them, applies itself to that sub-state with ``apply_update_extract``
(the same rules, so the same companies, drops and counts), and the caller writes
back the rows of the enterprises it touched. A store is anything that answers the
few questions of ``StateStore``: ``MemoryStore`` over a ``LegalPersonState`` (the
tests, scripts), PostgreSQL tables in the add-on.

A mass update (a new NACE version rewrites every activity) touches most of the
register: looking its keys up one by one would cost more than reading all, so it
takes the whole state, as a full extract does, except the activities (two thirds
of it): those are read slice by slice (``ActivitySlices``), each old slice
replaced by its new rows and released, so that the old and the new activities
are not held at once.
"""

from collections import Counter
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from .engine import _apply_update, _check_follows
from .frames import (
    NumberSet,
    columns_of,
    common_codes,
    in_sorted,
    join_columns,
    replace_rows,
    rows_for,
    sorted_by,
    sorted_unique,
)
from .model import FIRST_UNIT, STATE_TABLES, EngineConfig, LegalPersonState
from .reader import TABLES, Extract, meta_of
from .reading import TableReading, check_files
from .tables import CHUNK_ROWS, read_table

ENTITY_TABLES = ("names", "addresses", "contacts", "activities")
# An update referencing more enterprises than this share of the register (and
# than FULL_PATH_MIN) reads the whole state: per-key lookups would cost more.
FULL_PATH_SHARE = 0.05
FULL_PATH_MIN = 20_000
# activity rows read at a time by a mass update
SLICE_ROWS = 1_000_000
# Columns of an update's files that name an enterprise or an establishment/branch.
_REFERENCE_COLUMNS = {
    "enterprise": ("EnterpriseNumber",),
    "establishment": ("EstablishmentNumber", "EnterpriseNumber"),
    "branch": ("Id", "EnterpriseNumber"),
    "denomination": ("EntityNumber",),
    "address": ("EntityNumber",),
    "contact": ("EntityNumber",),
    "activity": ("EntityNumber",),
}


class StateStore:
    """What applying an update asks of a stored state. Every answer is about a
    few keys, except ``whole`` and ``activity_slices``, which the mass update
    and a change of the perimeter need."""

    meta = None  # ExtractMeta of the stored state

    def table_counts(self):
        """Rows of each table of ``STATE_TABLES``."""
        raise NotImplementedError

    def owners_of_units(self, units):
        """Enterprise (int64) of each establishment or branch of ``units``, -1 if unknown."""
        raise NotImplementedError

    def rows_of(self, enterprises):
        """A ``LegalPersonState`` of every row of ``enterprises`` and of their units."""
        raise NotImplementedError

    def holders_of(self, values, exclude, cap):
        """Who else holds ``values``: ``(contacts, units, totals)``. ``totals``:
        for each value, how many enterprises not in ``exclude`` (sorted int64)
        hold it; ``contacts``: the rows holding it of the first ``cap`` of them
        (by number); ``units``: the units rows of those rows' establishments and
        branches."""
        raise NotImplementedError

    def whole(self, activities=True):
        """The whole state; without its activities (an empty table) if
        ``activities`` is false: ``activity_slices`` gives them."""
        raise NotImplementedError

    def activity_slices(self):
        """The activities as ``ActivitySlices``."""
        raise NotImplementedError


class ActivitySlices:
    """The activities of a stored state, slice by slice in entity order:
    ``categories``, the codes they hold as the whole table holds them;
    ``read()`` yields ``(low, high, rows)``: the rows of the entities from
    ``low`` to before ``high`` (``None``: open), the slices covering every
    entity."""

    def __init__(self, categories, read):
        self.categories = categories
        self.read = read

    def replace(self, remove, new, kept):
        """The activities without the rows of the entities ``remove``, with the
        rows ``new``, as ``replace_rows`` makes them of the whole table; and the
        old rows of the entities ``kept`` (sorted). Each old slice is released
        once replaced."""
        new = sorted_by(new, "entity")
        keys = new["entity"].to_numpy()
        parts, old_parts = [], []
        for low, high, rows in self.read():
            start = 0 if low is None else np.searchsorted(keys, low, "left")
            end = len(keys) if high is None else np.searchsorted(keys, high, "left")
            old_parts.append(columns_of(rows[in_sorted(rows["entity"].to_numpy(), kept)]))
            parts.append(columns_of(replace_rows(rows, remove, new.iloc[start:end], "entity")))
            del rows
        old = pd.Series(pd.Categorical([], categories=self.categories))
        categories = common_codes(old, new["code"])[0]
        return join_columns(parts, categories), join_columns(old_parts, self.categories)


def _concat(frames, key):
    """``frames`` one after the other, sorted by ``key``; categorical columns keep
    a categorical type (their categories united)."""
    frames = [frame for frame in frames if len(frame)] or frames[:1]
    if len(frames) == 1:
        return sorted_by(frames[0], key)
    columns = {}
    for column in frames[0].columns:
        parts = [frame[column] for frame in frames]
        if isinstance(parts[0].dtype, pd.CategoricalDtype):
            columns[column] = union_categoricals(
                [pd.Categorical(part) for part in parts], ignore_order=True
            )
        else:
            columns[column] = pd.concat(parts, ignore_index=True)
    return sorted_by(pd.DataFrame(columns, columns=list(frames[0].columns)), key)


class MemoryStore(StateStore):
    """A ``LegalPersonState`` held in memory, answered by binary search; ``write``
    gives the state an update leaves."""

    def __init__(self, state):
        self.state = state

    @property
    def meta(self):
        return self.state.meta

    def table_counts(self):
        return {table: len(getattr(self.state, table)) for table in STATE_TABLES}

    def owners_of_units(self, units):
        return self.state.owners(np.asarray(units, dtype=np.int64))

    def rows_of(self, enterprises):
        state = self.state
        enterprises = sorted_unique(np.asarray(enterprises, dtype=np.int64))
        units = state.units[in_sorted(state.units["bce"].to_numpy(), enterprises)]
        entities = np.union1d(enterprises, units["unit"].to_numpy())
        tables = {
            table: getattr(state, table)
            .take(rows_for(getattr(state, table)["entity"].to_numpy(), entities))
            .reset_index(drop=True)
            for table in ENTITY_TABLES
        }
        known = state.enterprises["bce"].to_numpy()
        rows = state.enterprises[in_sorted(known, enterprises)].reset_index(drop=True)
        return LegalPersonState(
            meta=state.meta, enterprises=rows, units=units.reset_index(drop=True), **tables
        )

    def holders_of(self, values, exclude, cap):
        contacts = self.state.contacts
        rows = contacts[contacts["value"].isin(list(values)).to_numpy()].reset_index(drop=True)
        owners = self.state.owners(rows["entity"].to_numpy())
        pairs = pd.DataFrame({"value": rows["value"].to_numpy(dtype=object), "owner": owners})
        others = pairs[~in_sorted(owners, np.asarray(exclude, dtype=np.int64))]
        others = others.drop_duplicates().sort_values(["value", "owner"])
        totals = others.groupby("value").size().to_dict()
        first = others[others.groupby("value").cumcount().to_numpy() < cap]
        kept = pd.MultiIndex.from_frame(first).get_indexer(pd.MultiIndex.from_frame(pairs)) >= 0
        rows = rows[kept].reset_index(drop=True)
        units = self.state.units
        entities = sorted_unique(rows["entity"].to_numpy())
        unit_rows = units[in_sorted(units["unit"].to_numpy(), entities)]
        return rows, unit_rows.reset_index(drop=True), totals

    def whole(self, activities=True):
        if activities:
            return self.state
        return replace(self.state, activities=self.state.activities.iloc[:0])

    def activity_slices(self):
        activities = self.state.activities
        entities = activities["entity"].to_numpy()
        bounds = sorted_unique(entities[SLICE_ROWS::SLICE_ROWS]).tolist()
        edges = np.searchsorted(entities, bounds).tolist()

        def read():
            ranges = zip([None, *bounds], [*bounds, None], [0, *edges], [*edges, None], strict=True)
            for low, high, start, end in ranges:
                yield low, high, activities.iloc[start:end].reset_index(drop=True)

        return ActivitySlices(activities["code"].cat.categories, read)

    def write_back(self, update):
        """The state after ``update`` (a ``StoreUpdate``) is written back."""
        if update.enterprises is None:
            self.state = update.result.state
        else:
            self.write_rows(update.rows(), update.enterprises)

    def write_rows(self, rows, enterprises):
        """The rows of ``enterprises`` become those of ``rows`` (a sub-state):
        their units and every row of their entities, before and after, go."""
        state = self.state
        old_units = state.units["unit"].to_numpy()[
            in_sorted(state.units["bce"].to_numpy(), enterprises)
        ]
        new_units = rows.units["unit"].to_numpy()
        units = sorted_unique(np.concatenate([old_units, new_units]))
        entities = sorted_unique(np.concatenate([enterprises, units]))
        self.state = LegalPersonState(
            meta=rows.meta,
            enterprises=replace_rows(state.enterprises, enterprises, rows.enterprises, "bce"),
            units=replace_rows(state.units, units, rows.units, "unit"),
            **{
                table: replace_rows(getattr(state, table), entities, getattr(rows, table), "entity")
                for table in ENTITY_TABLES
            },
        )


@dataclass
class StoreUpdate:
    """An update applied to a store: the engine's result (on the sub-state, or on
    the whole state for a mass update), the enterprises whose rows it rewrites
    (``None``: all), and the row counts of the state it leaves."""

    result: object
    enterprises: np.ndarray | None
    table_counts: dict

    @property
    def count(self):
        return self.table_counts["enterprises"]

    def rows(self):
        """The rows of the enterprises ``enterprises`` after the update."""
        return rows_owned(self.result.state, self.enterprises)


def rows_owned(state, enterprises):
    """The sub-state of ``state`` owned by ``enterprises`` (sorted int64)."""
    units = state.units[in_sorted(state.units["bce"].to_numpy(), enterprises)]
    entities = np.union1d(enterprises, units["unit"].to_numpy())
    tables = {
        table: getattr(state, table)[
            in_sorted(getattr(state, table)["entity"].to_numpy(), entities)
        ].reset_index(drop=True)
        for table in ENTITY_TABLES
    }
    rows = state.enterprises[in_sorted(state.enterprises["bce"].to_numpy(), enterprises)]
    return LegalPersonState(
        meta=state.meta,
        enterprises=rows.reset_index(drop=True),
        units=units.reset_index(drop=True),
        **tables,
    )


def update_references(zip_path, chunk_rows=CHUNK_ROWS):
    """What an update names: its meta, every enterprise and every unit number
    (sorted int64 arrays), and the contact values it inserts (as the state keeps
    them). Checked against nothing here."""
    numbers = []
    with Extract(zip_path) as extract:
        meta = meta_of(extract)
        check_files(
            extract,
            [f"{table}_{action}.csv" for table in TABLES for action in ("delete", "insert")],
        )
        for table, columns in _REFERENCE_COLUMNS.items():
            for action, wanted in (("delete", columns[:1]), ("insert", columns)):
                file = f"{table}_{action}.csv"
                chunks = read_table(extract, file, list(wanted), chunk_rows=chunk_rows)
                for _offset, chunk in chunks:
                    numbers.extend(chunk[column].to_numpy() for column in wanted)
        numbers = sorted_unique(np.concatenate(numbers)) if numbers else np.empty(0, np.int64)
        reading = TableReading(extract, Counter(), None, chunk_rows)
        inserted = reading.contacts("contact_insert.csv", NumberSet(numbers))
    values = set(inserted["value"].astype(object).tolist())
    return meta, numbers[numbers < FIRST_UNIT], numbers[numbers >= FIRST_UNIT], values


def _owners(entities, units):
    """Owner of each entity, from the ``units`` rows given (-1 if not among them)."""
    entities = np.asarray(entities, dtype=np.int64)
    owners = np.where(entities < FIRST_UNIT, entities, -1)
    known = units["unit"].to_numpy()
    if len(known):
        order = np.argsort(known, kind="stable")
        known, bce = known[order], units["bce"].to_numpy()[order]
        mask = entities >= FIRST_UNIT
        positions = np.minimum(np.searchsorted(known, entities[mask]), len(known) - 1)
        owners[mask] = np.where(known[positions] == entities[mask], bce[positions], -1)
    return owners


def _values(state):
    return set(state.contacts["value"].astype(object).tolist())


def _merge(meta, parts, contacts, units):
    """One sub-state from full sub-states ``parts`` and the partial ``contacts``
    and ``units`` rows of other holders."""
    return LegalPersonState(
        meta=meta,
        enterprises=_concat([part.enterprises for part in parts], "bce"),
        units=_concat([part.units for part in parts] + units, "unit").drop_duplicates(
            "unit", ignore_index=True
        ),
        names=_concat([part.names for part in parts], "entity"),
        addresses=_concat([part.addresses for part in parts], "entity"),
        contacts=_concat([part.contacts for part in parts] + contacts, "entity"),
        activities=_concat([part.activities for part in parts], "entity"),
    )


def apply_update_to_store(zip_path, store, config=None, progress=None, chunk_rows=CHUNK_ROWS):
    """Apply an update extract to ``store`` as ``apply_update_extract`` applies it
    to the whole state, reading only the enterprises it may change. Returns a
    ``StoreUpdate``; the store is left as it was (the caller writes it back)."""
    meta, enterprises, units, inserted_values = update_references(zip_path, chunk_rows)
    _check_follows(meta, store)
    owners = store.owners_of_units(units)
    touched = sorted_unique(np.concatenate([enterprises, owners[owners >= 0]]))
    counts = store.table_counts()
    if len(touched) > max(FULL_PATH_MIN, FULL_PATH_SHARE * counts["enterprises"]):
        result = _apply_update(
            zip_path,
            store.whole(activities=False),
            config,
            progress,
            chunk_rows,
            store.activity_slices(),
        )
        whole_counts = {table: len(getattr(result.state, table)) for table in STATE_TABLES}
        result.table_counts = whole_counts
        return StoreUpdate(result, None, whole_counts)

    core = store.rows_of(touched)
    # the contact values the touched enterprises hold before and after: every
    # enterprise holding one of them is a candidate, so its rows are needed too
    values = _values(core) | inserted_values
    # Whether a value is shared depends on how many enterprises hold it. A value
    # that more than ``limit`` other enterprises hold is shared before and after
    # the update, whatever it does: ``limit + 1`` of its holders keep its count
    # above the limit, and the others' companies cannot change through it. One
    # that few others hold may become or stop being shared: they are candidates,
    # read in full, and so are the holders of their values, counted the same way.
    cap = (config or EngineConfig()).max_shared_contacts + 1
    holders, holder_units, totals = store.holders_of(values, touched, cap)
    holding = _owners(holders["entity"].to_numpy(), holder_units)
    few = holders["value"].isin([value for value, count in totals.items() if count < cap])
    extra = np.setdiff1d(sorted_unique(holding[few.to_numpy() & (holding >= 0)]), touched)
    extra_rows = store.rows_of(extra)
    full = np.union1d(touched, extra)
    more, more_units, _totals = store.holders_of(_values(extra_rows) - values, full, cap)
    partial = holders[~in_sorted(holding, full)]
    sub = _merge(store.meta, [core, extra_rows], [partial, more], [holder_units, more_units])
    result = _apply_update(zip_path, sub, config, progress, chunk_rows)

    before = rows_owned(core, touched)
    after = rows_owned(result.state, touched)
    result.table_counts = {
        table: counts[table] - len(getattr(before, table)) + len(getattr(after, table))
        for table in STATE_TABLES
    }
    return StoreUpdate(result, touched, result.table_counts)
