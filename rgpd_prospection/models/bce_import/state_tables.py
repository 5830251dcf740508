"""The legal persons' state in PostgreSQL tables of the module, so that a daily
update reads and writes the rows of the few enterprises it may change instead of
the whole register (``bce_engine.state_store``).

The tables hold the state of one done import (``rgpd_bce_state_meta.import_id``).
An update whose sub-state is attached writes its rows back in the transaction
that marks it done. Any other import (a full, a mass update, an update over
changed settings) attaches the whole state as before, and the next update first
loads that state into the tables, in a committed step of its own; so does the
first update after an upgrade from a version without tables.
"""

import io
import json
import logging

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from odoo import api, fields, models
from odoo.tools import SQL

from ...bce_engine import BceFormatError, ExtractMeta, LegalPersonState, apply_update_extract
from ...bce_engine.frames import join_columns
from ...bce_engine.memory import release_memory
from ...bce_engine.model import FIRST_UNIT, STATE_TABLES
from ...bce_engine.state_store import (
    ENTITY_TABLES,
    ActivitySlices,
    MemoryStore,
    StateStore,
    apply_update_to_store,
    rows_owned,
)
from ...bce_engine.tables import _categorical
from .rgpd_bce_import import _loaded_state

_logger = logging.getLogger(__name__)

PREFIX = "rgpd_bce_state_"
# state table -> (SQL table, [(column, SQL type, kind)]); kind: how pandas holds it
COLUMNS = {
    "enterprises": (
        "enterprise",
        [
            ("bce", "bigint", "int64"),
            ("juridical_form", "text", "category"),
            ("juridical_form_cac", "text", "category"),
            ("start_date", "date", "date"),
        ],
    ),
    "units": ("unit", [("unit", "bigint", "int64"), ("bce", "bigint", "int64")]),
    "names": (
        "name",
        [("entity", "bigint", "int64"), ("language", "smallint", "int8"), ("name", "text", "str")],
    ),
    "addresses": (
        "address",
        [
            ("entity", "bigint", "int64"),
            ("postal_code", "text", "category"),
            ("municipality_fr", "text", "category"),
            ("municipality_nl", "text", "category"),
            ("abroad", "boolean", "bool"),
        ],
    ),
    "contacts": (
        "contact",
        [
            ("entity", "bigint", "int64"),
            ("kind", "text", "category"),
            ("value", "text", "str"),
            ("mobile", "boolean", "bool"),
        ],
    ),
    "activities": (
        "activity",
        [
            ("entity", "bigint", "int64"),
            ("version", "smallint", "int16"),
            ("code", "text", "category"),
            ("classification", "smallint", "int8"),
        ],
    ),
}
# indexes, dropped while a whole state is loaded and made again after it
INDEXES = {
    "enterprise": ["bce"],
    "unit": ["unit", "bce"],
    "name": ["entity"],
    "address": ["entity"],
    "contact": ["entity", "value"],
    "activity": ["entity"],
}
_ARROW_TYPES = {
    "int64": pa.int64(),
    "int8": pa.int8(),
    "int16": pa.int16(),
    "bool": pa.bool_(),
    "date": pa.date32(),
    "str": pa.string(),
    "category": pa.string(),
}
COPY_ROWS = 500_000
# rows of a table read at a time when all of it is read
SLICE_ROWS = 1_000_000
META = SQL.identifier(PREFIX + "meta")


def _sql_table(table):
    return PREFIX + COLUMNS[table][0]


def create_state_tables(cr):
    """The tables and their indexes, if missing."""
    cr.execute(
        SQL(
            """CREATE TABLE IF NOT EXISTS %s (
                   id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
                   import_id integer,
                   meta jsonb NOT NULL,
                   table_counts jsonb NOT NULL)""",
            META,
        )
    )
    for table, (_name, columns) in COLUMNS.items():
        definition = [
            SQL("%s %s", SQL.identifier(column), SQL(kind)) for column, kind, _pandas in columns
        ]
        if table in ENTITY_TABLES:
            definition.append(SQL("seq integer NOT NULL"))
        cr.execute(
            SQL(
                "CREATE TABLE IF NOT EXISTS %s (%s)",
                SQL.identifier(_sql_table(table)),
                SQL(", ").join(definition),
            )
        )
    _create_indexes(cr)


def _create_indexes(cr):
    for name, columns in INDEXES.items():
        for column in columns:
            cr.execute(
                SQL(
                    "CREATE INDEX IF NOT EXISTS %s ON %s (%s)",
                    SQL.identifier(f"{PREFIX}{name}_{column}_idx"),
                    SQL.identifier(PREFIX + name),
                    SQL.identifier(column),
                )
            )


