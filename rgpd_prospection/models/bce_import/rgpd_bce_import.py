"""The BCE import: one record per extract applied, and the state machine that
applies it in steps the cron framework commits one by one. Its other concerns
extend the model in the files beside this one."""

import logging
from collections import Counter
from pathlib import Path

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, LazyTranslate

from ...bce_engine import (
    BceFormatError,
    EmptyPerimeterError,
    LegalPersonState,
    read_extract_code_table,
    read_full_extract,
    release_memory,
    result_of_state,
)
from ...tools import is_rgpd_manager
from .partner_sync import _PartnerSync

_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)

LOCK_NAME = "rgpd_prospection.bce_import"
# The state last loaded or made by this process, by (database, attachment,
# checksum): the steps of an import read it once, not once per step. One entry:
# a national state is large; the contacts step lets go of it before its insert
# (``_EngineResult``).
_loaded_state = {}
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


class _EngineResult:
    """The engine's result in the contacts step, until ``release`` lets go of
    it and of the state the process keeps (``_loaded_state``): the staged
    insert, the step's longest and largest part, then runs without the state's
    hundreds of MB. ``keep_state``: the step still reads the state the import
    attached (an update attached as a sub-state writes it into the state
    tables at its end)."""

    def __init__(self, result, keep_state=False):
        self.result = result
        self.keep_state = keep_state

    def release(self):
        self.result = None
        if not self.keep_state:
            _loaded_state.clear()
        release_memory()


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
    # At most one import under way, whatever the entry point and however the
    # transactions interleave: PostgreSQL refuses a second one.
    _one_under_way = models.UniqueIndex(
        "((TRUE)) WHERE state IN ('running', 'ready', 'confirm')",
        "Another import is already under way.",
    )

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
    error_terms = fields.Json(
        copy=False,
        help="The source text and values of the message, from which every reader sees it in "
        "his own language.",
    )
    error_text = fields.Text(
        string="Message",
        compute="_compute_error_text",
        help="Why the import failed, was refused or skipped, in your language; for a malformed "
        "extract the file, line and column at fault.",
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
        help="The module's minimised copy of every Belgian legal person after this extract "
        "(of the enterprises it may change only, for an update applied through the state "
        "tables); kept for the last applied extract only.",
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
        string="Left out (opposition)",
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
        string="Left out while preparing",
        help="Technical: companies left out while preparing, per reason.",
    )
    drops = fields.Json(help="Rows and values left out, per reason.")
    drops_summary = fields.Text(
        string="Left out rows", compute="_compute_drops_summary", help="Rows left out, per reason."
    )
    user_id = fields.Many2one(
        "res.users", string="Started by", default=lambda self: self.env.user, readonly=True
    )

    @api.depends("extract_type", "extract_number", "file_name")
    def _compute_name(self):
        types = dict(self._fields["extract_type"]._description_selection(self.env))
        for record in self:
            if record.extract_number:
                record.name = self.env._(
                    "%(type)s extract %(number)s",
                    type=types.get(record.extract_type, ""),
                    number=record.extract_number,
                )
            else:
                record.name = record.file_name or self.env._("BCE import")

    def init(self):
        """An older database with several imports under way keeps the oldest,
        so that ``_one_under_way`` can be created."""
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

    # ------------------------------------------------------------------ entry points

    @api.model
    def _cron_import_extracts(self):
        """One step per call: the cron framework commits the progress and calls
        again while work remains."""
        record, remaining = self._import_one_step()
        self.env["ir.cron"]._commit_progress(len(record), remaining=remaining)

    def action_run_now(self):
        """One step now, in the request (nothing is committed halfway); the
        scheduler carries on at once while work remains."""
        self._check_manager()
        __, remaining = self._import_one_step()
        if remaining:
            self._trigger_cron()
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    @api.model
    def _import_one_step(self):
        """The next step of the pending imports: (the import stepped, whether
        work remains)."""
        self._remove_old_set_aside_files()
        record = self.run_pending_imports(max_steps=1)
        return record, 1 if record and self._has_pending_work() else 0

    @api.model
    def _trigger_cron(self, xmlid="ir_cron_rgpd_bce_import"):
        """Let the scheduler run one of the module's crons at once."""
        cron = self.env.ref(f"rgpd_prospection.{xmlid}", raise_if_not_found=False)
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
            key = (
                record.id,
                record.state,
                record.stage_count,
                record.stage_done,
                record.progress_step,
            )
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

    # ------------------------------------------------------------------ guards

    @api.depends("error_message", "error_terms")
    @api.depends_context("lang")
    def _compute_error_text(self):
        for record in self:
            terms = record.error_terms or {}
            source, args = terms.get("source"), terms.get("args") or {}
            record.error_text = record.env._(source, **args) if source else record.error_message

    @api.model
    def _message(self, message):
        """The values of a message (an ``_lt`` term) stored on the history: its
        English text (what the history compares to record a reason once) and
        its source and values, from which every reader sees it in his own
        language."""
        english = message._translate("en_US")
        terms = {"source": message._source, "args": dict(message._args or {})}
        return {"error_message": english, "error_terms": terms}

    @api.model
    def _check_manager(self):
        if not is_rgpd_manager(self.env):
            raise AccessError(self.env._("Only a GDPR prospecting manager may run BCE imports."))

    @api.model
    def _try_lock(self):
        """Held until the end of the transaction: two transactions never work
        on imports at once. Across transactions, the history keeps imports
        apart: at most one is under way (a unique index)."""
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(hashtext(%s))", LOCK_NAME))
        return self.env.cr.fetchone()[0]

    # ------------------------------------------------------------------ history

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

    # ------------------------------------------------------------------ steps

    def _run_step(self):
        """One step; what it freed goes back to the system before the next, so
        that the cron worker's RSS is the state it keeps and no more (and not
        even that once the import is over)."""
        self.ensure_one()
        if self._overtaken():
            return
        try:
            if self.state == "running" and self._needs_state_tables():
                self._run_state_tables_step()
            elif self.state == "running":
                self._run_engine_phase()
            elif self.state == "ready" and self._stages():
                self._run_staging_step()
            elif self.state == "ready":
                self._run_partner_phase()
        finally:
            if self.state not in WORKING:
                _loaded_state.clear()  # until the next import: it loads its own
            release_memory()

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
                **self._message(
                    _lt(
                        "Extract %(last)s was applied meanwhile: this older extract is not applied "
                        "over it.",
                        last=last.extract_number,
                    )
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
                    stored = {"state_partial": False, "state_enterprises": False}
                else:
                    result, stored = self._apply_update(path, previous, config, progress)
                    changes = result.changes()
                attachment = self._attach_state(result.state)
                self._remember_state(attachment, result.state)
                self.write(
                    {
                        **stored,
                        "state": "ready",
                        "state_attachment_id": attachment.id,
                        "engine_changes": changes,
                        "drops": dict(result.drops),
                        "count_read": result.legal_persons,
                        **self._staging_start_values(),
                        **self._sanity_values(result),
                    }
                )
        except Exception as error:  # noqa: BLE001 - recorded in the history, set aside
            _logger.warning("BCE import %s: engine phase failed", self.file_name, exc_info=True)
            self._fail(error)

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
            raise BceFormatError(
                self.env._("no state of a previous extract to apply this update to")
            )
        return self._state_of(record.state_attachment_id)

    def _state_of(self, attachment):
        """The state ``attachment`` holds, decompressed once per process: the
        key holds its checksum, so a changed attachment is read again."""
        attachment = attachment.sudo()
        key = (self.env.cr.dbname, attachment.id, attachment.checksum)
        if key not in _loaded_state:
            _loaded_state.clear()
            _loaded_state[key] = LegalPersonState.from_bytes(attachment.raw)
        return _loaded_state[key]

    def _remember_state(self, attachment, state):
        attachment = attachment.sudo()
        _loaded_state.clear()
        _loaded_state[(self.env.cr.dbname, attachment.id, attachment.checksum)] = state

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
        full_sync = self._full_sync()
        state = self._whole_state() if full_sync else self._state_of(self.state_attachment_id)
        changes = None if full_sync else self.engine_changes
        result = result_of_state(state, self._engine_config(), changes)
        return result, self._perimeter(), full_sync, result.changed

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
                # held by ``engine`` alone, which the staged path lets go of
                engine = _EngineResult(result, keep_state=self.state_partial)
                del result
                # the notes on the contacts are not about the user at work:
                # written in the installation's main language, whoever started it
                lang = self.env["res.partner"]._rgpd_main_lang()
                sync = _PartnerSync(
                    self.env["res.partner"].sudo().with_context(lang=lang),
                    engine.result.meta,
                    perimeter.excluded,
                    bce_import=self,
                )
                selection = engine.result.select(perimeter)
                phase_drops = Counter(selection.drops)
                sync.archive_reasons = lambda numbers: self._archive_reasons(
                    engine.result, perimeter, numbers
                )
                sync.leaving_companies = lambda numbers: self._leaving_companies(
                    engine.result, numbers
                )
                if self.stage_done and sync.inserter:
                    columns = self.stage_columns or {"columns": [], "many2many": []}
                    counts = sync.run_staged(
                        selection.numbers,
                        changed,
                        self._staging_table(),
                        columns["columns"],
                        columns["many2many"],
                        lambda numbers: engine.result.companies_of(numbers, phase_drops),
                        engine.release,
                    )
                    drops = Counter(self.stage_drops or {})
                else:
                    # streamed
                    companies = engine.result.companies_of(selection.numbers, phase_drops)
                    # an update: those of the changed numbers not built leave
                    counts = sync.run(companies, None, None if full_sync else changed)
                    drops = Counter()
                # A restored backup may hold data erased since: erase it again.
                self.env["rgpd.blacklist"].sudo().reapply_erasures()
                drops += Counter(self.drops or {}) + phase_drops
                self._write_state_tables()
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
