"""Engine companies mapped to contacts: matched, updated, created, archived."""

import re
from collections import Counter
from itertools import islice

import numpy as np
from markupsafe import Markup, escape
from odoo import fields
from odoo.tools import SQL

from ...bce_engine.codes import format_nace_code
from ...bce_engine.engine import EnterpriseNumbers
from ...bce_engine.frames import in_sorted
from ...bce_engine.numbers import format_enterprise_number
from ...tools import nace_codes_texts, nace_keys
from .partner_insert import (
    ANALYZE_ROWS,
    MISSING,
    _gives_some_not,
    _PartnerInsert,
    array_literal,
    json_texts,
)
from .partner_update import _PartnerUpdate

PARTNER_LANGS = {"fr": "fr_BE", "nl": "nl_BE", "de": "de_DE"}
CREATE_BATCH = 2000
SYNC_CHUNK = 10_000
# a note the HTML sanitizer gives back as it is (checked on every character
# it may meet): the tags of ``_message`` without attributes, around text
# escaped by markupsafe with no quote entity (the sanitizer writes the quote),
# no control character nor one that XML refuses, no no-break space (``&nbsp;``)
SANITIZED = re.compile(
    r"(?:[^&<>\x00-\x08\x0b-\x1f\x7f\xa0\ud800-\udfff\ufffe\uffff]|&(?:amp|lt|gt);|</?(?:p|ul|li)>)*"
)
# notes logged set-based from this many at once (an update's few go through the ORM)
NOTES_SQL_MIN = 50
# ids read at a time when looking for the prospects a full comparison leaves out
ARCHIVE_CHUNK = 100_000
NO_NUMBERS = np.empty(0, dtype=np.int64)


def number_array(numbers):
    """Enterprise numbers (texts) as int64, for sets searched rather than
    hashed (``in_sorted``); one that is not ten digits (typed by hand) is -1,
    which no enterprise number is."""
    return np.fromiter(
        (int(n) if len(n) == 10 and n.isascii() and n.isdecimal() else -1 for n in numbers),
        dtype=np.int64,
    )


def not_given(numbers, given):
    """The numbers (texts) of ``numbers`` not among ``given`` (a sorted int64 array)."""
    numbers = list(numbers)
    inside = in_sorted(number_array(numbers), given)
    return {number for number, kept in zip(numbers, inside, strict=True) if not kept}