def _drop_indexes(cr):
    for name, columns in INDEXES.items():
        for column in columns:
            cr.execute(
                SQL("DROP INDEX IF EXISTS %s", SQL.identifier(f"{PREFIX}{name}_{column}_idx"))
            )


def _meta_json(meta):
    return {
        "extract_type": meta.extract_type,
        "extract_number": meta.extract_number,
        "snapshot_date": meta.snapshot_date.isoformat(),
        "extract_timestamp": meta.extract_timestamp.isoformat(),
        "version": meta.version,
    }


def _meta_of(values):
    values = dict(values)
    values["snapshot_date"] = fields.Date.from_string(values["snapshot_date"])
    values["extract_timestamp"] = fields.Datetime.from_string(
        values["extract_timestamp"].replace("T", " ")
    )
    return ExtractMeta(**values)


def _columns(table, source):
    """The columns of a state table (name -> array) from the CSV that ``COPY …
    TO STDOUT`` wrote to the file ``source``. Texts stay in Arrow's buffers: a
    Python string per row would cost the national names 150 MB for a moment."""
    columns = COLUMNS[table][1]
    names = [column for column, _sql, _kind in columns]
    types = {column: _ARROW_TYPES[kind] for column, _sql, kind in columns}
    if source.seek(0, io.SEEK_END):
        source.seek(0)
        arrow = pa_csv.read_csv(
            source,
            read_options=pa_csv.ReadOptions(column_names=names, use_threads=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=types,
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
                true_values=["t"],
                false_values=["f"],
            ),
        )
    else:
        arrow = pa.table([pa.array([], type=types[name]) for name in names], names=names)
    values = {}
    for column, _sql, kind in columns:
        # each column taken out of the table as it is converted: the table does
        # not outlive its columns' copies
        array = arrow.column(column).combine_chunks()
        arrow = arrow.drop_columns([column])
        if kind == "category":
            values[column] = _categorical(array)
        elif kind == "str":
            values[column] = pd.array(array, dtype="str")
        elif kind == "date":
            values[column] = array.to_numpy(zero_copy_only=False).astype("datetime64[D]")
        else:
            values[column] = array.to_numpy(zero_copy_only=False)
        del array
    return values


def _arrow_table(table, frame):
    """``frame`` as an Arrow table of the SQL table's columns, ``seq`` last."""
    arrays, names = [], []
    for column, _sql, kind in COLUMNS[table][1]:
        series = frame[column]
        if kind in ("category", "str"):
            arrays.append(pa.array(series.astype(object).where(series.notna(), None).tolist()))
        elif kind == "date":
            arrays.append(pa.array(series.to_numpy().astype("datetime64[D]")))
        else:
            arrays.append(pa.array(series.to_numpy()))
        names.append(column)
    if table in ENTITY_TABLES:
        arrays.append(pa.array(np.arange(len(frame), dtype=np.int32)))
        names.append("seq")
    return pa.table(arrays, names=names)


def _ranges(table, bounds):
    """``(low, high, where)`` of each slice of ``table`` cut at the keys
    ``bounds`` (``None``: open; ``where`` ``None`` for a single slice)."""
    key = SQL.identifier(COLUMNS[table][1][0][0])
    ranges = []
    for low, high in zip([None, *bounds], [*bounds, None], strict=True):
        conditions = [SQL("%s >= %s", key, low)] if low is not None else []
        conditions += [SQL("%s < %s", key, high)] if high is not None else []
        where = SQL("WHERE %s", SQL(" AND ").join(conditions)) if conditions else None
        ranges.append((low, high, where))
    return ranges


