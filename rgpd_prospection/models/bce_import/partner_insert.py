"""A set-based rewrite of ``create`` for new prospects, over COPY. Its
equivalence with ``create`` is tested in ``tests/test_partner_insert.py``: run
it whenever Odoo changes."""

import io
import json
import re
from contextlib import contextmanager
from datetime import date
from functools import partial
from itertools import repeat
from json.encoder import encode_basestring_ascii
from operator import is_

import numpy as np
from odoo import models
from odoo.tools import SQL, email_normalize
from psycopg2.extras import Json as PsycopgJson

from ...bce_engine.frames import in_sorted
from ...tools import belgian_e164

ANALYZE_ROWS = 1000
COPY_CHUNK = 1 << 16
STREAM_SLICE = 500  # rows turned into text at a time while COPY writes
STAGED_INSERT = 50_000  # staged partners created per INSERT
LITERAL_SLICE = 50_000  # integers of an array literal turned into text at a time
TWIN_WORK_MEM = "128MB"  # the enterprise numbers grouped in memory, not on disk
# COPY's text format: these characters are escaped (backslash first), \N is NULL
COPY_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))
PLAIN_TYPES = {str, type(None), bool}  # bool: ``False`` only, ``True`` is refused
NULL_TEXTS = {None: r"\N", False: r"\N"}
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# a lowercase address of dot-separated atoms on a host name, which
# ``email_normalize`` gives back as it is (its parse is 8 µs an address)
PLAIN_EMAIL = re.compile(r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@[a-z0-9-]+(?:\.[a-z0-9-]+)*")
# a value a row of columns does not give (``_ColumnRows``, ``json_texts``)
MISSING = type("Missing", (), {"__repr__": lambda self: "MISSING"})()


def copy_escape(text):
    """``text`` in COPY's text format. ``str.replace`` scans in C and returns
    the string itself when there is nothing to replace, where ``str.translate``
    looks up every character in a dict (7 % of the preparation, profiled)."""
    for char, escaped in COPY_ESCAPES:
        if char in text:
            text = text.replace(char, escaped)
    return text


def _plain_texts(column):
    """The COPY texts of a column of texts (or ``None``/``False``: NULL) that
    need no escaping and no cut, checked and mapped in C rather than value by
    value; ``None`` when some value needs the converter."""
    if not set(map(type, column)) <= PLAIN_TYPES or True in column:
        return None
    joined = "".join(filter(None, column))
    if any(char in joined for char, _escaped in COPY_ESCAPES):
        return None
    return list(map(NULL_TEXTS.get, column, column))


def normalized_email(email):
    """``email_normalize(email, strict=False)``, no address or a plain one
    (``PLAIN_EMAIL``) answered without its parse."""
    if not email:
        return False  # what it gives for no address
    if email.__class__ is str and PLAIN_EMAIL.fullmatch(email):
        return email
    return email_normalize(email, strict=False)


def _gives_some_not(values):
    """Whether some of a column's ``values`` are ``MISSING``."""
    return any(map(is_, values, repeat(MISSING)))


def _gives_any(values):
    """Whether some of a column's ``values`` are not ``MISSING``."""
    return not all(map(is_, values, repeat(MISSING)))


def _json_column(values):
    """``json.dumps`` of each value, ``None`` for ``MISSING``; texts, flags
    and ids written inline (a call per value cost a third of the JSON)."""
    if set(map(type, values)) == {str}:
        return list(map(encode_basestring_ascii, values))
    return [
        encode_basestring_ascii(value)
        if value.__class__ is str
        else "false"
        if value is False
        else "true"
        if value is True
        else int.__repr__(value)
        if value.__class__ is int
        else None
        if value is MISSING
        else json.dumps(value)
        for value in values
    ]


def json_texts(columns):
    """The COPY texts of JSON objects given column by column (``columns``
    maps each key to every object's value, ``MISSING`` where an object has
    no such key), each as ``copy_escape(json.dumps(dict))`` writes it: the
    keys in order, rendered by rows through one template rather than an
    encoder call per object."""
    names = [name for name, values in columns.items() if _gives_any(values)]
    if not names:
        return []
    keys = [json.dumps(name) + ": " for name in names]
    template = "{" + ", ".join(key.replace("%", "%%") + "%s" for key in keys) + "}"
    encoded = [_json_column(columns[name]) for name in names]
    texts = [
        template % row
        if None not in row
        else "{" + ", ".join(key + text for key, text in zip(keys, row, strict=True) if text) + "}"
        for row in zip(*encoded, strict=True)
    ]
    return list(map(copy_escape, texts))


def array_literal(values):
    """``values`` (integers or texts) as the text of an array, for
    ``%s::int4[]`` or ``%s::varchar[]``: parsed at once, where a list becomes
    an ``ARRAY[…]`` of as many constants to parse and plan (11 ms more for
    10,000 numbers). An int64 array is written a slice at a time: the texts of
    a national one at once held 60 MB."""
    if isinstance(values, np.ndarray):
        parts = (
            ",".join(map(str, values[start : start + LITERAL_SLICE].tolist()))
            for start in range(0, len(values), LITERAL_SLICE)
        )
        return "{" + ",".join(parts) + "}"
    values = list(values)
    if not values:
        return "{}"
    if set(map(type, values)) == {str}:
        plain = "".join(values)
        if "\\" not in plain and '"' not in plain:
            # texts with no quote nor backslash (enterprise numbers): quoted at once
            return '{"' + '","'.join(values) + '"}'
    if set(map(type, values)) == {int}:
        return "{" + ",".join(map(str, values)) + "}"
    texts = (
        str(value)
        if isinstance(value, int)
        else '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        for value in values
    )
    return "{" + ",".join(texts) + "}"


class _LineStream(io.TextIOBase):
    """A file for ``copy_expert`` that reads lines (or blocks of lines) from
    an iterator as COPY asks for them."""

    def __init__(self, lines):
        super().__init__()
        self.lines = lines

    def readable(self):
        return True

    def read(self, size=-1):  # pylint: disable=method-required-super
        chunk, length = [], 0
        for line in self.lines:
            chunk.append(line)
            length += len(line)
            if 0 <= size <= length:
                break
        return "".join(chunk)


class _Rows:
    """A slice of new partners read column by column: a value given in the
    row's ``vals``, else the default (``None`` when there is none)."""

    def __init__(self, ids, vals_list, defaults, given):
        self.ids, self.vals_list, self.defaults = ids, vals_list, defaults
        self.given = given  # the names some row of the whole insert gives
        self._columns = {}

    def column(self, name):
        column = self._columns.get(name)
        if column is None:
            default = self.defaults.get(name)
            column = self._columns[name] = [vals.get(name, default) for vals in self.vals_list]
        return column

    def gives(self, name):
        return name in self.given

    def given_or(self, name, computed):
        """The values given for ``name``, ``computed`` in the rows not giving it."""
        return [vals.get(name, value) for vals, value in zip(self.vals_list, computed, strict=True)]


class _ColumnRows:
    """A slice of new partners given column by column: ``columns`` maps a
    name to each row's value (``MISSING``: the row does not give it, its
    default is taken), ``partial`` the names that have some ``MISSING``. Reads
    as ``_Rows`` reads a list of ``vals``, without a dict per row."""

    def __init__(self, ids, columns, defaults, partial):
        self.ids, self.columns, self.defaults, self.partial = ids, columns, defaults, partial
        self.given = columns.keys()

    def column(self, name):
        values = self.columns.get(name)
        default = self.defaults.get(name)
        if values is None:
            return [default] * len(self.ids)
        if name in self.partial:
            return [default if value is MISSING else value for value in values]
        return values

    def gives(self, name):
        return name in self.given

    def given_or(self, name, computed):
        if name not in self.partial:
            return self.columns[name]
        return [
            other if value is MISSING else value
            for value, other in zip(self.columns[name], computed, strict=True)
        ]


class _PartnerInsert:
    """Set-based ``create`` of new prospects, an order of magnitude faster at
    national scale: ids drawn from the sequence, every column computed in
    Python (defaults, create and write uid and date, stored computed fields),
    rows and many2many links sent with ``COPY`` (``insert``), or staged with
    ``COPY`` in committed steps and created later with one ``INSERT … SELECT``
    (``stage_columns``, ``insert_staged``); then the constraints checked and the cache
    dropped, so the records read afterwards are those ``create`` would have
    made.

    The stored computed fields of ``COMPUTED_HERE`` are computed here as their
    methods do for a new company without parent, user or image. A stored
    computed field not listed, or whose methods a module overrides (l10n_be
    derives the company registry from the VAT), is computed by the ORM after
    the insert, in batch. Values outside what this handles (a parent, a
    one2many…) make ``can_insert`` refuse, and the caller uses ``create``.
    ``create`` overrides are bypassed: new prospects are never blacklisted
    (the blacklist is excluded upstream) and imports have mail tracking off."""

    # field: (modules defining its methods today, the methods its value comes from)
    COMPUTED_HERE = {
        "complete_name": ({"base"}, ("_compute_complete_name", "_get_complete_name")),
        "commercial_partner_id": ({"base"}, ("_compute_commercial_partner",)),
        "commercial_company_name": ({"base"}, ("_compute_commercial_company_name",)),
        "user_id": ({"base"}, ("_compute_user_id",)),
        "company_registry": ({"base"}, ("_compute_company_registry",)),
        "partner_share": ({"base"}, ("_compute_partner_share",)),
        "email_normalized": ({"mail"}, ("_compute_email_normalized",)),
        "phone_sanitized": (
            {"phone_validation"},
            (
                "_compute_phone_sanitized",
                "_phone_get_country",
                "_phone_format",
                "_phone_format_number",
            ),
        ),
        "rgpd_legal_basis": ({"rgpd_prospection"}, ("_compute_rgpd_legal_basis",)),
        "lang": ({"base"}, ("_compute_lang",)),
        "rgpd_other_phone_sanitized": (
            {"rgpd_prospection", "phone_validation"},
            (
                "_compute_rgpd_other_phone_sanitized",
                "_phone_get_country",
                "_phone_format",
                "_phone_format_number",
            ),
        ),
    }
    # stored computed fields that the staged INSERT computes in SQL from the
    # staged columns they depend on (which must be computed here): the Do Not
    # Call Me flags, read from the list in force when the rows are created,
    # not when they were staged. A new company has no contact person, so its
    # flag is its own numbers' one.
    # field: (modules defining its methods, its methods, the columns it reads)
    COMPUTED_IN_INSERT = {
        "rgpd_dncm_own_listed": (
            {"rgpd_prospection"},
            ("_compute_rgpd_dncm_own_listed",),
            ("phone_sanitized", "rgpd_other_phone_sanitized"),
        ),
        "rgpd_dncm_listed": (
            {"rgpd_prospection"},
            ("_compute_rgpd_dncm_listed",),
            ("phone_sanitized", "rgpd_other_phone_sanitized"),
        ),
    }
    # constraints that the staged insert checks only on the rows an SQL
    # condition over the row ``partner`` selects, the only rows they could
    # refuse (one pass over the inserted rows, where each check read or
    # searched every row of every chunk)
    # method: (modules defining it, condition)
    PREFILTERED_CHECKS = {
        # a cycle needs a parent
        "_check_parent_id": ({"base"}, "partner.parent_id IS NOT NULL"),
        # the persons' addresses only
        "_check_rgpd_nominative_email": (
            {"rgpd_prospection"},
            "partner.is_company IS NOT TRUE AND partner.email IS NOT NULL",
        ),
    }
    # one company per enterprise number: the numbers held twice, grouped once
    # over the table (the check grouped the whole table at each chunk: 12 % of
    # a national import), then the check run on the inserted rows holding them
    TWIN_CHECK = ("_check_bce_number_unique", {"rgpd_prospection"})
    # what the formulas of COMPUTED_HERE take as empty
    ASSUMED_EMPTY = {"parent_id", "company_name", "user_ids", "child_ids", "image_1920"}

    def __init__(self, partner_model):
        self.Partner = partner_model
        self.env = partner_model.env
        fields_ = partner_model._fields
        self.columns = {
            name
            for name, field in fields_.items()
            if field.store and field.column_type and name not in models.LOG_ACCESS_COLUMNS
        } - {"id"}
        self.many2many = {
            name for name, field in fields_.items() if field.store and field.type == "many2many"
        }
        # a monetary value needs the record's currency: such values go through ``create``
        self.monetary = {name for name in self.columns if fields_[name].type == "monetary"}
        self.computed_here = {
            fields_[name] for name in self.COMPUTED_HERE if self._not_overridden(name)
        }
        # properties (the field computes itself): the defaults of a definition
        # every partner shares, the same for each new one
        self.properties = {
            name: self._new_properties(field)
            for name, field in fields_.items()
            if field.type == "properties" and field.store and field.compute == field._compute
        }
        self.computed_here |= {fields_[name] for name in self.properties}
        here = {field.name for field in self.computed_here}
        self.computed_in_insert = {
            fields_[name]
            for name, (modules, methods, reads) in self.COMPUTED_IN_INSERT.items()
            if name in fields_ and self._defined_in(methods) == modules and set(reads) <= here
        }
        self.left_to_orm = [
            field
            for field in fields_.values()
            if field.store
            and field.compute
            and field not in self.computed_here
            # image sizes derive from an image a new prospect does not have
            and not getattr(field, "attachment", False)
        ]
        # ``create`` drops the values of fields neither stored nor inverted
        # (Invoicing's display flags on partners), so the insert does too
        self.defaults = {
            name: value
            for name, value in partner_model.default_get(list(fields_)).items()
            if fields_[name].store or fields_[name].inverse
        }
        self.usable = (
            not partner_model._parent_store
            and not partner_model._inherits
            and partner_model._primary_email == "email"
            and set(self.defaults) <= (self.columns - self.monetary) | self.many2many
        )
        self.inserted = 0
        self.next_analyze = ANALYZE_ROWS
        self.analyzed = 0
        self.tables = {"res_partner"}
        self._texts = {}
        self._countries = {}
        self._number_fields = partner_model._phone_get_number_fields()
        self._country_field = partner_model._phone_get_country_field()
        self._sequence = None  # of the ids, see ``_new_ids``

    def _not_overridden(self, name):
        """True when the methods of ``name`` come from the expected modules
        only, so the formulas here are still theirs."""
        if name not in self.Partner._fields:
            return False
        modules, methods = self.COMPUTED_HERE[name]
        return self._defined_in(methods) == modules

    def _defined_in(self, methods):
        """The modules that define ``methods`` on the partner model."""
        return {
            getattr(cls, "_module", None)
            for cls in type(self.Partner).__mro__
            for method in methods
            if method in vars(cls)
        }

    def _new_properties(self, field):
        """The properties of a new partner given none: the defaults of the
        definition its (non-stored, shared) definition record holds."""
        definition = self.Partner.new({})[field.definition_record]
        values = {field.name: None, field.definition_record: definition}
        return field._add_default_values(self.env, values) or None

    def can_insert(self, vals_list):
        return self.can_insert_names({name for vals in vals_list for name in vals})

    def can_insert_names(self, names):
        """Whether rows giving the fields ``names`` can be inserted here."""
        return (
            self.usable
            and names <= (self.columns - self.monetary) | self.many2many
            and not names & self.ASSUMED_EMPTY
        )

    # -- the stored computed fields of a slice of new companies, column by
    # column (``rows.column(name)``: each row's value, given or default)

    def _column_complete_name(self, rows):
        return [(name or "").strip() for name in rows.column("name")]

    def _column_commercial_partner_id(self, rows):
        return rows.ids

    def _column_commercial_company_name(self, rows):
        return [
            is_company and name or None
            for is_company, name in zip(rows.column("is_company"), rows.column("name"), strict=True)
        ]

    def _column_user_id(self, rows):
        return [None] * len(rows.ids)

    def _column_company_registry(self, rows):
        return [None] * len(rows.ids)

    def _column_partner_share(self, rows):
        return [True] * len(rows.ids)

    def _column_email_normalized(self, rows):
        return list(map(normalized_email, rows.column("email")))

    def _column_phone_sanitized(self, rows):
        return self._sanitized(rows, self._number_fields)

    def _column_rgpd_other_phone_sanitized(self, rows):
        return self._sanitized(rows, ["rgpd_other_phone"])

    def _sanitized(self, rows, fnames):
        """The first number of ``fnames`` that ``_phone_format`` formats, row
        by row: a Belgian number already in E.164 (the BCE's) through the
        short path of ``belgian_e164``, any other through ``_phone_format``."""
        sanitized = [None] * len(rows.ids)
        countries = rows.column(self._country_field)
        for fname in fnames:
            column = rows.column(fname)
            for index in [index for index, number in enumerate(column) if number]:
                if sanitized[index] is None:
                    sanitized[index] = self._e164(column[index], countries[index]) or None
        return sanitized

    def _e164(self, number, country_id):
        short = belgian_e164(number)
        if short is not None:
            return short
        country = self._countries.get(country_id)
        if country is None:
            country = self.env["res.country"].browse(country_id or [])
            country = self._countries[country_id] = country or self.env.company.country_id
        return self.Partner._phone_format_number(number, country)

    def _column_lang(self, rows):
        # a partner without parent keeps the language given, or none
        return rows.column("lang")

    def _column_properties(self, name, rows):
        return [self.properties[name]] * len(rows.ids)

    def _column_rgpd_legal_basis(self, rows):
        bases = {}
        for given in set(rows.column("is_bce_prospect")):
            bases[given] = self.Partner._rgpd_default_legal_basis(given) or None
        return list(map(bases.get, rows.column("is_bce_prospect")))

    # -- writing

    def insert(self, vals_list):
        """Create the partners of ``vals_list`` now: one COPY, then what
        ``create`` does after its INSERT."""
        ids = self._new_ids(len(vals_list))
        names, many2many, lines, links = self._render(ids, *self._vals_rows(vals_list))
        self._copy("res_partner", names, lines)
        for name, pairs in links.items():
            field = self.Partner._fields[name]
            self._copy(
                field.relation,
                [field.column1, field.column2],
                (f"{partner_id}\t{target}\n" for partner_id, target in pairs),
            )
            self.tables.add(field.relation)
        self._complete(self.Partner.browse(ids), [*names[1:-4], *many2many])
        return ids

    def stage_columns(self, columns, table, texts=None):
        """Prepare new partners in ``table`` (a copy of the shape of
        ``res_partner``), for ``insert_staged`` to create them later with one
        INSERT: the rows take their ids now. They are given column by column
        (no dict per row): ``columns`` maps a field to each row's value
        (``MISSING`` where a row does not give it), ``texts`` a field to each
        row's COPY text, rendered already. Returns the ids and the columns and
        many2many fields given."""
        texts = texts or {}
        ids = self._new_ids(len(next(iter({**columns, **texts}.values()))))
        rows = self._column_rows(columns, texts)
        names, many2many, lines, links = self._render(ids, *rows, texts)
        self._copy(table, names, lines)
        self._copy(
            f"{table}_links",
            ["field", "partner_id", "target_id"],
            (
                f"{name}\t{partner_id}\t{target}\n"
                for name, pairs in links.items()
                for partner_id, target in pairs
            ),
        )
        return ids, names[1:-4], many2many

    def stage_seen(self, table, seen):
        """What the last step needs of each number: ``seen`` maps it to its
        staged row's id or to the BCE values of an existing company (or to
        nothing: dropped)."""
        self._copy(
            f"{table}_seen",
            ["bce_number", "partner_id", "bce_values"],
            (
                "\t".join(
                    (
                        number,
                        str(partner_id) if partner_id else r"\N",
                        copy_escape(json.dumps(values)) if values else r"\N",
                    )
                )
                + "\n"
                for number, (partner_id, values) in seen.items()
            ),
        )

    def insert_staged(self, table, ids, columns, many2many, overrides):
        """Create the staged partners ``ids`` of ``table``: set-based INSERT of
        their rows (created and written now, ``overrides`` replacing staged
        values) in id order, their links in one INSERT, then what ``create``
        does after its INSERT, by chunks. The ids are held as one int64 array,
        made into Python integers a chunk at a time (a national list of them,
        and its set, cost some 100 MB)."""
        cr = self.env.cr
        ids = np.sort(np.asarray(ids, dtype=np.int64))
        now = cr.now()
        log = {"create_uid": self.env.uid, "create_date": now}
        log.update(write_uid=self.env.uid, write_date=now)
        given = {**overrides, **log}
        computed = {field.name: self._in_insert(field.name) for field in self.computed_in_insert}
        names = [name for name in columns if name not in given and name not in computed]
        self.env.flush_all()
        chunks = [ids[start : start + STAGED_INSERT] for start in range(0, len(ids), STAGED_INSERT)]
        for chunk in map(np.ndarray.tolist, chunks):
            cr.execute(
                SQL(
                    "INSERT INTO res_partner (id, %s, %s) SELECT id, %s, %s FROM %s AS staged "
                    "WHERE id BETWEEN %s AND %s AND id = ANY(%s::int4[]) ORDER BY id",
                    SQL(", ").join(map(SQL.identifier, names)),
                    SQL(", ").join(map(SQL.identifier, [*given, *computed])),
                    SQL(", ").join(map(SQL.identifier, names)),
                    SQL(", ").join(
                        [
                            *(
                                self._copy_value(self.Partner._fields.get(name), value)
                                for name, value in given.items()
                            ),
                            *computed.values(),
                        ]
                    ),
                    SQL.identifier(table),
                    chunk[0],
                    chunk[-1],
                    array_literal(chunk),
                )
            )
        # the links of the rows inserted, in one pass over the staged links
        # (one per chunk scanned them all each time), in the order staged:
        # the partners' order. The ids go as one array literal, which
        # PostgreSQL hashes (a join with ``res_partner`` read the whole table)
        id_array = array_literal(ids)
        for name in many2many:
            field = self.Partner._fields[name]
            cr.execute(
                SQL(
                    "INSERT INTO %s (%s, %s) SELECT partner_id, target_id FROM %s "
                    "WHERE field = %s AND partner_id = ANY(%s::int4[])",
                    SQL.identifier(field.relation),
                    SQL.identifier(field.column1),
                    SQL.identifier(field.column2),
                    SQL.identifier(f"{table}_links"),
                    name,
                    id_array,
                )
            )
            self.tables.add(field.relation)
        refusable = self._refusable(ids)
        for chunk in map(np.ndarray.tolist, chunks):
            self._complete(
                self.Partner.browse(chunk),
                [*columns, *computed, *many2many],
                self.computed_in_insert,
                refusable,
            )

    def _in_insert(self, name):
        """The SQL of a field of ``COMPUTED_IN_INSERT``, over the row ``staged``."""
        if name in ("rgpd_dncm_own_listed", "rgpd_dncm_listed"):
            return SQL(
                "EXISTS (SELECT FROM %s WHERE number IN (staged.phone_sanitized, "
                "staged.rgpd_other_phone_sanitized))",
                SQL.identifier(self.env["rgpd.dncm.number"]._table),
            )
        raise ValueError(f"no SQL for {name}")

    def _copy_value(self, field, value):
        if field is None or field.name in models.LOG_ACCESS_COLUMNS:
            return SQL("%s", value)
        return SQL("%s", field.convert_to_column_insert(value, self.Partner))

    def _new_ids(self, count):
        """``count`` ids drawn from the partners' sequence, named once: the
        sequence looked up by name for each id cost ten times the ids (30 ms
        for 10,000)."""
        self.env.flush_all()
        cr = self.env.cr
        if self._sequence is None:
            cr.execute(SQL("SELECT pg_get_serial_sequence('res_partner', 'id')"))
            self._sequence = cr.fetchone()[0]
        cr.execute(
            SQL("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", self._sequence, count)
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _vals_rows(self, vals_list):
        """What ``_render`` reads of a list of ``vals``: the names given, the
        rows of a slice, the countries given."""
        given = {name for vals in vals_list for name in vals}

        def rows_of(start, end, ids):
            return _Rows(ids, vals_list[start:end], self.defaults, given)

        return given, rows_of, {vals.get(self._country_field) for vals in vals_list}

    def _column_rows(self, columns, texts):
        """``_vals_rows`` of rows given column by column (see ``stage_columns``);
        a field no row gives is left out, as in a list of ``vals``."""
        columns = {name: values for name, values in columns.items() if _gives_any(values)}
        partial = {name for name, values in columns.items() if _gives_some_not(values)}
        given = {*columns, *texts}

        def rows_of(start, end, ids):
            sliced = {name: values[start:end] for name, values in columns.items()}
            return _ColumnRows(ids, sliced, self.defaults, partial)

        countries = set(columns.get(self._country_field, ())) - {MISSING}
        return given, rows_of, countries

    def _render(self, ids, given, rows_of, country_ids, texts=None):
        """The columns, many2many fields, COPY lines (streamed: PostgreSQL
        writes the rows of one slice while Python turns the next slice into
        text, on another core) and many2many links of new partners, read
        through ``rows_of(start, end, ids)`` (``_vals_rows``,
        ``_column_rows``); ``texts``: columns given as COPY texts already."""
        texts = texts or {}
        computers = {
            field.name: (
                partial(self._column_properties, field.name)
                if field.name in self.properties
                else getattr(self, f"_column_{field.name}")
            )
            for field in self.computed_here
            if field.name not in self.defaults
        }
        varying = sorted((given | set(computers)) & self.columns)
        constant = sorted((set(self.defaults) & self.columns) - set(varying))
        many2many = sorted((given | set(self.defaults)) & self.many2many)
        model_fields = self.Partner._fields
        # the transaction's timestamp, as ``create`` and the ORM's later writes
        log = [str(self.env.uid), str(self.env.cr.now())] * 2
        tail = "\t".join(
            [*(self._text(model_fields[name], self.defaults[name]) for name in constant), *log]
        )
        columns = [(name, self._converter(model_fields[name])) for name in varying]
        # what the formulas read, loaded now: the COPY leaves the connection
        # to nothing else
        self._prefetch(country_ids)
        links = {name: [] for name in many2many}
        row_end = f"\t{tail}\n"

        def lines():
            """The rows of a slice at a time, column by column: each column's
            values are taken or computed and converted in one pass, then the
            rows joined."""
            for start in range(0, len(ids), STREAM_SLICE):
                end = start + STREAM_SLICE
                rows = rows_of(start, end, ids[start:end])
                for name, pairs in links.items():
                    pairs.extend(self._link_pairs(rows.ids, rows.column(name)))
                rendered = [
                    texts[name][start:end]
                    if name in texts
                    else self._column_texts(convert, self._column(rows, name, computers.get(name)))
                    for name, convert in columns
                ]
                lines = map("\t".join, zip(map(str, rows.ids), *rendered, strict=True))
                yield row_end.join(lines) + row_end

        names = ["id", *varying, *constant, "create_uid", "create_date", "write_uid", "write_date"]
        return names, many2many, lines(), links

    @staticmethod
    def _column(rows, name, compute):
        """The values of a column: given, else computed (a computed field
        given a value keeps it, as ``create`` does), else its default."""
        if compute is None:
            return rows.column(name)
        computed = compute(rows)
        if not rows.gives(name):
            return computed
        return rows.given_or(name, computed)

    def _link_pairs(self, ids, column):
        """The (partner, target) pairs of a many2many column: one command
        list shared by every row (the import's tag) is read once."""
        first = column[0]
        if all(map(is_, column, repeat(first))):
            targets = self._targets(first or [])
            return [(partner_id, target) for partner_id in ids for target in targets]
        return [
            (partner_id, target)
            for partner_id, value in zip(ids, column, strict=True)
            for target in self._targets(value or [])
        ]

    @staticmethod
    def _column_texts(convert, column):
        """The COPY texts of a column's values, converted once when they are
        all the same object (a flag, the country, the extract's number)."""
        first = column[0]
        if all(map(is_, column, repeat(first))):
            return [convert(first)] * len(column)
        if getattr(convert, "unbounded", False) and (texts := _plain_texts(column)):
            return texts
        return list(map(convert, column))

    def _prefetch(self, country_ids):
        """Load the countries the phone formula reads (those given, and the
        default)."""
        country_ids = {*country_ids, self.defaults.get(self._country_field)}
        countries = self.env["res.country"].browse(filter(None, country_ids))
        (countries | self.env.company.country_id).mapped("phone_code")

    def _text(self, field, value):
        return self._converter(field)(value)

    def _converter(self, field):
        """The function giving the COPY text of a value of ``field``: texts
        differ from row to row, other values repeat and are converted once."""
        if field.type in ("char", "text") and not field.translate and not field.company_dependent:
            size = field.size

            def convert_text(value):
                # ``convert_to_column_insert`` of such fields, inlined
                if value is None or value is False:
                    return r"\N"
                text = value.decode() if isinstance(value, bytes) else str(value)
                return copy_escape(text[:size])

            convert_text.unbounded = not size
            return convert_text
        if field.type == "json":

            def convert_json(value):
                # ``convert_to_column_insert`` of a JSON field, inlined
                if not value:
                    return r"\N"
                return copy_escape(json.dumps(value))

            return convert_json
        if field.type in ("char", "text", "html", "properties"):
            return partial(self._copy_text, field)
        known = self._texts.setdefault(field.name, {})

        def convert(value):
            key = (type(value), value)  # so that 0, False and 1, True stay apart
            try:
                return known[key]
            except KeyError:
                text = known[key] = self._copy_text(field, value)
                return text
            except TypeError:  # unhashable
                return self._copy_text(field, value)

        if field.type == "date":
            return self._date_converter(convert)
        if field.type != "many2one" or field.company_dependent:
            return convert

        def convert_id(value):
            # ``convert_to_column_insert`` of a many2one given an id, inlined:
            # ids differ from row to row (``commercial_partner_id``), and
            # remembering each would fill ``known``
            if value.__class__ is int:
                return str(value) if value else r"\N"
            return convert(value)

        return convert_id

    @staticmethod
    def _date_converter(convert):
        """``convert`` for a date field, an ISO date (the BCE's start dates:
        thousands of them) taken as its own text once checked, without
        ``to_date``'s ``strptime``."""

        def convert_date(value):
            if value.__class__ is str and ISO_DATE.fullmatch(value):
                return date.fromisoformat(value).isoformat()
            return convert(value)

        return convert_date

    @staticmethod
    def _targets(value):
        """Ids linked by many2many commands (set, link) or a list of ids."""
        targets = []
        for item in value:
            if isinstance(item, int):
                targets.append(item)
            elif item[0] == 6:
                targets = list(item[2])
            elif item[0] == 4:
                targets.append(item[1])
            else:
                raise ValueError(f"unexpected many2many command {item!r}")
        return dict.fromkeys(targets)

    def _copy_text(self, field, value):
        """The COPY text form of what ``create`` would send for ``value``
        (monetary values, which need the row's currency, never come here)."""
        value = field.convert_to_column_insert(value, self.Partner)
        if value is None:
            return r"\N"
        if isinstance(value, bool):
            return "t" if value else "f"
        if isinstance(value, PsycopgJson):
            value = value.dumps(value.adapted)
        return copy_escape(str(value))

    def _copy(self, table, columns, lines):
        names = ", ".join(f'"{name}"' for name in columns)
        self.env.cr._obj.copy_expert(
            f'COPY "{table}" ({names}) FROM STDIN', _LineStream(lines), size=COPY_CHUNK
        )

    def _complete(self, partners, names, computed_in_sql=frozenset(), refusable=None):
        """What ``create`` does after its INSERT: dependent fields of other
        records marked, the fields left to the ORM (but not those the INSERT
        computed, ``computed_in_sql``) computed, constraints checked; then the
        cache, which the insert bypassed, is dropped. ``refusable``: the
        staged insert's, see ``_refusable``; it refreshes the statistics once,
        at the end, and the others as the table doubles."""
        if "parent_id" not in names:
            # what ``create`` leaves in the cache, and ``modified`` follows:
            # read, it cost a query over the chunk
            field = self.Partner._fields["parent_id"]
            field._insert_cache(partners, repeat(None, len(partners)))
        with self.env.protecting(self.computed_here | computed_in_sql, partners):
            partners.modified(names, create=True)
        for field in self.left_to_orm:
            if field not in computed_in_sql:
                self.env.add_to_compute(field, partners)
        self.env.flush_all()
        # one column read per constraint, not every column of the batch
        records = partners.with_context(prefetch_fields=False)
        if refusable is None:
            records._validate_fields(names)
        else:
            self._validate(records, names, refusable)
        self.env.invalidate_all()
        self.inserted += len(partners)
        if refusable is None and self.inserted >= self.next_analyze:
            self.analyze()
            self.next_analyze = 8 * self.inserted

    def _refusable(self, ids):
        """For the constraints of ``PREFILTERED_CHECKS`` and ``TWIN_CHECK``
        (unless a module overrides them), the set of ``ids`` (a sorted int64
        array, searched rather than hashed) each could refuse."""
        cr = self.env.cr
        checks = {
            name: condition
            for name, (modules, condition) in self.PREFILTERED_CHECKS.items()
            if self._defined_in([name]) == modules
        }
        refusable = {name: set() for name in checks}

        def inserted(partner_ids):
            partner_ids = np.asarray(partner_ids, dtype=np.int64)
            return set(partner_ids[in_sorted(partner_ids, ids)].tolist())

        if checks:
            cr.execute(
                SQL(
                    "SELECT partner.id, %s FROM res_partner AS partner "
                    "WHERE partner.id BETWEEN %s AND %s AND (%s)",
                    SQL(", ").join(SQL(condition) for condition in checks.values()),
                    int(ids[0]),
                    int(ids[-1]),
                    SQL(" OR ").join(SQL(condition) for condition in checks.values()),
                )
            )
            rows = cr.fetchall()
            kept = inserted([row[0] for row in rows])
            for partner_id, *flags in rows:
                if partner_id in kept:
                    for name, flag in zip(checks, flags, strict=True):
                        if flag:
                            refusable[name].add(partner_id)
        name, modules = self.TWIN_CHECK
        if self._defined_in([name]) == modules:
            with self._local_setting("work_mem", TWIN_WORK_MEM):
                cr.execute(
                    SQL(
                        "SELECT array_agg(id) FROM res_partner "
                        "WHERE is_company AND bce_number IS NOT NULL "
                        "GROUP BY bce_number HAVING count(*) > 1"
                    )
                )
                refusable[name] = inserted([pid for (group,) in cr.fetchall() for pid in group])
        return refusable

    @contextmanager
    def _local_setting(self, name, value):
        """A setting changed for the queries of the block only."""
        cr = self.env.cr
        cr.execute(SQL("SELECT current_setting(%s)", name))
        (before,) = cr.fetchone()
        cr.execute(SQL("SELECT set_config(%s, %s, true)", name, value))
        try:
            yield
        finally:
            cr.execute(SQL("SELECT set_config(%s, %s, true)", name, before))

    def _validate(self, records, names, refusable):
        """``_validate_fields(names)``, each check of ``refusable`` run on the
        records it could refuse only."""
        names = set(names)
        records = records.sudo()
        for check in records._constraint_methods:
            if names.isdisjoint(check._constrains):
                continue
            if check.__name__ in refusable:
                subset = records.browse(
                    [pid for pid in records._ids if pid in refusable[check.__name__]]
                )
                if subset:
                    check(subset)
            else:
                check(records)

    def analyze(self):
        """Fresh statistics for the rest of the transaction, until autovacuum
        analyzes the tables after the commit: without them the planner keeps
        the distribution of the few rows analyzed before (a first import: no
        prospect at all). Run as the table doubles (``insert``), and at the
        end (and only then for ``insert_staged``: 1 s at 200,000 enterprises
        each)."""
        if self.inserted == self.analyzed:
            return
        self.analyzed = self.inserted
        self.env.cr.execute(
            SQL("ANALYZE %s", SQL(", ").join(SQL.identifier(t) for t in sorted(self.tables)))
        )