class _PartnerSync:
    """Maps engine companies to contacts, in batches, without tracking.

    ``run(companies, leaving)``: ``leaving`` holds the numbers of prospects no
    longer given (``None``: every prospect not in ``companies``)."""

    def __init__(self, partner_model, meta, excluded, bce_import=None):
        self.env = partner_model.env
        # the import applying the extract: each contact it creates, updates
        # or archives is linked to it, so that its figures open their lists
        self.import_id = bce_import.id if bce_import else False
        self.Partner = partner_model.with_context(
            active_test=False,
            tracking_disable=True,
            mail_create_nolog=True,
            mail_notrack=True,
            mail_auto_subscribe_no_notify=True,
        )
        self.meta = meta
        self.excluded = set(excluded)
        self.now = fields.Datetime.now()
        self.counts = Counter()
        self.messages = {}
        self.archive_reasons = None  # numbers -> {number: why it is archived}
        # numbers -> {number: company}: the BCE's data of prospects that leave
        # the perimeter, whose new address is written before they are archived
        self.leaving_companies = None
        self.last_values = {}
        self.tag = self._prospect_tag()
        self.tag_command = [(4, self.tag.id)] if self.tag else []
        self.country = self.env.ref("base.be")
        installed = {code for code, _name in self.env["res.lang"].get_installed()}
        self.langs = {key: code for key, code in PARTNER_LANGS.items() if code in installed}
        self.naces = {
            (nace.version, nace.code): nace.id
            for nace in self.env["rgpd.nace"].with_context(active_test=False).search([])
        }
        self.forms = {form.code: form.id for form in self.env["rgpd.juridical.form"].search([])}
        orm_create = self.env.context.get("rgpd_bce_orm_create")
        self.inserter = None if orm_create else _PartnerInsert(self.Partner)
        orm_write = orm_create or self.env.context.get("rgpd_bce_orm_write")
        self.writer = None if orm_write else _PartnerUpdate(self.Partner)
        self.pending = []  # (partner, values, last values): compared and written together
        self.labels, self.nace_labels = {}, {}  # of the notes, by field and by NACE code
        self.header = None  # of the notes
        self.displayed = {}  # (field, value): its display in the notes, of a chunk

    def _prospect_tag(self):
        tag = self.env.ref("rgpd_prospection.res_partner_category_bce_prospect", False)
        return tag or self.env["res.partner.category"].search([("name", "=", "BCE prospect")])

    def run(self, companies, leaving, changed=None):
        """``companies``: an iterable, synced by chunks so that a national
        import stays within bounded memory. ``changed`` (an update): the
        numbers it changed, those not among ``companies`` leave (``leaving``
        is then computed here, so that the companies need not be listed
        first: a mass update changes hundreds of thousands)."""
        given, built = [], set()
        companies = iter(companies)
        while chunk := list(islice(companies, SYNC_CHUNK)):
            self.counts["count_kept"] += len(chunk)
            if changed is not None:
                built.update(company.bce_number for company in chunk)
            chunk = [c for c in chunk if c.bce_number not in self.excluded]
            given.append(number_array(company.bce_number for company in chunk))
            self._sync(chunk)
        if self.inserter and self.inserter.inserted >= ANALYZE_ROWS:
            # statistics: a few new rows (an update) do not change them
            self.inserter.analyze()
        if changed is not None:
            leaving = changed - built
        self._archive(leaving, np.sort(np.concatenate([NO_NUMBERS, *given])))
        self._post_messages()
        return dict(self.counts)

    def _sync(self, companies):
        self._ensure_codes(companies)
        existing = self._match([company.bce_number for company in companies])
        to_create = []
        for company, values in zip(companies, self._values_of(companies), strict=True):
            partner = existing.get(company.bce_number)
            if partner:
                self._apply_existing(partner, company.bce_number, values)
            else:
                to_create.append(self._create_values(company.bce_number, values))
        self._create(to_create)
        self._write_pending()

    def _apply_existing(self, partner, number, values):
        if partner.is_bce_prospect:
            self._update(partner, values)
        elif not partner.bce_number:
            partner.write({"bce_number": number})
            self.counts["count_linked"] += 1

    # -- in two parts: staging in committed steps, then all at once

    def stage(self, companies, numbers, table):
        """Prepare ``companies`` (those built of ``numbers``, an iterable of
        ``Company`` or ``CompanyRow``, read by attribute) in ``table``: the
        rows of the new prospects, and for each number what the final step
        needs (the staged row, or the BCE values of an existing
        company, or nothing for a company dropped while building). Taken by
        chunks of ``SYNC_CHUNK``, each sent before the next is built, so that a
        step holds one chunk's companies and rows, not the whole batch's."""
        columns, many2many, handled = set(), set(), set()
        companies = iter(companies)
        while chunk := list(islice(companies, SYNC_CHUNK)):
            given, links, staged = self._stage_chunk(chunk, table)
            columns.update(given)
            many2many.update(links)
            handled.update(staged)
        # numbers dropped while building, or excluded: nothing to do at the end
        self.inserter.stage_seen(
            table, {number: (None, None) for number in numbers if number not in handled}
        )
        return sorted(columns), sorted(many2many)

    def _stage_chunk(self, companies, table):
        """Stage a chunk: the new companies' rows taken column by column from
        the companies (no dict of values per company), the existing ones'
        BCE values kept for the final step."""
        companies = [c for c in companies if c.bce_number not in self.excluded]
        self._ensure_codes(companies)
        numbers = [company.bce_number for company in companies]
        existing = self._match(numbers)
        seen = dict.fromkeys(numbers)  # in the companies' order
        old = [company for company in companies if company.bce_number in existing]
        seen.update(
            (company.bce_number, (None, values))
            for company, values in zip(old, self._values_of(old), strict=True)
        )
        new = [company for company in companies if company.bce_number not in existing]
        columns, many2many = [], []
        if new:
            values = self._value_columns(new)
            rows = self._create_columns([company.bce_number for company in new], values)
            if self.inserter.can_insert_names({*rows, "bce_last_values"}):
                texts = {"bce_last_values": json_texts(values)}
                ids, columns, many2many = self.inserter.stage_columns(rows, table, texts)
                seen.update((c.bce_number, (pid, None)) for c, pid in zip(new, ids, strict=True))
            else:  # the fast path cannot stage them: their values, for the final step
                seen.update(
                    (company.bce_number, (None, company_values))
                    for company, company_values in zip(new, self._rows(values), strict=True)
                )
        self.inserter.stage_seen(table, seen)
        return columns, many2many, seen.keys()

    def run_staged(self, numbers, changed, table, columns, many2many, companies_of, release=None):
        """Apply what ``stage`` prepared for ``numbers`` (all at once):
        staged rows inserted, existing companies updated, companies matched or
        created since the staging handled as ``run`` does; ``companies_of``
        builds the companies of numbers the staging did not see. ``changed``:
        the numbers an update changed (``None``: the whole perimeter); those
        not given any more leave. ``release`` is called once the engine's
        state is needed no more (those companies built, the leaving prospects
        archived with their reasons), before the staged insert: the step's
        longest part runs without the state the process holds. What the step
        keeps of the whole perimeter, its numbers given and the ids to insert,
        is held as int64 arrays (a national perimeter's texts in a set, and its
        ids in a list, took hundreds of MB)."""
        given, inserted, unseen = [], [], []
        cr = self.env.cr
        if not isinstance(numbers, EnterpriseNumbers):
            numbers = sorted(numbers)  # the engine's are in order already: read by ranges
        for start in range(0, len(numbers), SYNC_CHUNK):
            chunk = [n for n in numbers[start : start + SYNC_CHUNK] if n not in self.excluded]
            if not chunk:
                continue
            # a range of the table's key, read in one pass (a list of numbers
            # had the planner, without statistics on a table filled in the
            # same transaction, scan the whole table for each chunk: 19 s of a
            # national import)
            cr.execute(
                SQL(
                    "SELECT bce_number, partner_id, bce_values FROM %s "
                    "WHERE bce_number BETWEEN %s AND %s",
                    SQL.identifier(f"{table}_seen"),
                    chunk[0],
                    chunk[-1],
                )
            )
            seen = {number: (pid, values) for number, pid, values in cr.fetchall()}
            unseen.extend(number for number in chunk if number not in seen)
            built = [n for n in chunk if n in seen and (seen[n][0] or seen[n][1] is not None)]
            self.counts["count_kept"] += len(built)
            given.append(number_array(built))
            existing = self._match(built)
            to_create, staged = [], []
            for number in built:
                pid, values = seen[number]
                partner = existing.get(number)
                if partner:
                    self._apply_existing(partner, number, values or self._staged_values(table, pid))
                elif pid:
                    staged.append(pid)
                else:
                    to_create.append(self._create_values(number, values))
            inserted.append(np.asarray(staged, dtype=np.int64))
            self._create(to_create)
            self._write_pending()
        companies = list(companies_of(unseen)) if unseen else []
        self.counts["count_kept"] += len(companies)
        companies = [c for c in companies if c.bce_number not in self.excluded]
        given.append(number_array(company.bce_number for company in companies))
        for start in range(0, len(companies), SYNC_CHUNK):
            self._sync(companies[start : start + SYNC_CHUNK])
        given = np.sort(np.concatenate(given))
        self._archive(None if changed is None else not_given(changed, given), given)
        if release:
            release()
        inserted = np.concatenate(inserted) if inserted else np.empty(0, dtype=np.int64)
        if len(inserted):
            self.inserter.insert_staged(table, inserted, columns, many2many, self._origin_values())
            self.counts["count_created"] += len(inserted)
        self.inserter.analyze()
        self._post_messages()
        return dict(self.counts)

    def _staged_values(self, table, partner_id):
        """The BCE values of a staged row (a company created by hand since)."""
        self.env.cr.execute(
            SQL("SELECT bce_last_values FROM %s WHERE id = %s", SQL.identifier(table), partner_id)
        )
        return self.env.cr.fetchone()[0]

    # -- matching

    def _match(self, numbers):
        """Existing companies by enterprise number (archived included), then by
        Belgian VAT for the numbers not found."""
        # SQL: the engine's numbers are normalised already, and the ORM search
        # would normalise each again (a minute at national scale)
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT id, bce_number FROM res_partner
                   WHERE is_company AND bce_number = ANY(%s::varchar[]) ORDER BY id""",
                array_literal(numbers),
            )
        )
        rows = self.env.cr.fetchall()
        # a column read at a time for the whole chunk: most companies are
        # compared on their last BCE values only
        partners = self.Partner.with_context(prefetch_fields=False).browse([r[0] for r in rows])
        self._load_last_values(partners)
        found = {number: partner for partner, (_id, number) in zip(partners, rows, strict=True)}
        missing = [number for number in numbers if number not in found]
        if missing:
            self.env.cr.execute(
                SQL(
                    """SELECT id, digits FROM (
                           SELECT id, regexp_replace(vat, '[^0-9]', '', 'g') AS digits
                           FROM res_partner
                           WHERE vat ILIKE %s AND parent_id IS NULL
                       ) vats WHERE digits = ANY(%s::text[]) ORDER BY id""",
                    "BE%",
                    array_literal(missing),
                )
            )
            rows = self.env.cr.fetchall()
            partners = self.Partner.browse([row[0] for row in rows])
            for partner, (_id, digits) in zip(partners, rows, strict=True):
                found.setdefault(digits.zfill(10), partner)
        return found

    def _load_last_values(self, partners):
        """The last BCE values of ``partners``, read at once: most companies
        are compared on them only (the ORM would copy each)."""
        self.Partner.flush_model(["bce_last_values"])
        self.env.cr.execute(
            SQL("SELECT id, bce_last_values FROM res_partner WHERE id = ANY(%s)", partners.ids)
        )
        self.last_values = dict(self.env.cr.fetchall())

    # -- values

    def _ensure_codes(self, companies):
        """NACE codes and juridical forms missing from the code table get a
        record without label, so no activity is lost."""
        # the engine's triples are shared by its companies: their distinct ones first
        triples = set().union(*(company.nace_codes for company in companies))
        missing_naces = sorted(
            {(version, code) for version, code, _cls in triples} - set(self.naces)
        )
        for version, code in missing_naces:
            by_code = {
                k[1]: self.env["rgpd.nace"].browse(v)
                for k, v in self.naces.items()
                if k[0] == version
            }
            nace = self.env["rgpd.nace"].create(
                {
                    "code": code,
                    "version": version,
                    "parent_id": self.env["rgpd.nace"]._nearest_parent_id(code, version, by_code),
                }
            )
            self.naces[(version, code)] = nace.id
        forms = {self._form_code(c) for c in companies} - set(self.forms) - {None}
        for form in self.env["rgpd.juridical.form"].create([{"code": f} for f in sorted(forms)]):
            self.forms[form.code] = form.id

    @staticmethod
    def _form_code(company):
        return company.juridical_form_cac or company.juridical_form

    def _address_values(self, company):
        """Where the company's seat is, in the comparable form of ``_current``."""
        return {name: column[0] for name, column in self._address_columns([company]).items()}

    def _address_columns(self, companies, langs=None):
        """``_address_values`` of ``companies``, column by column; ``langs``:
        their partner languages, if known already."""
        if langs is None:
            langs = [self.langs.get(company.language) for company in companies]
        country = self.country.id
        postal_codes = [company.postal_code for company in companies]
        return {
            "zip": [postal_code or False for postal_code in postal_codes],
            "city": [
                (
                    company.municipality_nl or company.municipality_fr
                    if lang and lang.startswith("nl")
                    else company.municipality_fr or company.municipality_nl
                )
                or False
                for company, lang in zip(companies, langs, strict=True)
            ],
            "country_id": [country if postal_code else False for postal_code in postal_codes],
        }

    def _values_of(self, companies):
        """The BCE values of the synced fields of each of ``companies``, in
        the comparable form of ``_current``."""
        return self._rows(self._value_columns(companies))

    @staticmethod
    def _rows(columns):
        """The dicts of rows given column by column, without the keys a row
        does not give (``MISSING``)."""
        rows = [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
        partial = [name for name, values in columns.items() if _gives_some_not(values)]
        for values in rows:
            for name in partial:
                if values[name] is MISSING:
                    del values[name]
        return rows

    def _value_columns(self, companies):
        """The BCE values of ``companies`` column by column (a pass per field,
        not a dict per company: the national import prepares a million), the
        keys in the order of the values compared and noted; ``lang`` is
        ``MISSING`` where the company's language is not installed."""
        langs = [self.langs.get(company.language) for company in companies]
        main = [self._main_nace(company.nace_codes) for company in companies]
        texts = nace_codes_texts([company.nace_codes for company in companies])
        return {
            "name": [
                company.name or format_enterprise_number(company.bce_number)
                for company in companies
            ],
            "email": [company.emails[0] if company.emails else False for company in companies],
            "phone": [company.phones[0] if company.phones else False for company in companies],
            **self._address_columns(companies, langs),
            "bce_juridical_form_id": [
                self.forms.get(self._form_code(company), False) for company in companies
            ],
            "bce_start_date": [
                company.start_date.isoformat() if company.start_date else False
                for company in companies
            ],
            "bce_main_nace_id": [self.naces[key] if key else False for key in main],
            "bce_nace_codes": texts,
            "active": [True] * len(companies),
            "lang": [lang or MISSING for lang in langs],
        }

    @staticmethod
    def _main_nace(nace_codes):
        """The (version, code) of the first MAIN activity, ``None`` if none."""
        for version, code, classification in nace_codes:
            if classification == "MAIN":
                return version, code
        return None

    @staticmethod
    def _current(partner, fname):
        value = partner[fname]
        field = partner._fields[fname]
        if field.type == "many2one":
            return value.id or False
        if field.type == "date":
            return value.isoformat() if value else False
        return value if field.type == "boolean" else (value or False)

    def _origin_values(self):
        return {
            "bce_extract_number": self.meta.extract_number,
            "bce_snapshot_date": self.meta.snapshot_date,
            "bce_last_sync": self.now,
        }

    # -- writing

    def _create(self, vals_list):
        """New prospects: set-based insert, or ORM ``create`` when the context
        asks for it (benchmark, equivalence test) or the fast path cannot
        reproduce them."""
        if not vals_list:
            return
        if self.inserter and self.inserter.can_insert(vals_list):
            self.inserter.insert(vals_list)
        else:
            for first in range(0, len(vals_list), CREATE_BATCH):
                self.Partner.create(vals_list[first : first + CREATE_BATCH])
        self.counts["count_created"] += len(vals_list)

    def _create_columns(self, numbers, columns):
        """``_create_values`` of the companies ``numbers`` given column by
        column, without ``bce_last_values`` (the caller renders it)."""
        count = len(numbers)
        rows = dict(columns)
        rows.update((name, [value] * count) for name, value in self._origin_values().items())
        rows.update(
            bce_number=numbers,
            is_company=[True] * count,
            is_bce_prospect=[True] * count,
            category_id=[self.tag_command] * count,  # one list for all: read once by the insert
            rgpd_bce_import_created_id=[self.import_id] * count,
        )
        return rows

    def _create_values(self, number, values):
        columns = self._create_columns([number], {name: [value] for name, value in values.items()})
        return {**{name: column[0] for name, column in columns.items()}, "bce_last_values": values}

    def _update(self, partner, values):
        if partner.id in self.last_values:
            last = self.last_values[partner.id] or {}
        else:
            last = partner.bce_last_values or {}
        if last == values:
            # the BCE changed nothing since the last import: each field holds
            # that value or a hand correction, both kept
            return
        self.pending.append((partner, values, last))

    def _write_pending(self):
        """The prospects whose BCE values changed: read at once (only them, not
        the chunk they came in), compared, written set-based."""
        pending, self.pending = self.pending, []
        if not pending:
            return
        ids = [partner.id for partner, _values, _last in pending]
        currents, tagged = self._read_current(
            ids, sorted({fname for _p, values, _l in pending for fname in values})
        )
        writes = []
        for partner, values, last in pending:
            changes, vals = [], {}
            current_of = currents[partner.id]
            for fname, new in values.items():
                current = current_of[fname]
                hand_corrected = fname in last and current != last[fname]
                if not hand_corrected and current != new:
                    vals[fname] = new
                    changes.append((fname, current, new))
            vals.update(self._origin_values(), bce_last_values=values)
            if self.tag and partner.id not in tagged:
                vals["category_id"] = [(4, self.tag.id)]
            if changes and self.import_id:
                vals["rgpd_bce_import_updated_ids"] = [(4, self.import_id)]
            writes.append((partner, vals))
            if changes:
                self.counts["count_updated"] += 1
                self.messages[partner.id] = self._message(partner, changes)
        self._write_all(writes)
        # a mass update changes hundreds of thousands: their notes are posted
        # chunk by chunk, and what the chunk read leaves the cache
        self._post_messages()
        self.env.invalidate_all()
        self.displayed.clear()

    def _read_current(self, ids, fnames):
        """The values of ``fnames`` of the prospects ``ids`` in the comparable
        form of ``_current`` (``{id: {field: value}}``) and the ids of those
        that have the prospect tag, read in two queries: filling the ORM's
        cache and reading it back field by field took a tenth of a mass
        update's contacts step. Through the ORM if a field is not a plain
        column of the table."""
        Partner = self.Partner.with_context(prefetch_fields=False)
        plain = all(
            Partner._fields[fname].column_type
            and not Partner._fields[fname].translate
            and not Partner._fields[fname].company_dependent
            for fname in fnames
        )
        if not plain:
            partners = Partner.browse(ids)
            partners.fetch([*fnames, "category_id"])
            currents = {p.id: {f: self._current(p, f) for f in fnames} for p in partners}
            return currents, {p.id for p in partners if self.tag & p.category_id}
        self.Partner.flush_model([*fnames, "category_id"])
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT id, %s FROM res_partner WHERE id = ANY(%s)",
                SQL(", ").join(SQL.identifier(fname) for fname in fnames),
                ids,
            )
        )
        converts = [self._column_current(Partner._fields[fname].type) for fname in fnames]
        currents = {
            row[0]: {
                fname: convert(value)
                for fname, convert, value in zip(fnames, converts, row[1:], strict=True)
            }
            for row in cr.fetchall()
        }
        tagged = set()
        if self.tag:
            field = Partner._fields["category_id"]
            cr.execute(
                SQL(
                    "SELECT %s FROM %s WHERE %s = %s AND %s = ANY(%s)",
                    SQL.identifier(field.column1),
                    SQL.identifier(field.relation),
                    SQL.identifier(field.column2),
                    self.tag.id,
                    SQL.identifier(field.column1),
                    ids,
                )
            )
            tagged = {pid for (pid,) in cr.fetchall()}
        return currents, tagged

    @staticmethod
    def _column_current(ftype):
        """How a column's value reads in the comparable form of ``_current``."""
        if ftype == "date":
            return lambda value: value.isoformat() if value else False
        if ftype == "boolean":
            return bool
        return lambda value: value or False

    def _write_all(self, writes):
        """``(partner, vals)`` pairs written set-based, or by ``write`` when the
        context asks for it (benchmark, equivalence test)."""
        if self.writer:
            self.writer.write_records(writes)
        else:
            for partner, vals in writes:
                partner.write(vals)

    def _archive(self, leaving, given):
        """Archive the prospects of the numbers ``leaving`` (``None``: every
        active prospect whose number is not among ``given``, a sorted int64
        array)."""
        if leaving is None:
            partners = self.Partner.browse(self._not_given_prospects(given))
        else:
            domain = [("is_bce_prospect", "=", True), ("bce_number", "in", list(leaving))]
            partners = self.Partner.search(domain)
        if not partners:
            return
        numbers = partners.mapped("bce_number")
        why = self.archive_reasons(numbers) if self.archive_reasons else {}
        moved = self.leaving_companies(numbers) if self.leaving_companies else {}
        writes = []
        for partner in partners:
            if partner.bce_number in self.excluded and not partner.active:
                continue
            last = dict(partner.bce_last_values or {})
            by_hand = last.get("active", True) != partner.active
            last["active"] = False
            vals = {"bce_last_values": last}
            if partner.active and not by_hand:
                vals.update(active=False, bce_last_sync=self.now)
                if self.import_id:
                    vals["rgpd_bce_import_archived_ids"] = [(4, self.import_id)]
                self.counts["count_archived"] += 1
                changes = self._moved_address(partner, moved.get(partner.bce_number), last, vals)
                self.messages[partner.id] = self._message(
                    partner, [*changes, ("active", True, False)]
                )
                if why.get(partner.bce_number):
                    self.messages[partner.id] += Markup("<p>%s</p>") % why[partner.bce_number]
            writes.append((partner, vals))
        self._write_all(writes)

    def _not_given_prospects(self, given):
        """The ids of the active prospects whose number is not among ``given``
        (a sorted int64 array), read by ranges of ids and compared in numpy: a
        national ``not in`` list makes PostgreSQL compare each row with the
        whole list (the ORM's query, and a subquery larger than work_mem or one
        it believes small), and the whole table read at once held its 1.14 M
        rows twice, as the driver's result and as tuples."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(SQL("SELECT min(id), max(id) FROM res_partner"))
        first, last = cr.fetchone()
        ids = []
        for start in range(first or 0, (last or -1) + 1, ARCHIVE_CHUNK):
            cr.execute(
                SQL(
                    """SELECT id, bce_number FROM res_partner
                       WHERE id BETWEEN %s AND %s
                         AND is_bce_prospect AND active AND bce_number IS NOT NULL
                       ORDER BY id""",
                    start,
                    start + ARCHIVE_CHUNK - 1,
                )
            )
            rows = cr.fetchall()
            inside = in_sorted(number_array(number for _id, number in rows), given)
            ids.extend(pid for (pid, _number), kept in zip(rows, inside, strict=True) if not kept)
        return ids

    def _moved_address(self, partner, company, last, vals):
        """A prospect leaving the perimeter because its seat moved shows its
        new address, as the archiving note says; an address corrected by hand
        is kept. Returns the (field, old, new) changes written in ``vals``."""
        if company is None:
            return []
        changes = []
        for fname, value in self._address_values(company).items():
            current = self._current(partner, fname)
            if current != last.get(fname, current):
                continue  # corrected by hand
            if value != current:
                vals[fname] = value
                last[fname] = value
                changes.append((fname, current, value))
        return changes

    def _message(self, partner, changes):
        """The note of ``changes``: its parts escaped once each and joined as
        text (what ``Markup`` formatting gives, at a fraction of its cost: a
        mass update writes hundreds of thousands)."""
        if self.header is None:
            self.header = escape(
                self.env._(
                    "The BCE import of extract %(number)s changed:",
                    number=self.meta.extract_number,
                )
            )
        lines = "".join(
            f"<li>{self._label(partner, fname)}: {self._display(partner, fname, old)}"
            f" → {self._display(partner, fname, new)}</li>"
            for fname, old, new in changes
        )
        return Markup(f"<p>{self.header}</p><ul>{lines}</ul>")

    def _label(self, partner, fname):
        """The field's label in the notes' language, escaped, looked up once
        per field (Odoo builds the dict of every field's label at each lookup)."""
        if fname not in self.labels:
            self.labels[fname] = escape(partner._fields[fname]._description_string(self.env))
        return self.labels[fname]

    def _nace_label(self, version, code):
        key = (version, code)
        if key not in self.nace_labels:
            self.nace_labels[key] = f"{format_nace_code(code)} ({version})"
        return self.nace_labels[key]

    def _display(self, partner, fname, value):
        """``value`` of ``fname`` as the notes show it, escaped; that of a
        record or of NACE codes kept for the chunk (a NACE conversion shows
        the same ones again and again)."""
        field = partner._fields[fname]
        if field.type == "many2one" or fname == "bce_nace_codes":
            key = (fname, value)
            if key not in self.displayed:
                self.displayed[key] = self._display_value(field, fname, value)
            return self.displayed[key]
        return self._display_value(field, fname, value)

    def _display_value(self, field, fname, value):
        if field.type == "boolean":
            return escape(self.env._("yes") if value else self.env._("no"))
        if value in (False, None, []):
            return escape(self.env._("(empty)"))
        if field.type == "many2one":
            return escape(self.env[field.comodel_name].browse(value).display_name)
        if fname == "bce_nace_codes":
            return escape(
                ", ".join(self._nace_label(version, code) for version, code in nace_keys(value))
            )
        return escape(str(value))

    def _post_messages(self):
        """The notes of ``messages``: the first logged by ``_message_log_batch``,
        the others copied from it set-based with their own contact and body
        (a mass update logs hundreds of thousands; the ORM took half of its
        time), unless the context asks for the ORM (equivalence test)."""
        if not self.messages:
            return
        messages, self.messages = self.messages, {}
        ids = list(messages)
        sql = len(ids) >= NOTES_SQL_MIN and not self.env.context.get("rgpd_bce_orm_notes")
        first = ids[:1] if sql else ids
        logged = self.Partner.browse(first)._message_log_batch(
            bodies={pid: messages[pid] for pid in first}
        )
        if sql:
            self._copy_note(logged, ids[1:], [messages[pid] for pid in ids[1:]])

    def _copy_note(self, note, res_ids, bodies):
        """Insert one note per ``res_ids`` with its body, every other column
        copied from ``note`` (as ``_message_log_batch`` gives them all the
        same values, its message id included); the bodies go through the
        field's own sanitizing, as ``create`` does, unless they are of those
        it gives back as they are (``SANITIZED``: sanitizing took a quarter of
        a mass update's contacts step)."""
        Message = note.env["mail.message"]
        field = Message._fields["body"]
        bodies = [
            str(body) if SANITIZED.fullmatch(body) else field.convert_to_column_insert(body, note)
            for body in bodies
        ]
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """SELECT column_name FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name = 'mail_message'
                   ORDER BY ordinal_position"""
            )
        )
        copied = [name for (name,) in cr.fetchall() if name not in ("id", "res_id", "body")]
        columns = SQL(", ").join(SQL.identifier(name) for name in copied)
        cr.execute(
            SQL(
                """INSERT INTO mail_message (%s, res_id, body)
                   SELECT %s, v.res_id, v.body
                   FROM mail_message t, unnest(%s::int[], %s::text[]) WITH ORDINALITY
                        AS v(res_id, body, position)
                   WHERE t.id = %s ORDER BY v.position""",
                columns,
                SQL(", ").join(SQL("t.%s", SQL.identifier(name)) for name in copied),
                res_ids,
                bodies,
                note.id,
            )
        )
        Message.invalidate_model()
        self.Partner.invalidate_model(["message_ids"])