class PgStateStore(StateStore):
    """The state tables, read by key for an update; ``cr`` is the import's cursor."""

    def __init__(self, cr):
        self.cr = cr
        cr.execute(SQL("SELECT import_id, meta, table_counts FROM %s", META))
        row = cr.fetchone()
        self.import_id, self._meta, self.counts = row or (None, None, None)

    @property
    def meta(self):
        return _meta_of(self._meta) if self._meta else None

    def table_counts(self):
        return dict(self.counts)

    @staticmethod
    def _select(table, where=None, order=None):
        names = [column for column, _sql, _kind in COLUMNS[table][1]]
        order = order or ("entity, seq" if table in ENTITY_TABLES else names[0])
        return SQL(
            "SELECT %s FROM %s %s ORDER BY %s",
            SQL(", ".join(names)),
            SQL.identifier(_sql_table(table)),
            where or SQL(),
            SQL(order),
        )

    def _copy_out(self, table, where=None, order=None):
        """The rows of ``table`` that ``where`` selects, as a frame."""
        values = self._copy_columns(table, where, order)
        return pd.DataFrame(values, columns=list(values), copy=False)

    def _copy_columns(self, table, where=None, order=None):
        """The rows of ``table`` that ``where`` selects, column by column. A
        whole table is read by slices (``_read_whole``), so that its text is
        held a slice at a time."""
        query = self._select(table, where, order)
        buffer = io.BytesIO()  # written once per row: a Python file object costs seconds
        self.cr._obj.copy_expert(
            f"COPY ({self.cr.mogrify(query.code, query.params).decode()}) TO STDOUT "
            "WITH (FORMAT csv)",
            buffer,
        )
        return _columns(table, buffer)

    def _slice_bounds(self, table):
        """Keys that cut ``table`` into slices of about ``SLICE_ROWS`` rows, from
        PostgreSQL's statistics (equal-frequency bounds): none for a table
        smaller than a slice or never analysed."""
        if self.counts and self.counts.get(table, 0) <= SLICE_ROWS:
            return []
        key = COLUMNS[table][1][0][0]
        self.cr.execute(
            SQL(
                """SELECT histogram_bounds::text::bigint[] FROM pg_stats
                    WHERE schemaname = current_schema() AND tablename = %s AND attname = %s""",
                _sql_table(table),
                key,
            )
        )
        row = self.cr.fetchone()
        bounds = sorted(set(row[0] or [])) if row else []
        slices = max(1, round((self.counts or {}).get(table, 0) / SLICE_ROWS))
        step = max(1, len(bounds) // slices)
        return bounds[step::step] if len(bounds) > 1 else []

    def _read_whole(self, table):
        """All of ``table``, read by slices of its key: the national activities
        parsed at once took their size several times over for a moment."""
        bounds = self._slice_bounds(table)
        if not bounds:
            return self._copy_out(table)
        parts = [self._copy_columns(table, where) for _low, _high, where in _ranges(table, bounds)]
        return join_columns(parts)

    def owners_of_units(self, units):
        units = np.asarray(units, dtype=np.int64)
        if not len(units):
            return np.empty(0, dtype=np.int64)
        self.cr.execute(
            SQL(
                "SELECT unit, bce FROM %s WHERE unit = ANY(%s)",
                SQL.identifier(_sql_table("units")),
                units.tolist(),
            )
        )
        owners = dict(self.cr.fetchall())
        return np.asarray([owners.get(unit, -1) for unit in units.tolist()], dtype=np.int64)

    def rows_of(self, enterprises):
        numbers = np.asarray(enterprises, dtype=np.int64).tolist()
        units = self._copy_out("units", SQL("WHERE bce = ANY(%s)", numbers), "unit")
        entities = numbers + units["unit"].tolist()
        tables = {
            table: self._copy_out(table, SQL("WHERE entity = ANY(%s)", entities))
            for table in ENTITY_TABLES
        }
        rows = self._copy_out("enterprises", SQL("WHERE bce = ANY(%s)", numbers))
        return LegalPersonState(meta=self.meta, enterprises=rows, units=units, **tables)

    def holders_of(self, values, exclude, cap):
        # the owner of each row looked up by index: a join may scan every unit
        holders = SQL(
            """SELECT c.entity, c.value, c.seq,
                      CASE WHEN c.entity < %(first_unit)s THEN c.entity
                           ELSE COALESCE((SELECT u.bce FROM %(unit)s u WHERE u.unit = c.entity
                                          LIMIT 1), -1) END AS owner
               FROM %(contact)s c
               WHERE c.value = ANY(%(values)s)""",
            first_unit=FIRST_UNIT,
            contact=SQL.identifier(_sql_table("contacts")),
            unit=SQL.identifier(_sql_table("units")),
            values=sorted(values),
        )
        others = SQL(
            """SELECT value, owner, row_number() OVER (PARTITION BY value ORDER BY owner) AS rank,
                      count(*) OVER (PARTITION BY value) AS total
               FROM (SELECT DISTINCT value, owner FROM (%s) h
                     WHERE NOT owner = ANY(%s)) pairs""",
            holders,
            np.asarray(exclude, dtype=np.int64).tolist(),
        )
        self.cr.execute(SQL("SELECT value, max(total) FROM (%s) o GROUP BY value", others))
        totals = dict(self.cr.fetchall())
        contacts = self._copy_out(
            "contacts",
            SQL(
                """WHERE (entity, value) IN (
                       SELECT h.entity, h.value FROM (%s) h JOIN (%s) o USING (value, owner)
                       WHERE o.rank <= %s)""",
                holders,
                others,
                cap,
            ),
        )
        entities = sorted(set(contacts["entity"].tolist()))
        units = self._copy_out("units", SQL("WHERE unit = ANY(%s)", entities), "unit")
        return contacts, units, totals

    def whole(self, activities=True):
        release_memory()  # what the steps before left goes back first
        tables = {}
        for table in STATE_TABLES:
            if table == "activities" and not activities:
                tables[table] = self._copy_out(table, SQL("WHERE false"))
            else:
                tables[table] = self._read_whole(table)
        release_memory()
        return LegalPersonState(meta=self.meta, **tables)

    def activity_slices(self):
        self.cr.execute(
            SQL(
                "SELECT DISTINCT code FROM %s WHERE code IS NOT NULL",
                SQL.identifier(_sql_table("activities")),
            )
        )
        categories = pd.Index(sorted(code for (code,) in self.cr.fetchall()), dtype="str")
        ranges = _ranges("activities", self._slice_bounds("activities"))

        def read():
            for low, high, where in ranges:
                yield low, high, self._copy_out("activities", where)

        return ActivitySlices(categories, read)

    # -- writing ------------------------------------------------------------

    def _copy_in(self, table, frame):
        for start in range(0, len(frame), COPY_ROWS) or [0]:
            arrow = _arrow_table(table, frame.iloc[start : start + COPY_ROWS])
            if table in ENTITY_TABLES:  # seq: the row's place in the whole frame
                arrow = arrow.set_column(
                    arrow.num_columns - 1,
                    "seq",
                    pa.array(np.arange(start, start + arrow.num_rows, dtype=np.int32)),
                )
            buffer = io.BytesIO()
            pa_csv.write_csv(arrow, buffer, pa_csv.WriteOptions(include_header=False))
            buffer.seek(0)
            self.cr._obj.copy_expert(
                f"COPY {_sql_table(table)} ({', '.join(arrow.column_names)}) FROM STDIN "
                "WITH (FORMAT csv)",
                buffer,
            )

    def _set_meta(self, import_id, meta, counts):
        self.cr.execute(
            SQL(
                """INSERT INTO %s (id, import_id, meta, table_counts)
                    VALUES (1, %s, %s, %s)
                    ON CONFLICT (id) DO UPDATE SET import_id = EXCLUDED.import_id,
                        meta = EXCLUDED.meta, table_counts = EXCLUDED.table_counts""",
                META,
                import_id,
                json.dumps(_meta_json(meta)),
                json.dumps(counts),
            )
        )
        self.import_id, self._meta, self.counts = import_id, _meta_json(meta), counts

    def replace_all(self, state, import_id):
        """The tables hold ``state``, the state of import ``import_id``."""
        cr = self.cr
        tables = [SQL.identifier(_sql_table(table)) for table in STATE_TABLES]
        cr.execute(SQL("TRUNCATE %s", SQL(", ").join(tables)))
        _drop_indexes(cr)
        for table in STATE_TABLES:
            self._copy_in(table, getattr(state, table))
        _create_indexes(cr)
        cr.execute(SQL("ANALYZE %s", SQL(", ").join(tables)))
        counts = {table: len(getattr(state, table)) for table in STATE_TABLES}
        self._set_meta(import_id, state.meta, counts)

    def write_rows(self, rows, enterprises, import_id, counts):
        """The rows of ``enterprises`` become those of ``rows`` (a sub-state):
        their units and every row of their entities, before and after, go."""
        cr, numbers = self.cr, np.asarray(enterprises, dtype=np.int64).tolist()
        new_units = rows.units["unit"].tolist()
        cr.execute(
            SQL(
                "DELETE FROM %s WHERE bce = ANY(%s) OR unit = ANY(%s) RETURNING unit",
                SQL.identifier(_sql_table("units")),
                numbers,
                new_units,
            )
        )
        entities = numbers + new_units + [unit for (unit,) in cr.fetchall()]
        cr.execute(
            SQL(
                "DELETE FROM %s WHERE bce = ANY(%s)",
                SQL.identifier(_sql_table("enterprises")),
                numbers,
            )
        )
        for table in ENTITY_TABLES:
            cr.execute(
                SQL(
                    "DELETE FROM %s WHERE entity = ANY(%s)",
                    SQL.identifier(_sql_table(table)),
                    entities,
                )
            )
        for table in STATE_TABLES:
            self._copy_in(table, getattr(rows, table))
        self._set_meta(import_id, rows.meta, counts)

    def forget(self, numbers):
        """The names, addresses and contacts of the enterprises ``numbers`` and
        of their units leave the tables (erasure). Returns the rows removed."""
        numbers = sorted({int(number) for number in numbers if number})
        if not numbers or self._meta is None:
            return 0
        removed = 0
        for table in ("names", "addresses", "contacts"):
            self.cr.execute(
                SQL(
                    """DELETE FROM %s WHERE entity = ANY(%s)
                          OR entity IN (SELECT unit FROM %s WHERE bce = ANY(%s))""",
                    SQL.identifier(_sql_table(table)),
                    numbers,
                    SQL.identifier(_sql_table("units")),
                    numbers,
                )
            )
            removed += self.cr.rowcount
            self.counts[table] -= self.cr.rowcount
            removed += self.cr.rowcount
        if removed:
            self._set_meta(self.import_id, self.meta, self.counts)
        return removed


class RgpdBceImport(models.Model):
    _inherit = "rgpd.bce.import"

    state_partial = fields.Boolean(
        string="Partial state",
        help="Technical: the attached state holds only the enterprises this update may change; "
        "the state tables hold the others.",
    )
    state_enterprises = fields.Json(
        string="Enterprises to write back",
        help="Technical: the enterprise numbers whose rows this update rewrites in the state "
        "tables when it is done.",
    )

    def init(self):
        result = super().init()
        create_state_tables(self.env.cr)
        return result

    @api.model
    def _state_store(self):
        return PgStateStore(self.env.cr)

    def _state_tables_current(self, previous):
        """Whether the tables hold the state of ``previous`` (the last done import)."""
        return bool(previous) and self._state_store().import_id == previous.id

    def _load_state_tables(self, previous):
        """The whole state attached to ``previous`` goes into the tables."""
        if previous.state_partial:
            raise BceFormatError(
                self.env._(
                    "the state of the previous extract is incomplete: a new full extract is needed"
                )
            )
        state = self._load_state(previous)
        self._state_store().replace_all(state, previous.id)

    def _needs_state_tables(self):
        """An update to apply through the tables while they do not hold the state
        of the last done import yet: loading them is a step of its own."""
        previous = self._last_done()
        return (
            self.extract_type == "update"
            and previous
            and not previous.state_partial
            and not self._full_sync()
            and not self._state_tables_current(previous)
        )

    def _run_state_tables_step(self):
        try:
            with self.env.cr.savepoint():
                self._load_state_tables(self._last_done())
                self.progress_step = self.env._("State tables loaded")
        except Exception as error:  # noqa: BLE001 - recorded in the history, set aside
            _logger.warning(
                "BCE import %s: loading the state failed", self.file_name, exc_info=True
            )
            self._fail(error)

    def _apply_update(self, path, previous, config, progress):
        """The engine's result of this update, and the values of the import that
        say what its attachment holds. Through the tables (a sub-state), unless
        the contacts are compared with the whole perimeter or the tables do not
        hold the previous state: then on the whole state, as a full is read."""
        if self._full_sync() or not self._state_tables_current(previous):
            state = self._load_state(previous)
            if previous.state_partial:
                state = self._state_store().whole()
            result = apply_update_extract(path, state, config, progress)
            return result, {"state_partial": False, "state_enterprises": False}
        # The previous state this process may still hold (loaded for the tables'
        # own step) is in the tables: a mass update reads them whole, and the
        # national state held once more would pass a cron worker's memory limit.
        _loaded_state.clear()
        update = apply_update_to_store(path, self._state_store(), config, progress)
        if update.enterprises is None:
            return update.result, {"state_partial": False, "state_enterprises": False}
        values = {"state_partial": True, "state_enterprises": update.enterprises.tolist()}
        return update.result, values

    def _whole_state(self):
        """The whole state after this import, for a comparison with the whole
        perimeter (settings changed after its sub-state was attached)."""
        state = self._state_of(self.state_attachment_id)
        if not self.state_partial:
            return state
        store = MemoryStore(self._state_store().whole())
        enterprises = np.asarray(self.state_enterprises or [], dtype=np.int64)
        store.write_rows(rows_owned(state, enterprises), enterprises)
        return store.state

    def _write_state_tables(self):
        """At the end of an update attached as a sub-state: its rows go into the
        tables, in the transaction that marks it done."""
        if not self.state_partial:
            return
        state = self._state_of(self.state_attachment_id)
        enterprises = np.asarray(self.state_enterprises or [], dtype=np.int64)
        counts = self.table_counts or self._state_store().table_counts()
        self._state_store().write_rows(rows_owned(state, enterprises), enterprises, self.id, counts)
