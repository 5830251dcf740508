import bisect
import hashlib
import io
import json
import logging
import os
import zipfile
import zlib
from collections import Counter
from datetime import timedelta
from functools import partial
from itertools import islice
from pathlib import Path

import numpy as np
from markupsafe import Markup, escape
from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, config, email_normalize, mute_logger
from odoo.tools.misc import formatLang
from psycopg2 import errors as pg_errors
from psycopg2.extras import Json as PsycopgJson

from ..bce_engine import (
    BceFormatError,
    EmptyPerimeterError,
    EngineConfig,
    LegalPersonState,
    Perimeter,
    apply_update_extract,
    read_extract_code_table,
    read_full_extract,
    read_meta,
    result_of_state,
)
from ..bce_engine import portal as bce_portal
from ..bce_engine.codes import format_nace_code, nace_level
from ..bce_engine.model import STATE_TABLES
from ..bce_engine.numbers import format_enterprise_number
from ..tools import file_checksum, is_rgpd_manager, nace_codes_text, nace_keys

_logger = logging.getLogger(__name__)

PARAM = "rgpd_prospection.bce_"
LOCK_NAME = "rgpd_prospection.bce_import"
PARTNER_LANGS = {"fr": "fr_BE", "nl": "nl_BE", "de": "de_DE"}
STATES = [
    ("running", "Running"),
    ("ready", "Contacts pending"),
    ("confirm", "Needs confirmation"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("refused", "Refused"),
    ("skipped", "Skipped"),
]
# An import in one of these states is under way: no other starts meanwhile.
UNDER_WAY = ("running", "ready", "confirm")
# States a step moves on by itself; "confirm" waits for a manager.
WORKING = ("running", "ready")
UNDER_WAY_INDEX = "rgpd_bce_import_one_under_way"
# Tables of the legal persons' state a sound extract never leaves empty.
CORE_TABLES = ("enterprises", "names", "addresses", "activities")
SANITY_DEFAULTS = {
    "sanity_full_percent": 5.0,
    "sanity_update_percent": 1.0,
    "sanity_min_prospects": 50,
    "sanity_shrink_percent": 20.0,
}
DEFAULT_SET_ASIDE_DAYS = 7
CREATE_BATCH = 2000
SYNC_CHUNK = 10_000
ANALYZE_ROWS = 1000
COPY_CHUNK = 1 << 16
STREAM_SLICE = 500  # rows turned into text at a time while COPY writes
STAGED_INSERT = 50_000  # staged partners created per INSERT
STAGE_BATCH = 100_000  # companies prepared per committed step
# COPY's text format: these characters are escaped, \N is NULL
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
DOWNLOAD_LOCK = "rgpd_prospection.bce_download"


def _percent(env, value):
    """A percentage setting as the reader writes numbers: ``5`` or ``2,5``."""
    return formatLang(env, value, digits=0 if float(value).is_integer() else 1)


class RgpdBceImport(models.Model):
    """One attempt to apply a BCE extract: the history the data protection
    officer shows an auditor, and the checkpoint a later run resumes from.

    An import runs in steps the cron framework commits one by one: start
    (``running``), engine (the new state of every legal person is attached,
    ``ready``), prepare (one step per ``STAGE_BATCH`` companies: the new
    contacts staged in ``rgpd_bce_staging_<id>``), contacts (all-or-nothing,
    ``done``). The state attached to the last done import is the module's own
    minimised copy of the BCE."""

    _name = "rgpd.bce.import"
    _description = "BCE extract import"
    _order = "id desc"

    name = fields.Char(compute="_compute_name", help="Extract type and number.")
    extract_number = fields.Integer(help="ExtractNumber of meta.csv: extracts apply in its order.")
    extract_type = fields.Selection(
        [("full", "Full"), ("update", "Update")],
        help="A full extract holds every enterprise; an update the changes since the "
        "previous extract.",
    )
    snapshot_date = fields.Date(help="Date of the BCE data in the extract (meta.csv).")
    file_name = fields.Char(help="Name of the ZIP file; the file is deleted once applied.")
    file_path = fields.Char(help="Where the ZIP was read from on the server.")
    checksum = fields.Char(
        string="SHA-256",
        index=True,
        help="Checksum of the ZIP: proves which file was applied, and skips a file applied before.",
    )
    date_start = fields.Datetime(string="Started", help="When the import started.")
    date_end = fields.Datetime(string="Ended", help="When the import ended.")
    state = fields.Selection(
        STATES,
        default="running",
        required=True,
        index=True,
        help="Running: reading the extract. Contacts pending: the extract is read; the contacts "
        "are prepared step by step, then changed all at once. Needs confirmation: the extract "
        "looks abnormal, a manager confirms or rejects it. Done. Failed: nothing changed, "
        "see the error. Refused: the extract cannot be applied now (perimeter missing, out of "
        "sequence). Skipped: "
        "already applied or older than the last applied extract. No other import starts while "
        "one is running, has contacts pending or needs confirmation.",
    )
    progress = fields.Integer(help="Percentage of the import done.")
    progress_step = fields.Char(string="Step", help="What the import is doing.")
    error_message = fields.Text(
        help="Why the import failed or was refused; for a malformed extract the file, line "
        "and column at fault."
    )
    format_error = fields.Boolean(
        string="Set aside",
        help="The file could not be read or applied, or a manager rejected it: the scheduled "
        "import does not try it again (a corrected file has another checksum). A manager may "
        "try it again by picking it in the import wizard.",
    )
    file_removed = fields.Datetime(
        string="File deleted",
        help="When the file, failed or refused, was deleted from the extract folder: it holds "
        "natural persons' data.",
    )
    table_counts = fields.Json(
        help="Rows of each table of the legal persons' state after this extract: a core table "
        "empty or shrinking sharply stops the import before the contacts step."
    )
    table_counts_summary = fields.Text(
        string="Rows per table", compute="_compute_table_counts_summary"
    )
    count_bce_archived = fields.Integer(
        string="Stopped at the BCE",
        help="Active prospects this extract would archive because the BCE stopped them or "
        "struck them off (not those a change of the perimeter archives).",
    )
    sanity_message = fields.Text(
        string="Checks",
        help="Why the extract waits for a manager's confirmation, with the figures.",
    )
    confirmed_by_id = fields.Many2one(
        "res.users",
        string="Confirmed by",
        readonly=True,
        help="The manager who confirmed or rejected an extract that needed confirmation.",
    )
    full_sync = fields.Boolean(
        string="Whole perimeter",
        help="Contacts were compared with every company of the perimeter (a full extract, or "
        "a change of the settings), not only with the changes of an update.",
    )
    settings_signature = fields.Char(
        help="Fingerprint of the perimeter and options the contacts were built with."
    )
    engine_changes = fields.Json(
        help="Enterprise numbers the update created, updated and stopped (engine result)."
    )
    state_attachment_id = fields.Many2one(
        "ir.attachment",
        string="Legal persons state",
        ondelete="set null",
        help="The module's minimised copy of every Belgian legal person after this extract; "
        "kept for the last applied extract only.",
    )
    count_read = fields.Integer(
        string="Legal persons", help="Legal persons in the module's copy after this extract."
    )
    count_kept = fields.Integer(
        string="In perimeter", help="Companies of this import inside the perimeter."
    )
    count_created = fields.Integer(string="Created", help="Contacts created.")
    count_updated = fields.Integer(string="Updated", help="Contacts whose data changed.")
    count_archived = fields.Integer(
        string="Archived", help="Prospects archived: stopped at the BCE or out of the perimeter."
    )
    count_linked = fields.Integer(
        string="Linked",
        help="Existing contacts (customers…) given their enterprise number, otherwise untouched.",
    )
    count_blacklisted = fields.Integer(
        string="Skipped (opposition)",
        help="Companies left out because they objected to prospecting (erased and expired "
        "companies are counted apart).",
    )
    stage_done = fields.Boolean(
        string="Contacts prepared",
        help="The new contacts are prepared in the module's staging table, in committed steps; "
        "the last step creates them all at once.",
    )
    stage_after = fields.Char(
        string="Prepared up to",
        help="Technical: the last enterprise number prepared, where the next step goes on.",
    )
    stage_count = fields.Integer(
        string="Companies prepared", help="Companies of the perimeter prepared so far."
    )
    stage_total = fields.Integer(
        string="Companies to prepare", help="Companies of the perimeter to prepare."
    )
    stage_columns = fields.Json(
        string="Staged columns",
        help="Technical: the contact columns and many2many fields the staging table holds.",
    )
    stage_signature = fields.Char(
        string="Prepared with settings",
        help="Technical: fingerprint of the settings the contacts were prepared with; other "
        "settings at a later step prepare them again.",
    )
    stage_drops = fields.Json(
        string="Dropped while preparing",
        help="Technical: companies dropped while preparing, per reason.",
    )
    drops = fields.Json(help="Rows and values dropped, per reason.")
    drops_summary = fields.Text(
        string="Dropped", compute="_compute_drops_summary", help="Rows dropped, per reason."
    )
    user_id = fields.Many2one(
        "res.users", string="Started by", default=lambda self: self.env.user, readonly=True
    )

    @api.depends("extract_type", "extract_number", "file_name")
    def _compute_name(self):
        types = dict(self._fields["extract_type"]._description_selection(self.env))
        for record in self:
            if record.extract_number:
                record.name = _(
                    "%(type)s extract %(number)s",
                    type=types.get(record.extract_type, ""),
                    number=record.extract_number,
                )
            else:
                record.name = record.file_name or _("BCE import")

    @api.depends("table_counts")
    def _compute_table_counts_summary(self):
        for record in self:
            counts = record.table_counts or {}
            record.table_counts_summary = "\n".join(
                f"{table}: {counts[table]:,}" for table in STATE_TABLES if table in counts
            )

    def init(self):
        """At most one import under way, whatever the entry point and however
        the transactions interleave: PostgreSQL refuses a second one (an older
        database that has several keeps the oldest)."""
        cr = self.env.cr
        cr.execute(
            SQL(
                """UPDATE rgpd_bce_import SET state = 'failed', format_error = TRUE,
                          error_message = %s, date_end = now() at time zone 'UTC'
                   WHERE state IN %s AND id > (
                       SELECT min(id) FROM rgpd_bce_import WHERE state IN %s)""",
                "Stopped: another import was under way at the same time.",
                UNDER_WAY,
                UNDER_WAY,
            )
        )
        cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS %s ON rgpd_bce_import ((TRUE)) "
                "WHERE state IN %s",
                SQL.identifier(UNDER_WAY_INDEX),
                UNDER_WAY,
            )
        )

    @api.depends("drops")
    def _compute_drops_summary(self):
        for record in self:
            drops = record.drops or {}
            record.drops_summary = "\n".join(
                f"{reason.replace('_', ' ')}: {count:,}"
                for reason, count in sorted(drops.items(), key=lambda item: -item[1])
            )

    # ------------------------------------------------------------------ entry points

    @api.model
    def _cron_import_extracts(self):
        """One step per call: the cron framework commits between calls and calls
        again while work remains. Run by hand ("Run manually"), the step is done
        in the request and the scheduler is triggered to carry on at once."""
        self._remove_old_set_aside_files()
        record = self.run_pending_imports(max_steps=1)
        remaining = 1 if record and self._has_pending_work() else 0
        self.env["ir.cron"]._notify_progress(done=len(record), remaining=remaining)
        if remaining:
            self._trigger_cron()

    @api.model
    def action_run_now(self):
        """One step now, in the request; the scheduler carries on at once
        while work remains."""
        self._check_manager()
        self._cron_import_extracts()
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    @api.model
    def _trigger_cron(self):
        cron = self.env.ref("rgpd_prospection.ir_cron_rgpd_bce_import", False)
        if cron:
            cron.sudo()._trigger()

    @api.model
    def run_pending_imports(self, max_steps=None):
        """Apply the extracts waiting in the folder, in ExtractNumber order.
        Returns the imports touched."""
        self._check_manager()
        if not self._try_lock():
            _logger.info("BCE import: another import is running, nothing done")
            return self.browse()
        touched, seen, tried = self.browse(), set(), set()
        while max_steps is None or len(seen) < max_steps:
            record = self._run_next_step(tried)
            key = (record.id, record.state, record.stage_count, record.stage_done)
            if not record or key in seen:
                break
            seen.add(key)
            touched |= record
        return touched

    @api.model
    def import_file(self, file_name):
        """Apply one ZIP of the extract folder, chosen by a manager, at once; a
        file set aside before is tried again. Only a plain name of a ZIP the
        folder lists is accepted, whoever calls."""
        self._check_manager()
        return self._import_path(self._folder_file(file_name))

    @api.model
    def _import_path(self, path):
        """Apply the ZIP at ``path`` at once; the caller chose the path."""
        self._check_manager()
        self._check_nothing_under_way()
        record = self._start(path, self._last_number())
        while record.state in WORKING:
            record._run_step()
        return record

    @api.model
    def _folder_file(self, file_name):
        folder = self._folder()
        listed = folder and folder.is_dir() and isinstance(file_name, str)
        path = folder / file_name if listed else None
        if not (
            path
            and Path(file_name).name == file_name
            and file_name.lower().endswith(".zip")
            and path in folder.glob("*.zip")
            and path.resolve().parent == folder.resolve()
            and path.is_file()
        ):
            raise UserError(
                self.env._(
                    "%(name)s is not a ZIP file of the extract folder: pick one of the list.",
                    name=file_name,
                )
            )
        return path

    @api.model
    def _check_nothing_under_way(self):
        """Tell a manager who starts an import why it cannot start now."""
        if not self._try_lock():
            raise UserError(
                self.env._("Another import is running at this moment: try again when it is over.")
            )
        under_way = self.search([("state", "in", UNDER_WAY)], order="id", limit=1)
        if under_way:
            raise UserError(under_way._under_way_message())

    def _under_way_message(self):
        states = dict(self._fields["state"]._description_selection(self.env))
        message = self.env._(
            "%(name)s (file %(file)s) is under way: %(state)s. No other import starts before "
            "it is over.",
            name=self.name,
            file=self.file_name,
            state=states[self.state],
        )
        if self.state == "confirm":
            return (
                message
                + " "
                + self.env._(
                    "It waits for a manager to confirm or reject it in the import history."
                )
            )
        return (
            message
            + " "
            + self.env._("The scheduled import carries it on; try again when it is done.")
        )

    # ------------------------------------------------------------------ settings

    @api.model
    def _param(self, key, default=False):
        return self.env["ir.config_parameter"].sudo().get_param(PARAM + key, default)

    @api.model
    def _engine_config(self):
        return EngineConfig(
            preferred_name_language=self._param("name_language", "fr") or "fr",
            max_shared_contacts=int(self._param("max_shared_contacts", 3) or 3),
            drop_flagged=bool(self._param("drop_flagged")),
            keep_municipality=self._param("keep_municipality") != "False",
        )

    @api.model
    def _perimeter_settings(self):
        return {
            "postal_codes": self._param("postal_codes") or "",
            "nace_prefixes": self._param("nace_prefixes") or "",
            "forms_in": self._param("forms_in") or "",
            "forms_out": self._param("forms_out") or "",
        }

    @api.model
    def _perimeter(self):
        """The configured perimeter, the blacklist and the anonymised or expired
        companies excluded; raises ValueError or EmptyPerimeterError."""
        perimeter = Perimeter(
            excluded=self._excluded_numbers(),
            **self._excluded_by_reason(),
            **self._perimeter_settings(),
        )
        perimeter.check_not_empty()
        return perimeter

    @api.model
    def _settings_signature(self):
        settings = dict(self._perimeter_settings(), config=repr(self._engine_config()))
        return hashlib.sha1(json.dumps(settings, sort_keys=True).encode()).hexdigest()

    @api.model
    def _excluded_numbers(self):
        """Numbers that never get data back: active oppositions, anonymised and
        expired contacts."""
        Partner = self.env["res.partner"]
        flags = [SQL("rgpd_anonymized")]
        if "rgpd_expired" in Partner._fields and Partner._fields["rgpd_expired"].store:
            flags.append(SQL("rgpd_expired"))
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT bce_number FROM rgpd_blacklist WHERE active AND bce_number IS NOT NULL
                   UNION SELECT bce_number FROM res_partner
                   WHERE bce_number IS NOT NULL AND (%s)""",
                SQL(" OR ").join(SQL("%s IS TRUE", flag) for flag in flags),
            )
        )
        return {number for (number,) in self.env.cr.fetchall()}

    # ------------------------------------------------------------------ guards

    @api.model
    def _check_manager(self):
        if not is_rgpd_manager(self.env):
            raise AccessError(_("Only a GDPR prospecting manager may run BCE imports."))

    @api.model
    def _try_lock(self):
        """Held until the end of the transaction: two transactions never work
        on imports at once. Across transactions, the history keeps imports
        apart: at most one is under way (a unique index)."""
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(hashtext(%s))", LOCK_NAME))
        return self.env.cr.fetchone()[0]

    # ------------------------------------------------------------------ choosing the extract

    @api.model
    def _folder(self):
        folder = self._param("extract_folder")
        return Path(folder) if folder else None

    @api.model
    def _folder_problem(self, folder):
        """Why the extract folder cannot be used, or ``None``."""
        if not folder.is_absolute():
            return self.env._(
                "The extract folder %(folder)s is not an absolute path: set a full path in the "
                "settings.",
                folder=folder,
            )
        if not folder.is_dir():
            return self.env._(
                "The extract folder %(folder)s does not exist or is not a folder: no extract can "
                "be imported from it. Correct it in the settings.",
                folder=folder,
            )
        if not os.access(folder, os.R_OK | os.W_OK | os.X_OK):
            return self.env._(
                "The Odoo server may not read and write the extract folder %(folder)s: no "
                "extract can be imported from it. Give it access to the folder.",
                folder=folder,
            )
        return None

    @api.model
    def _usable_folder(self, record_problem=False):
        """The extract folder when it can be used; an unusable one is recorded
        as a failure (once, until an import goes through) when asked."""
        folder = self._folder()
        if not folder:
            return None
        problem = self._folder_problem(folder)
        if problem and record_problem:
            self._record_failure_once(problem, file_name=str(folder))
        return None if problem else folder

    @api.model
    def _record_failure_once(self, message, **values):
        """A failure not tied to a readable file, recorded once until an
        import goes through."""
        since = self._last_done().id or 0
        if self.search_count(
            [("state", "=", "failed"), ("error_message", "=", message), ("id", ">", since)]
        ):
            return self.browse()
        now = fields.Datetime.now()
        return self.create(
            dict(values, state="failed", error_message=message, date_start=now, date_end=now)
        )

    @api.model
    def _last_done(self):
        return self.search(
            [("state", "=", "done"), ("state_attachment_id", "!=", False)],
            order="extract_number desc, id desc",
            limit=1,
        )

    @api.model
    def _last_number(self):
        return self._last_done().extract_number or None

    @api.model
    def _has_pending_work(self):
        """Whether a next step would do something: a step of the import under
        way, or a file of the folder not settled yet."""
        if self.search_count([("state", "in", WORKING)]):
            return True
        if self.search_count([("state", "=", "confirm")]):
            return False
        folder = self._usable_folder()
        return bool(folder) and any(not self._settled(path) for path in folder.glob("*.zip"))

    @api.model
    def _settled(self, path):
        """A file the scheduled import leaves alone until something changes:
        set aside, or refused since the last import that went through."""
        domain = [("file_name", "=", path.name), ("file_removed", "=", False)]
        records = self.search(
            domain
            + [
                "|",
                ("format_error", "=", True),
                "&",
                ("state", "=", "refused"),
                ("id", ">", self._last_done().id or 0),
            ]
        )
        if not records:
            return False
        checksum = self._safe_checksum(path)
        return checksum is None or checksum in records.mapped("checksum")

    @api.model
    def _run_next_step(self, tried):
        """Do the next step of the import under way, else start the next
        extract of the folder; an empty recordset when there is nothing to do
        (or an import waits for a manager's confirmation).
        ``tried``: files started in this run, not retried in it."""
        record = self.search([("state", "in", WORKING)], order="id", limit=1)
        if record:
            record._run_step()
            return record
        if self.search_count([("state", "=", "confirm")]):
            return self.browse()
        folder = self._usable_folder(record_problem=True)
        if not folder:
            return self.browse()
        last = self._last_number()
        candidates = []
        for path in sorted(folder.glob("*.zip")):
            if str(path) in tried or self._known_bad_file(path):
                continue
            try:
                meta = read_meta(path)
            except Exception as error:  # noqa: BLE001 - any unreadable file is set aside
                record = self._record_bad_file(path, error)
                if record:
                    return record
                continue
            candidates.append((meta, path))
        path = self._choose(candidates, last)
        if not path:
            return self.browse()
        tried.add(str(path))
        try:
            return self._start(path, last)
        except UserError as error:
            _logger.info("BCE import: %s", error)
            return self.browse()

    def _choose(self, candidates, last):
        """The file to apply next: the update after the last applied extract,
        else the latest newer full extract; obsolete files first, so they get
        skipped (and deleted) one by one."""
        for meta, path in candidates:
            if last is not None and meta.extract_number <= last:
                return path
        updates = {
            meta.extract_number: path for meta, path in candidates if meta.extract_type == "update"
        }
        fulls = sorted(
            (meta.extract_number, path) for meta, path in candidates if meta.extract_type == "full"
        )
        if last is not None and last + 1 in updates:
            return updates[last + 1]
        if fulls:
            return fulls[-1][1]
        metas = {path: meta for meta, path in candidates}
        for _number, path in sorted(updates.items()):
            self._refuse_once(path, self._sequence_error(metas[path], last))
        return None

    def _sequence_error(self, meta, last):
        if last is None:
            return _(
                "Update %(number)s cannot be applied: no full extract has been applied yet. "
                "Put a full extract in the folder.",
                number=meta.extract_number,
            )
        broken = self.search(
            [
                ("state", "=", "failed"),
                ("format_error", "=", True),
                ("extract_type", "=", "update"),
                ("extract_number", "=", last + 1),
            ],
            order="id desc",
            limit=1,
        )
        if broken and meta.extract_number > last + 1:
            return self.env._(
                "Update %(number)s waits: update %(failed)s, which comes before it, failed or was "
                "rejected (file %(file)s). A full extract is needed: put one in the folder (or a "
                "good copy of update %(failed)s).",
                number=meta.extract_number,
                failed=last + 1,
                file=broken.file_name,
            )
        return _(
            "Update %(number)s does not follow the last applied extract %(last)s (%(expected)s "
            "expected). It waits for the missing updates; a newer full extract in the folder "
            "is used instead when there is one.",
            number=meta.extract_number,
            last=last,
            expected=last + 1,
        )

    def _refuse_once(self, path, message, checksum=None):
        """Record a refusal, once per file and reason: the cron retries daily."""
        checksum = checksum or self._safe_checksum(path)
        domain = [("checksum", "=", checksum), ("state", "=", "refused")]
        if any(r.error_message == message for r in self.search(domain)):
            return self.browse()
        meta = self._safe_meta(path)
        return self.create(
            dict(
                self._meta_values(meta, path, checksum),
                state="refused",
                error_message=message,
                date_end=fields.Datetime.now(),
            )
        )

    @staticmethod
    def _safe_checksum(path):
        try:
            return file_checksum(path)
        except OSError:
            return None

    def _known_bad_file(self, path):
        """A file set aside already (checked by name first: hashing a national
        extract takes seconds)."""
        domain = [("file_name", "=", path.name), ("format_error", "=", True)]
        records = self.search(domain)
        if not records:
            return False
        checksum = self._safe_checksum(path)
        return (checksum or False) in records.mapped("checksum")

    def _record_bad_file(self, path, error):
        """A failed record for a file that cannot be read, set aside: once per
        file (the same name and content)."""
        if self._known_bad_file(path):
            return self.browse()
        _logger.warning("BCE import: %s cannot be read: %r", path.name, error)
        checksum = self._safe_checksum(path)
        return self.create(
            dict(
                self._meta_values(self._safe_meta(path), path, checksum),
                state="failed",
                format_error=True,
                error_message=self._describe_error(error, path.name),
                date_end=fields.Datetime.now(),
            )
        )

    @api.model
    def _describe_error(self, error, file_name=None):
        """What went wrong, in words a manager understands."""
        if isinstance(error, BceFormatError):
            text = str(error)
            if file_name and not text.startswith(file_name):
                text = self.env._("%(file)s: %(error)s", file=file_name, error=text)
            return text
        detail = str(error) or type(error).__name__
        if isinstance(error, MemoryError):
            text = self.env._(
                "a value of the file is too large to read (the server ran out of memory): it is "
                "not a sound BCE extract."
            )
        elif isinstance(error, (zipfile.BadZipFile, zlib.error, EOFError)):
            text = self.env._("the file is damaged (%(detail)s): download it again.", detail=detail)
        elif isinstance(error, OSError):
            text = self.env._(
                "the file cannot be read (%(detail)s).", detail=error.strerror or detail
            )
        else:
            text = self.env._("unexpected error: %(detail)s", detail=detail)
        if file_name:
            return self.env._("%(file)s: %(error)s", file=file_name, error=text)
        return text

    @staticmethod
    def _safe_meta(path):
        try:
            return read_meta(path)
        except Exception:  # noqa: BLE001 - the history shows what can be read
            return None

    @staticmethod
    def _meta_values(meta, path, checksum):
        values = {
            "file_name": path.name,
            "file_path": str(path),
            "checksum": checksum,
            "date_start": fields.Datetime.now(),
        }
        if meta:
            values.update(
                extract_number=meta.extract_number,
                extract_type=meta.extract_type,
                snapshot_date=meta.snapshot_date,
            )
        return values

    def _start(self, path, last):
        """Open the import of ``path``: a running record, or a skipped, refused
        or failed one saying why it will not run."""
        try:
            meta = read_meta(path)
            checksum = file_checksum(path)
        except Exception as error:  # noqa: BLE001 - any unreadable file is set aside
            return self._record_bad_file(path, error) or self.search(
                [("file_name", "=", path.name), ("format_error", "=", True)], limit=1
            )
        values = self._meta_values(meta, path, checksum)
        if self.search_count([("checksum", "=", checksum), ("state", "=", "done")]):
            path.unlink(missing_ok=True)
            return self.create(
                dict(
                    values,
                    state="skipped",
                    error_message=_("Already applied: the file was deleted."),
                    date_end=fields.Datetime.now(),
                )
            )
        if last is not None and meta.extract_number <= last:
            path.unlink(missing_ok=True)
            return self.create(
                dict(
                    values,
                    state="skipped",
                    error_message=_(
                        "Older than the last applied extract %(last)s: its data are already "
                        "included, the file was deleted.",
                        last=last,
                    ),
                    date_end=fields.Datetime.now(),
                )
            )
        if meta.extract_type == "update" and (last is None or meta.extract_number != last + 1):
            return self._refuse_once(path, self._sequence_error(meta, last), checksum) or (
                self.search([("checksum", "=", checksum)], limit=1)
            )
        try:
            self._perimeter()
        except (EmptyPerimeterError, ValueError) as error:
            message = (
                _(
                    "No perimeter is set: choose postal codes or NACE codes in the settings "
                    "before importing (1000-9999 means the whole country)."
                )
                if isinstance(error, EmptyPerimeterError)
                else _("The perimeter in the settings is not valid: %(error)s", error=str(error))
            )
            return self._refuse_once(path, message, checksum) or self.search(
                [("checksum", "=", checksum), ("state", "=", "refused")], limit=1
            )
        return self._open(
            dict(values, state="running", progress=5, progress_step=_("Reading the extract"))
        )

    @api.model
    def _open(self, values):
        """The running record of a new import. PostgreSQL refuses it while
        another is under way, even one committed by a transaction this one
        cannot see yet."""
        try:
            with self.env.cr.savepoint(), mute_logger("odoo.sql_db"):
                record = self.create(values)
                self.env.flush_all()
                return record
        except pg_errors.UniqueViolation:
            self.env.invalidate_all()
            raise UserError(
                self.env._(
                    "Another import is under way: %(file)s is not started. Try again when it "
                    "is over.",
                    file=values.get("file_name"),
                )
            ) from None

    # ------------------------------------------------------------------ steps

    def _run_step(self):
        self.ensure_one()
        if self._overtaken():
            return
        if self.state == "running":
            self._run_engine_phase()
        elif self.state == "ready" and self._stages():
            self._run_staging_step()
        elif self.state == "ready":
            self._run_partner_phase()

    def _stages(self):
        """Whether the next step prepares contacts: on the set-based path only
        (the ORM path, for the benchmark and tests, creates them at the end),
        and not for an update of a few changes, applied in one step."""
        if self.stage_done or self.env.context.get("rgpd_bce_orm_create"):
            return False
        if self.extract_type == "update" and not self._full_sync():
            changes = self.engine_changes or {}
            return len(changes.get("created", [])) + len(changes.get("updated", [])) > STAGE_BATCH
        return True

    def _full_sync(self):
        """Whether the contacts are compared with the whole perimeter: a full
        extract, a first import, or settings changed since the last one."""
        previous = self._last_done()
        return (
            self.extract_type == "full"
            or not previous
            or previous.settings_signature != self._settings_signature()
        )

    def _overtaken(self):
        """An import under way never applies an extract older than (or as old
        as) one applied meanwhile: it is skipped."""
        last = self._last_done()
        if self.state not in UNDER_WAY or not last or last == self:
            return False
        if not self.extract_number or self.extract_number > last.extract_number:
            return False
        self._drop_staging()
        self.write(
            {
                "state": "skipped",
                "error_message": self.env._(
                    "Extract %(last)s was applied meanwhile: this older extract is not applied "
                    "over it.",
                    last=last.extract_number,
                ),
                "date_end": fields.Datetime.now(),
                "progress_step": False,
            }
        )
        return True

    def _fail(self, error):
        """Record the failure and set the file aside: the scheduled import
        does not try it again, the next applicable extract goes on."""
        _logger.warning("BCE import %s failed: %r", self.file_name, error)
        self._drop_staging()
        message = self._describe_error(error, self.file_name)
        if not isinstance(error, BceFormatError):
            message += "\n" + self.env._(
                "Nothing was changed. The scheduled import does not try this file again; once "
                "the cause is fixed, a manager can try it again by picking it in the import wizard."
            )
        self.write(
            {
                "state": "failed",
                "format_error": True,
                "error_message": message,
                "date_end": fields.Datetime.now(),
                "progress_step": False,
            }
        )

    def _run_engine_phase(self):
        """Read the extract into a new state; nothing outside this record
        changes except the code table, rolled back with it on failure."""
        path = Path(self.file_path)
        previous = self._last_done()
        try:
            with self.env.cr.savepoint():
                self.env["rgpd.code.table"]._load_code_table(read_extract_code_table(path))
                config = self._engine_config()
                progress = self._progress_logger()
                if self.extract_type == "full":
                    result = read_full_extract(path, config, progress)
                    changes = None
                else:
                    state = self._load_state(previous)
                    result = apply_update_extract(path, state, config, progress)
                    changes = result.changes()
                attachment = self._attach_state(result.state)
                self.write(
                    {
                        "state": "ready",
                        "state_attachment_id": attachment.id,
                        "engine_changes": changes,
                        "drops": dict(result.drops),
                        "count_read": len(result.state),
                        **self._staging_start_values(),
                        **self._sanity_values(result),
                    }
                )
        except Exception as error:  # noqa: BLE001 - recorded in the history, set aside
            _logger.warning("BCE import %s: engine phase failed", self.file_name, exc_info=True)
            self._fail(error)

    # ------------------------------------------------------------------ sanity checks

    @api.model
    def _sanity_setting(self, key):
        default = SANITY_DEFAULTS[key]
        try:
            return type(default)(self._param(key, default))
        except (TypeError, ValueError):
            return default

    def _sanity_values(self, result):
        """The figures of the checks, and the "needs confirmation" state when
        the extract looks abnormal: it would archive an abnormal share of the
        prospects for a reason the BCE gives (stopped, struck off), or a core
        table is empty or shrank sharply against the last applied full."""
        counts = {table: len(getattr(result.state, table)) for table in STATE_TABLES}
        problems = []
        for table in CORE_TABLES:
            if not counts[table]:
                problems.append(self.env._("Table %(table)s is empty.", table=table))
        shrink = self._sanity_setting("sanity_shrink_percent")
        previous = self._last_done_full()
        for table in CORE_TABLES:
            before = (previous.table_counts or {}).get(table) or 0
            if counts[table] and before and counts[table] < before * (1 - shrink / 100):
                problems.append(
                    self.env._(
                        "Table %(table)s shrank from %(before)s to %(after)s rows (%(percent)s %%) "
                        "against full extract %(number)s; the limit is %(limit)s %%.",
                        table=table,
                        before=formatLang(self.env, before, digits=0),
                        after=formatLang(self.env, counts[table], digits=0),
                        percent=formatLang(
                            self.env, 100 * (counts[table] - before) / before, digits=1
                        ),
                        number=previous.extract_number,
                        limit=_percent(self.env, shrink),
                    )
                )
        archived, active = self._bce_archives(result)
        key = "sanity_full_percent" if self.extract_type == "full" else "sanity_update_percent"
        limit, minimum = self._sanity_setting(key), self._sanity_setting("sanity_min_prospects")
        if archived >= minimum and archived > active * limit / 100:
            problems.append(
                self.env._(
                    "It would archive %(archived)s of the %(active)s active prospects "
                    "(%(percent)s %%) that the BCE stopped or struck off; the limit for one "
                    "%(type)s extract is %(limit)s %% (from %(minimum)s prospects).",
                    archived=formatLang(self.env, archived, digits=0),
                    active=formatLang(self.env, active, digits=0),
                    percent=formatLang(self.env, 100 * archived / max(active, 1), digits=1),
                    type=dict(self._fields["extract_type"]._description_selection(self.env))[
                        self.extract_type
                    ].lower(),
                    limit=_percent(self.env, limit),
                    minimum=formatLang(self.env, minimum, digits=0),
                )
            )
        values = {"table_counts": counts, "count_bce_archived": archived}
        if problems:
            _logger.warning("BCE import %s needs confirmation: %s", self.file_name, problems)
            problems.append(
                self.env._(
                    "A manager confirms the extract to apply it, or rejects it: it is then set "
                    "aside, and a full extract is needed."
                )
            )
            values.update(
                state="confirm",
                sanity_message="\n".join(problems),
                progress_step=self.env._("Waiting for a manager's confirmation"),
            )
        return values

    @api.model
    def _last_done_full(self):
        return self.search(
            [("state", "=", "done"), ("extract_type", "=", "full"), ("table_counts", "!=", False)],
            order="extract_number desc, id desc",
            limit=1,
        )

    def _bce_archives(self, result):
        """Active prospects the extract archives because the BCE stopped them
        or struck them off, and the active prospects."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT bce_number FROM res_partner
                   WHERE is_bce_prospect AND active AND bce_number IS NOT NULL"""
            )
        )
        prospects = [number for (number,) in self.env.cr.fetchall()]
        if self.extract_type == "update":
            stopped = set(result.stopped)
            return sum(number in stopped for number in prospects), len(prospects)
        numbers = np.asarray([int(n) for n in prospects if n.isdigit()], dtype=np.int64)
        known = result.state.enterprises["bce"].to_numpy()
        return int((~np.isin(numbers, known)).sum()), len(prospects)

    def action_confirm_extract(self):
        """A manager applies an extract the checks stopped."""
        self._check_manager()
        for record in self:
            record._check_needs_confirmation()
            record.write(
                {
                    "state": "ready",
                    "confirmed_by_id": self.env.uid,
                    "sanity_message": "\n".join(
                        [
                            record.sanity_message or "",
                            self.env._(
                                "Confirmed by %(name)s on %(date)s.",
                                name=self.env.user.name,
                                date=fields.Datetime.now(),
                            ),
                        ]
                    ),
                    "progress_step": _("Preparing the contacts"),
                }
            )
        self._trigger_cron()
        return True

    def action_reject_extract(self):
        """A manager rejects an extract the checks stopped: it breaks the
        chain as a failure does."""
        self._check_manager()
        for record in self:
            record._check_needs_confirmation()
            record._drop_staging()
            record.write(
                {
                    "state": "failed",
                    "format_error": True,
                    "confirmed_by_id": self.env.uid,
                    "error_message": self.env._(
                        "Rejected by %(name)s after the checks:\n%(checks)s\nNothing was "
                        "changed; the file is set aside.",
                        name=self.env.user.name,
                        checks=record.sanity_message,
                    ),
                    "date_end": fields.Datetime.now(),
                    "progress_step": False,
                }
            )
        self._trigger_cron()
        return True

    def _check_needs_confirmation(self):
        if self.state != "confirm":
            raise UserError(
                self.env._("%(name)s does not wait for a confirmation.", name=self.name)
            )

    # ------------------------------------------------------------------ files set aside

    @api.model
    def _remove_old_set_aside_files(self):
        """Files that failed or were refused hold natural persons' data: they
        are deleted from the extract folder after the days of the settings."""
        folder = self._usable_folder()
        if not folder:
            return
        try:
            days = max(int(self._param("set_aside_days", DEFAULT_SET_ASIDE_DAYS)), 1)
        except (TypeError, ValueError):
            days = DEFAULT_SET_ASIDE_DAYS
        records = self.search(
            [
                ("state", "in", ("failed", "refused")),
                ("file_path", "!=", False),
                ("file_removed", "=", False),
                ("date_end", "<=", fields.Datetime.now() - timedelta(days=days)),
            ]
        )
        for record in records:
            path = Path(record.file_path)
            if path.parent != folder or not path.is_file():
                continue
            if self._safe_checksum(path) != record.checksum:
                continue  # another file under that name now
            path.unlink(missing_ok=True)
            removed = records.filtered(
                lambda r, path=path, checksum=record.checksum: (
                    r.file_path == str(path) and r.checksum == checksum
                )
            )
            removed.write({"file_removed": fields.Datetime.now()})
            _logger.info("BCE import: %s deleted after %s days set aside", path.name, days)

    def _progress_logger(self):
        reported = {}

        def progress(step, done, total):
            percent = int(100 * done / total) if total else 100
            if reported.get(step, -10) + 10 <= percent:
                reported[step] = percent
                _logger.info("BCE import %s: %s %s%%", self.file_name, step, percent)

        return progress

    def _load_state(self, record):
        if not record or not record.state_attachment_id:
            raise BceFormatError(_("no state of a previous extract to apply this update to"))
        return LegalPersonState.from_bytes(record.state_attachment_id.sudo().raw)

    def _attach_state(self, state):
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"bce_state_{state.meta.extract_number}.npz",
                    "raw": state.to_bytes(),
                    "res_model": self._name,
                    "res_id": self.id,
                    "mimetype": "application/octet-stream",
                }
            )
        )

    def _sync_inputs(self):
        """What the contacts are built from: the engine's result on the state
        of this import, the perimeter, whether the whole perimeter is compared
        (full extract, first import, changed settings) and the numbers an
        update changed (``None`` otherwise)."""
        state = LegalPersonState.from_bytes(self.state_attachment_id.sudo().raw)
        full_sync = self._full_sync()
        changes = None if full_sync else self.engine_changes
        result = result_of_state(state, self._engine_config(), changes)
        return result, self._perimeter(), full_sync, result.changed

    def _staging_table(self):
        return f"rgpd_bce_staging_{self.id}"

    def _staging_tables(self):
        """The staged contact rows (shaped as ``res_partner``), their many2many
        links, and what the last step needs of each enterprise number."""
        table = self._staging_table()
        return table, f"{table}_links", f"{table}_seen"

    def _drop_staging(self):
        for record in self:
            for name in record._staging_tables():
                self.env.cr.execute(SQL("DROP TABLE IF EXISTS %s", SQL.identifier(name)))

    def _create_staging(self):
        self._drop_staging()
        rows, links, seen = map(SQL.identifier, self._staging_tables())
        cr = self.env.cr
        cr.execute(SQL("CREATE TABLE %s (LIKE res_partner INCLUDING DEFAULTS)", rows))
        cr.execute(SQL("ALTER TABLE %s ADD PRIMARY KEY (id)", rows))
        cr.execute(
            SQL(
                "CREATE TABLE %s (field varchar NOT NULL, partner_id integer NOT NULL, "
                "target_id integer NOT NULL)",
                links,
            )
        )
        cr.execute(
            SQL(
                "CREATE TABLE %s (bce_number varchar PRIMARY KEY, partner_id integer, "
                "bce_values jsonb)",
                seen,
            )
        )

    def _staging_current(self):
        """Whether what is staged still fits: prepared with the settings of now,
        into a table that still has the columns of ``res_partner`` (a module
        installed meanwhile may have added some)."""
        if self.stage_signature != self._settings_signature():
            return False
        table = self._staging_table()
        self.env.cr.execute(
            SQL(
                """SELECT table_name, array_agg(column_name::text ORDER BY column_name)
                   FROM information_schema.columns
                   WHERE table_schema = current_schema() AND table_name IN (%s, %s)
                   GROUP BY table_name""",
                "res_partner",
                table,
            )
        )
        shapes = dict(self.env.cr.fetchall())
        return shapes.get(table) == shapes.get("res_partner")

    def _restart_staging(self):
        _logger.info(
            "BCE import %s: settings or contact columns changed, contacts prepared again",
            self.file_name,
        )
        self._drop_staging()
        self.write(self._staging_start_values())

    def _staging_start_values(self):
        return {
            "stage_done": False,
            "stage_after": False,
            "stage_count": 0,
            "stage_total": 0,
            "stage_columns": False,
            "stage_drops": False,
            "stage_signature": False,
            "progress": 40,
            "progress_step": _("Preparing the contacts"),
        }

    def _run_staging_step(self):
        """Prepare the next companies of the perimeter in the staging tables:
        the slow part of creating contacts, in steps committed one by one, so
        that the all-or-nothing last step stays short."""
        try:
            with self.env.cr.savepoint():
                if self.stage_after and not self._staging_current():
                    self._restart_staging()
                result, perimeter, _full_sync, _changed = self._sync_inputs()
                numbers = result.select(perimeter).numbers
                if not self.stage_after:
                    self._create_staging()
                    self.stage_signature = self._settings_signature()
                todo = numbers[bisect.bisect_right(numbers, self.stage_after or "") :]
                batch = todo[:STAGE_BATCH]
                built_drops = Counter()
                columns = self.stage_columns or {"columns": [], "many2many": []}
                if batch:
                    sync = _PartnerSync(
                        self.env["res.partner"].sudo(), result.meta, perimeter.excluded
                    )
                    given, many2many = sync.stage(
                        list(result.companies_of(batch, built_drops)),
                        batch,
                        self._staging_table(),
                    )
                    columns = {
                        "columns": sorted(set(columns["columns"]) | set(given)),
                        "many2many": sorted(set(columns["many2many"]) | set(many2many)),
                    }
                if len(todo) <= STAGE_BATCH:
                    for name in self._staging_tables():
                        self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(name)))
                count = self.stage_count + len(batch)
                self.write(
                    {
                        "stage_after": batch[-1] if batch else self.stage_after,
                        "stage_count": count,
                        "stage_total": len(numbers),
                        "stage_columns": columns,
                        "stage_drops": dict(Counter(self.stage_drops or {}) + built_drops),
                        "stage_done": len(todo) <= STAGE_BATCH,
                        "progress": 40 + int(50 * count / max(len(numbers), 1)),
                        "progress_step": _(
                            "Preparing the contacts: %(count)s of %(total)s",
                            count=count,
                            total=len(numbers),
                        ),
                    }
                )
        except (EmptyPerimeterError, ValueError) as error:
            self._fail(error)
        except Exception as error:  # noqa: BLE001 - recorded in the history, set aside
            _logger.warning("BCE import %s: preparation failed", self.file_name, exc_info=True)
            self._fail(error)

    def _run_partner_phase(self):
        """Change the contacts all at once: a failure rolls every contact back
        and is recorded; the ZIP stays for a later run. Contacts are written as
        superuser: the entry points admit managers only."""
        signature = self._settings_signature()
        if self.stage_done and not self._staging_current():
            return self._restart_staging()
        try:
            with self.env.cr.savepoint():
                result, perimeter, full_sync, changed = self._sync_inputs()
                sync = _PartnerSync(self.env["res.partner"].sudo(), result.meta, perimeter.excluded)
                selection = result.select(perimeter)
                phase_drops = Counter(selection.drops)
                sync.archive_reasons = partial(self._archive_reasons, result, perimeter)
                if self.stage_done and sync.inserter:
                    columns = self.stage_columns or {"columns": [], "many2many": []}
                    counts = sync.run_staged(
                        selection.numbers,
                        changed,
                        self._staging_table(),
                        columns["columns"],
                        columns["many2many"],
                        lambda numbers: result.companies_of(numbers, phase_drops),
                    )
                    drops = Counter(self.stage_drops or {})
                else:
                    companies = result.companies_of(selection.numbers, phase_drops)  # streamed
                    leaving = None
                    if not full_sync:
                        companies = list(companies)
                        leaving = changed - {company.bce_number for company in companies}
                    counts = sync.run(companies, leaving)
                    drops = Counter()
                # A restored backup may hold data erased since: erase it again.
                self.env["rgpd.blacklist"].sudo().reapply_erasures()
                drops += Counter(self.drops or {}) + phase_drops
                self._drop_staging()
                self.write(
                    dict(
                        counts,
                        state="done",
                        full_sync=full_sync,
                        settings_signature=signature,
                        drops=dict(drops),
                        count_blacklisted=selection.drops.get("blacklisted", 0),
                        progress=100,
                        progress_step=False,
                        date_end=fields.Datetime.now(),
                    )
                )
        except (EmptyPerimeterError, ValueError) as error:
            self._fail(error)
            return
        except Exception as error:  # noqa: BLE001 - recorded in the history, set aside
            _logger.warning("BCE import %s: contact phase failed", self.file_name, exc_info=True)
            self._fail(error)
            return
        self._drop_older_states()
        Path(self.file_path).unlink(missing_ok=True)

    def _drop_older_states(self):
        older = self.search([("id", "!=", self.id), ("state_attachment_id", "!=", False)]).filtered(
            lambda record: record.state not in UNDER_WAY
        )
        attachments = older.state_attachment_id
        older.write({"state_attachment_id": False})
        attachments.sudo().unlink()

    # ------------------------------------------------------------------ downloader

    @api.model
    def _cron_download_bce_extracts(self):
        """One file per call, within the cron's time limit: the cron framework
        calls again while files remain."""
        step = self.download_next_extract()
        remaining = 1 if step and step.more else 0
        self.env["ir.cron"]._notify_progress(done=1 if step else 0, remaining=remaining)

    @api.model
    def download_next_extract(self):
        """Download, or go on downloading, the next extract the folder lacks
        from the BCE portal with the customer's account, when one is set.

        Runs apart from the import: a failure (refused login, no network) is
        recorded once, and the import goes on with what the folder holds.
        Returns the portal's ``DownloadStep``, or None."""
        self._check_manager()
        portal_login = self._param("portal_user")
        portal_password = self._param("portal_password")
        folder = self._folder()
        if not (portal_login and portal_password and folder):
            return None
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(hashtext(%s))", DOWNLOAD_LOCK))
        if not self.env.cr.fetchone()[0]:
            return None
        try:
            step = bce_portal.download_next_extract(
                self._param("portal_url") or bce_portal.DEFAULT_URL,
                portal_login,
                portal_password,
                folder,
                since=self._last_number(),
                seconds=self._download_seconds(),
            )
        except bce_portal.PortalError as error:
            _logger.warning("BCE portal download failed: %s", error)
            self._record_download_failure(str(error))
            return None
        self.env["ir.config_parameter"].sudo().set_param(PARAM + "download_error", False)
        if step and step.more:
            self._trigger_cron_of("ir_cron_rgpd_bce_download")
        if step and step.finished:
            self._trigger_cron_of("ir_cron_rgpd_bce_import")
        return step

    @api.model
    def _download_seconds(self):
        """Half the time a cron may run (``limit_time_real_cron``, else
        ``limit_time_real``); an hour when neither limits it."""
        limit = config.get("limit_time_real_cron")
        if limit is None or limit < 0:
            limit = config.get("limit_time_real")
        return limit / 2 if limit and limit > 0 else 3600

    @api.model
    def _record_download_failure(self, message):
        """A failed history record, once per cause: the cron retries every run."""
        params = self.env["ir.config_parameter"].sudo()
        if params.get_param(PARAM + "download_error") == message:
            return self.browse()
        params.set_param(PARAM + "download_error", message)
        now = fields.Datetime.now()
        return self.create(
            {
                "state": "failed",
                "file_name": self.env._("BCE portal download"),
                "error_message": self.env._(
                    "The download from the BCE portal failed: %(error)s. The extracts already "
                    "in the folder are still applied; the download is tried again at the next "
                    "run.",
                    error=message,
                ),
                "date_start": now,
                "date_end": now,
            }
        )

    @api.model
    def _trigger_cron_of(self, xmlid):
        cron = self.env.ref(f"rgpd_prospection.{xmlid}", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()


class _PartnerSync:
    """Maps engine companies to contacts, in batches, without tracking.

    ``run(companies, leaving)``: ``leaving`` holds the numbers of prospects no
    longer given (``None``: every prospect not in ``companies``)."""

    def __init__(self, partner_model, meta, excluded):
        self.env = partner_model.env
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
        self.last_values = {}
        self.tag = self._prospect_tag()
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

    def _prospect_tag(self):
        tag = self.env.ref("rgpd_prospection.res_partner_category_bce_prospect", False)
        return tag or self.env["res.partner.category"].search([("name", "=", "BCE prospect")])

    def run(self, companies, leaving):
        """``companies``: an iterable, synced by chunks so that a national
        import stays within bounded memory."""
        given = set()
        companies = iter(companies)
        while chunk := list(islice(companies, SYNC_CHUNK)):
            self.counts["count_kept"] += len(chunk)
            chunk = [c for c in chunk if c.bce_number not in self.excluded]
            given.update(company.bce_number for company in chunk)
            self._sync(chunk)
        if self.inserter:
            self.inserter.analyze()
        self._archive(leaving, given)
        self._post_messages()
        return dict(self.counts)

    def _sync(self, companies):
        self._ensure_codes(companies)
        existing = self._match([company.bce_number for company in companies])
        to_create = []
        for company in companies:
            partner = existing.get(company.bce_number)
            if partner:
                self._apply_existing(partner, company.bce_number, self._values(company))
            else:
                to_create.append(company)
        self._create([self._create_values(c.bce_number, self._values(c)) for c in to_create])

    def _apply_existing(self, partner, number, values):
        if partner.is_bce_prospect:
            self._update(partner, values)
        elif not partner.bce_number:
            partner.write({"bce_number": number})
            self.counts["count_linked"] += 1

    # -- in two parts: staging in committed steps, then all at once

    def stage(self, companies, numbers, table):
        """Prepare ``companies`` (those built of ``numbers``) in ``table``:
        the rows of the new prospects, and for each number what the final
        step needs (the staged row, or the BCE values of an existing company,
        or nothing for a company dropped while building)."""
        companies = [c for c in companies if c.bce_number not in self.excluded]
        self._ensure_codes(companies)
        values = {company.bce_number: self._values(company) for company in companies}
        existing = self._match(list(values))
        new = [number for number in values if number not in existing]
        vals_list = [self._create_values(number, values[number]) for number in new]
        seen = dict.fromkeys(numbers, (None, None))
        # existing companies, and new ones the fast path cannot stage: their values
        seen.update((number, (None, value)) for number, value in values.items())
        columns, many2many = [], []
        if vals_list and self.inserter.can_insert(vals_list):
            ids, columns, many2many = self.inserter.stage(vals_list, table)
            seen.update((number, (pid, None)) for number, pid in zip(new, ids, strict=True))
        self.inserter.stage_seen(table, seen)
        return columns, many2many

    def run_staged(self, numbers, changed, table, columns, many2many, companies_of):
        """Apply what ``stage`` prepared for ``numbers`` (all at once):
        staged rows inserted, existing companies updated, companies matched or
        created since the staging handled as ``run`` does; ``companies_of``
        builds the companies of numbers the staging did not see. ``changed``:
        the numbers an update changed (``None``: the whole perimeter); those
        not given any more leave."""
        given, inserted, unseen = set(), [], []
        cr = self.env.cr
        for start in range(0, len(numbers), SYNC_CHUNK):
            chunk = [n for n in numbers[start : start + SYNC_CHUNK] if n not in self.excluded]
            cr.execute(
                SQL(
                    "SELECT bce_number, partner_id, bce_values FROM %s WHERE bce_number = ANY(%s)",
                    SQL.identifier(f"{table}_seen"),
                    chunk,
                )
            )
            seen = {number: (pid, values) for number, pid, values in cr.fetchall()}
            unseen.extend(number for number in chunk if number not in seen)
            built = [n for n in chunk if n in seen and (seen[n][0] or seen[n][1] is not None)]
            self.counts["count_kept"] += len(built)
            given.update(built)
            existing = self._match(built)
            to_create = []
            for number in built:
                pid, values = seen[number]
                partner = existing.get(number)
                if partner:
                    self._apply_existing(partner, number, values or self._staged_values(table, pid))
                elif pid:
                    inserted.append(pid)
                else:
                    to_create.append(self._create_values(number, values))
            self._create(to_create)
        if inserted:
            self.inserter.insert_staged(table, inserted, columns, many2many, self._origin_values())
            self.counts["count_created"] += len(inserted)
        companies = list(companies_of(unseen)) if unseen else []
        self.counts["count_kept"] += len(companies)
        companies = [c for c in companies if c.bce_number not in self.excluded]
        given.update(company.bce_number for company in companies)
        for start in range(0, len(companies), SYNC_CHUNK):
            self._sync(companies[start : start + SYNC_CHUNK])
        self.inserter.analyze()
        self._archive(None if changed is None else changed - given, given)
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
                   WHERE is_company AND bce_number = ANY(%s) ORDER BY id""",
                numbers,
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
                       ) vats WHERE digits = ANY(%s) ORDER BY id""",
                    "BE%",
                    missing,
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
        code_table = self.env["rgpd.code.table"]
        missing_naces = sorted(
            {(version, code) for c in companies for version, code, _cls in c.nace_codes}
            - set(self.naces)
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
                    "level": nace_level(code),
                    "parent_id": code_table._nearest_parent_id(code, version, by_code),
                }
            )
            self.naces[(version, code)] = nace.id
        forms = {self._form_code(c) for c in companies} - set(self.forms) - {None}
        for form in self.env["rgpd.juridical.form"].create([{"code": f} for f in sorted(forms)]):
            self.forms[form.code] = form.id

    @staticmethod
    def _form_code(company):
        return company.juridical_form_cac or company.juridical_form

    def _values(self, company):
        """The BCE values of the synced fields, in the comparable form of
        ``_current``."""
        lang = self.langs.get(company.language)
        if lang and lang.startswith("nl"):
            city = company.municipality_nl or company.municipality_fr
        else:
            city = company.municipality_fr or company.municipality_nl
        main = next((c for c in company.nace_codes if c[2] == "MAIN"), None)
        values = {
            "name": company.name or format_enterprise_number(company.bce_number),
            "email": company.emails[0] if company.emails else False,
            "phone": company.phones[0] if company.phones else False,
            "zip": company.postal_code or False,
            "city": city or False,
            "country_id": self.country.id if company.postal_code else False,
            "bce_juridical_form_id": self.forms.get(self._form_code(company), False),
            "bce_start_date": company.start_date.isoformat() if company.start_date else False,
            "bce_main_nace_id": self.naces[(main[0], main[1])] if main else False,
            "bce_nace_codes": nace_codes_text((v, code) for v, code, _cls in company.nace_codes),
            "active": True,
        }
        if lang:
            values["lang"] = lang
        return values

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

    def _create_values(self, number, values):
        vals = dict(values)
        vals.update(
            self._origin_values(),
            bce_number=number,
            is_company=True,
            is_bce_prospect=True,
            category_id=[(4, self.tag.id)] if self.tag else [],
            bce_last_values=values,
        )
        return vals

    def _update(self, partner, values):
        if partner.id in self.last_values:
            last = self.last_values[partner.id] or {}
        else:
            last = partner.bce_last_values or {}
        if last == values:
            # the BCE changed nothing since the last import: each field holds
            # that value or a hand correction, both kept
            return
        # read and written alone: the chunk it came in would be read with it
        partner = partner.with_context(prefetch_fields=True).with_prefetch()
        changes, vals = [], {}
        for fname, new in values.items():
            current = self._current(partner, fname)
            hand_corrected = fname in last and current != last[fname]
            if not hand_corrected and current != new:
                vals[fname] = new
                changes.append((fname, current, new))
        if changes or last != values:
            vals.update(self._origin_values(), bce_last_values=values)
            if self.tag and self.tag not in partner.category_id:
                vals["category_id"] = [(4, self.tag.id)]
            partner.write(vals)
        if changes:
            self.counts["count_updated"] += 1
            self.messages[partner.id] = self._message(partner, changes)

    def _archive(self, leaving, given):
        if leaving is None:
            # compared in Python: a national ``not in`` list makes PostgreSQL
            # compare each row with the whole list (the ORM's query, and a
            # subquery larger than work_mem or one it believes small)
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    """SELECT id, bce_number FROM res_partner
                       WHERE is_bce_prospect AND active AND bce_number IS NOT NULL"""
                )
            )
            rows = self.env.cr.fetchall()
            partners = self.Partner.browse([pid for pid, number in rows if number not in given])
        else:
            domain = [("is_bce_prospect", "=", True), ("bce_number", "in", list(leaving))]
            partners = self.Partner.search(domain)
        why = self.archive_reasons(partners.mapped("bce_number")) if self.archive_reasons else {}
        for partner in partners:
            if partner.bce_number in self.excluded and not partner.active:
                continue
            last = dict(partner.bce_last_values or {})
            by_hand = last.get("active", True) != partner.active
            last["active"] = False
            vals = {"bce_last_values": last}
            if partner.active and not by_hand:
                vals.update(active=False, bce_last_sync=self.now)
                self.counts["count_archived"] += 1
                self.messages[partner.id] = self._message(partner, [("active", True, False)])
                if why.get(partner.bce_number):
                    self.messages[partner.id] += Markup("<p>%s</p>") % why[partner.bce_number]
            partner.write(vals)

    def _message(self, partner, changes):
        lines = Markup("").join(
            Markup("<li>%s: %s → %s</li>")
            % (
                partner._fields[fname]._description_string(self.env),
                self._display(partner, fname, old),
                self._display(partner, fname, new),
            )
            for fname, old, new in changes
        )
        return Markup("<p>%s</p><ul>%s</ul>") % (
            _("The BCE import of extract %(number)s changed:", number=self.meta.extract_number),
            lines,
        )

    def _display(self, partner, fname, value):
        field = partner._fields[fname]
        if field.type == "boolean":
            return escape(_("yes") if value else _("no"))
        if value in (False, None, []):
            return escape(_("(empty)"))
        if field.type == "many2one":
            return escape(self.env[field.comodel_name].browse(value).display_name)
        if fname == "bce_nace_codes":
            return escape(
                ", ".join(
                    f"{format_nace_code(code)} ({version})" for version, code in nace_keys(value)
                )
            )
        return escape(str(value))

    def _post_messages(self):
        if self.messages:
            partners = self.Partner.browse(list(self.messages))
            partners._message_log_batch(bodies=self.messages)


class _LineStream(io.TextIOBase):
    """A file for ``copy_expert`` that reads lines from an iterator as COPY
    asks for them."""

    def __init__(self, lines):
        super().__init__()
        self.lines = lines

    def readable(self):
        return True

    def read(self, size=-1):
        chunk, length = [], 0
        for line in self.lines:
            chunk.append(line)
            length += len(line)
            if 0 <= size <= length:
                break
        return "".join(chunk)


class _PartnerInsert:
    """Set-based ``create`` of new prospects, an order of magnitude faster at
    national scale: ids drawn from the sequence, every column computed in
    Python (defaults, create and write uid and date, stored computed fields),
    rows and many2many links sent with ``COPY`` (``insert``), or staged with
    ``COPY`` in committed steps and created later with one ``INSERT … SELECT``
    (``stage``, ``insert_staged``); then the constraints checked and the cache
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
            ("_compute_phone_sanitized", "_phone_get_country", "_phone_format"),
        ),
        "rgpd_legal_basis": ({"rgpd_prospection"}, ("_compute_rgpd_legal_basis",)),
    }
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
        self._number_fields = partner_model._phone_get_number_fields()
        self._country_field = partner_model._phone_get_country_field()

    def _not_overridden(self, name):
        """True when the methods of ``name`` come from the expected modules
        only, so the formulas here are still theirs."""
        if name not in self.Partner._fields:
            return False
        modules, methods = self.COMPUTED_HERE[name]
        defined_in = {
            getattr(cls, "_module", None)
            for cls in type(self.Partner).__mro__
            for method in methods
            if method in vars(cls)
        }
        return defined_in == modules

    def can_insert(self, vals_list):
        names = {name for vals in vals_list for name in vals}
        return (
            self.usable
            and names <= (self.columns - self.monetary) | self.many2many
            and not names & self.ASSUMED_EMPTY
        )

    # -- the stored computed fields of a new company (``full``: defaults and values)

    def _compute_complete_name(self, full, partner_id):
        return (full.get("name") or "").strip()

    def _compute_commercial_partner_id(self, full, partner_id):
        return partner_id

    def _compute_commercial_company_name(self, full, partner_id):
        return full.get("is_company") and full.get("name") or None

    def _compute_user_id(self, full, partner_id):
        return None

    def _compute_company_registry(self, full, partner_id):
        return None

    def _compute_partner_share(self, full, partner_id):
        return True

    def _compute_email_normalized(self, full, partner_id):
        return email_normalize(full.get("email"), strict=False)

    def _compute_phone_sanitized(self, full, partner_id):
        country = self.env["res.country"].browse(full.get(self._country_field) or [])
        country = country or self.env.company.country_id
        for fname in self._number_fields:
            number = full.get(fname)
            if sanitized := number and self.Partner._phone_format_number(number, country):
                return sanitized
        return None

    def _compute_rgpd_legal_basis(self, full, partner_id):
        return "legitimate_interest" if full.get("is_bce_prospect") else None

    # -- writing

    def insert(self, vals_list):
        """Create the partners of ``vals_list`` now: one COPY, then what
        ``create`` does after its INSERT."""
        ids = self._new_ids(len(vals_list))
        names, many2many, lines, links = self._render(ids, vals_list)
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

    def stage(self, vals_list, table):
        """Prepare the partners of ``vals_list`` in ``table`` (a copy of the
        shape of ``res_partner``), for ``insert_staged`` to create them later
        with one INSERT: the rows take their ids now. Returns the ids and the
        columns and many2many fields given."""
        ids = self._new_ids(len(vals_list))
        names, many2many, lines, links = self._render(ids, vals_list)
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
                        json.dumps(values).translate(COPY_ESCAPES) if values else r"\N",
                    )
                )
                + "\n"
                for number, (partner_id, values) in seen.items()
            ),
        )

    def insert_staged(self, table, ids, columns, many2many, overrides):
        """Create the staged partners ``ids`` of ``table``: set-based INSERT of
        their rows (created and written now, ``overrides`` replacing staged
        values) and links, then what ``create`` does after its INSERT."""
        cr = self.env.cr
        ids = sorted(ids)
        now = cr.now()
        log = {"create_uid": self.env.uid, "create_date": now}
        log.update(write_uid=self.env.uid, write_date=now)
        given = {**overrides, **log}
        names = [name for name in columns if name not in given]
        for start in range(0, len(ids), STAGED_INSERT):
            chunk = ids[start : start + STAGED_INSERT]
            self.env.flush_all()
            cr.execute(
                SQL(
                    "INSERT INTO res_partner (id, %s, %s) SELECT id, %s, %s FROM %s "
                    "WHERE id BETWEEN %s AND %s AND id = ANY(%s)",
                    SQL(", ").join(map(SQL.identifier, names)),
                    SQL(", ").join(map(SQL.identifier, given)),
                    SQL(", ").join(map(SQL.identifier, names)),
                    SQL(", ").join(
                        self._copy_value(self.Partner._fields.get(name), value)
                        for name, value in given.items()
                    ),
                    SQL.identifier(table),
                    chunk[0],
                    chunk[-1],
                    chunk,
                )
            )
            for name in many2many:
                field = self.Partner._fields[name]
                cr.execute(
                    SQL(
                        "INSERT INTO %s (%s, %s) SELECT partner_id, target_id FROM %s "
                        "WHERE field = %s AND partner_id = ANY(%s)",
                        SQL.identifier(field.relation),
                        SQL.identifier(field.column1),
                        SQL.identifier(field.column2),
                        SQL.identifier(f"{table}_links"),
                        name,
                        chunk,
                    )
                )
                self.tables.add(field.relation)
            self._complete(self.Partner.browse(chunk), [*columns, *many2many])

    def _copy_value(self, field, value):
        if field is None or field.name in models.LOG_ACCESS_COLUMNS:
            return SQL("%s", value)
        return SQL("%s", field.convert_to_column_insert(value, self.Partner))

    def _new_ids(self, count):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT nextval(pg_get_serial_sequence('res_partner', 'id')) "
                "FROM generate_series(1, %s)",
                count,
            )
        )
        return [row[0] for row in self.env.cr.fetchall()]

    def _render(self, ids, vals_list):
        """The columns, many2many fields, COPY lines (streamed: PostgreSQL
        writes the rows of one slice while Python turns the next slice into
        text, on another core) and many2many links of new partners."""
        given = {name for vals in vals_list for name in vals}
        computers = {
            field.name: getattr(self, f"_compute_{field.name}")
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
        columns = [
            (name, self._converter(model_fields[name]), self.defaults.get(name)) for name in varying
        ]
        # what the formulas read, loaded now: the COPY leaves the connection
        # to nothing else
        self._prefetch(vals_list)
        links = {name: [] for name in many2many}
        row_end = f"\t{tail}\n"

        def lines():
            for start in range(0, len(ids), STREAM_SLICE):
                end = start + STREAM_SLICE
                rows = list(zip(ids[start:end], vals_list[start:end], strict=True))
                values = []
                for partner_id, vals in rows:
                    full = {**self.defaults, **vals}
                    for name, compute in computers.items():
                        if name not in vals:
                            full[name] = compute(full, partner_id)
                    values.append(full)
                    for name, pairs in links.items():
                        pairs.extend(
                            (partner_id, target) for target in self._targets(full.get(name) or [])
                        )
                texts = [
                    [convert(full.get(name, default)) for full in values]
                    for name, convert, default in columns
                ]
                id_texts = [str(partner_id) for partner_id, _vals in rows]
                for parts in zip(id_texts, *texts, strict=True):
                    yield "\t".join(parts) + row_end

        names = ["id", *varying, *constant, "create_uid", "create_date", "write_uid", "write_date"]
        return names, many2many, lines(), links

    def _prefetch(self, vals_list):
        """Load the countries the phone formula reads."""
        country_ids = {vals.get(self._country_field) for vals in vals_list}
        country_ids.add(self.defaults.get(self._country_field))
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
                return text[:size].translate(COPY_ESCAPES)

            return convert_text
        if field.type in ("char", "text", "html", "json"):
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

        return convert

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
        return str(value).translate(COPY_ESCAPES)

    def _copy(self, table, columns, lines):
        names = ", ".join(f'"{name}"' for name in columns)
        self.env.cr._obj.copy_expert(
            f'COPY "{table}" ({names}) FROM STDIN', _LineStream(lines), size=COPY_CHUNK
        )

    def _complete(self, partners, names):
        """What ``create`` does after its INSERT: dependent fields of other
        records marked, the fields left to the ORM computed, constraints
        checked; then the cache, which the insert bypassed, is dropped."""
        with self.env.protecting(self.computed_here, partners):
            partners.modified(names, create=True)
        for field in self.left_to_orm:
            self.env.add_to_compute(field, partners)
        self.env.flush_all()
        # one column read per constraint, not every column of the batch
        partners.with_context(prefetch_fields=False)._validate_fields(names)
        self.env.invalidate_all()
        self.inserted += len(partners)
        if self.inserted >= self.next_analyze:
            self.analyze()
            self.next_analyze = 8 * self.inserted

    def analyze(self):
        """Fresh statistics, or the planner keeps treating the tables as
        empty; run as the table doubles, and at the end."""
        if self.inserted == self.analyzed:
            return
        self.analyzed = self.inserted
        self.env.cr.execute(
            SQL("ANALYZE %s", SQL(", ").join(SQL.identifier(t) for t in sorted(self.tables)))
        )
