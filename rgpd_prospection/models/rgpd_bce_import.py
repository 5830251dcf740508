import hashlib
import json
import logging
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from markupsafe import Markup, escape
from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL
from psycopg2.extras import execute_values

from ..bce_engine import (
    BceFormatError,
    EmptyPerimeterError,
    EngineConfig,
    LegalPersonState,
    Perimeter,
    apply_update_extract,
    read_full_extract,
    read_meta,
)
from ..bce_engine.codes import read_code_table
from ..bce_engine.engine import FullResult, UpdateResult
from ..bce_engine.numbers import format_enterprise_number
from ..bce_engine.reader import Extract

_logger = logging.getLogger(__name__)

PARAM = "rgpd_prospection.bce_"
LOCK_NAME = "rgpd_prospection.bce_import"
PARTNER_LANGS = {"fr": "fr_BE", "nl": "nl_BE", "de": "de_DE"}
STATES = [
    ("running", "Running"),
    ("ready", "Contacts pending"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("refused", "Refused"),
    ("skipped", "Skipped"),
]
# Partner fields an import fills; each is overwritten only while it still holds
# the value the previous import gave it, so corrections made by hand survive.
SYNCED_FIELDS = (
    "name",
    "email",
    "phone",
    "zip",
    "city",
    "country_id",
    "lang",
    "bce_juridical_form_id",
    "bce_start_date",
    "bce_main_nace_id",
    "bce_nace_ids",
    "active",
)
CREATE_BATCH = 2000
ANALYZE_ROWS = 1000
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "download_bce_extracts.py"


def file_checksum(path):
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


class RgpdBceImport(models.Model):
    """One attempt to apply a BCE extract: the history the data protection
    officer shows an auditor, and the checkpoint a later run resumes from.

    An import runs in steps the cron framework commits one by one: start
    (``running``), engine (the new state of every legal person is attached,
    ``ready``), contacts (all-or-nothing, ``done``). The state attached to the
    last done import is the module's own minimised copy of the BCE."""

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
        help="Running: reading the extract. Contacts pending: the extract is read, contacts "
        "are updated at the next step. Done. Failed: nothing changed, see the error. Refused: "
        "the extract cannot be applied now (perimeter missing, out of sequence). Skipped: "
        "already applied or older than the last applied extract.",
    )
    progress = fields.Integer(help="Percentage of the import done.")
    progress_step = fields.Char(string="Step", help="What the import is doing.")
    error_message = fields.Text(
        help="Why the import failed or was refused; for a malformed extract the file, line "
        "and column at fault."
    )
    format_error = fields.Boolean(
        help="The file itself is malformed: it is not tried again (a corrected file has "
        "another checksum)."
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
        string="Skipped (blacklist)",
        help="Companies left out because they objected, were anonymised or expired.",
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
        again while work remains."""
        if not self.search_count([("state", "in", ("running", "ready"))]):
            self._download_new_extracts()
        record = self.run_pending_imports(max_steps=1)
        going_on = record.state in ("running", "ready", "done", "skipped")
        remaining = 1 if going_on and self._has_pending_work() else 0
        self.env["ir.cron"]._notify_progress(done=len(record), remaining=remaining)

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
            if not record or (record.id, record.state) in seen:
                break
            seen.add((record.id, record.state))
            touched |= record
        return touched

    @api.model
    def import_file(self, path):
        """Apply one ZIP chosen by a manager, at once."""
        self._check_manager()
        if not self._try_lock():
            return self.create(
                {
                    "file_name": Path(path).name,
                    "state": "refused",
                    "error_message": _("Another import is running: try again when it is over."),
                    "date_start": fields.Datetime.now(),
                    "date_end": fields.Datetime.now(),
                }
            )
        record = self._start(Path(path), self._last_number())
        while record.state in ("running", "ready"):
            record._run_step()
        return record

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
        perimeter = Perimeter(excluded=self._excluded_numbers(), **self._perimeter_settings())
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
        if not self.env.su and not self.env.user.has_group("rgpd_prospection.group_rgpd_manager"):
            raise AccessError(_("Only a GDPR prospecting manager may run BCE imports."))

    @api.model
    def _try_lock(self):
        """Held until the end of the transaction: two imports never overlap."""
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(hashtext(%s))", LOCK_NAME))
        return self.env.cr.fetchone()[0]

    # ------------------------------------------------------------------ choosing the extract

    @api.model
    def _folder(self):
        folder = self._param("extract_folder")
        return Path(folder) if folder else None

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
        if self.search_count([("state", "in", ("running", "ready"))]):
            return True
        folder = self._folder()
        return bool(folder and folder.is_dir() and any(folder.glob("*.zip")))

    @api.model
    def _run_next_step(self, tried):
        """Do the next step of the import under way, else start the next
        extract of the folder; an empty recordset when there is nothing to do.
        ``tried``: files started in this run, not retried in it."""
        record = self.search([("state", "in", ("running", "ready"))], order="id", limit=1)
        if record:
            record._run_step()
            return record
        folder = self._folder()
        if not folder or not folder.is_dir():
            return self.browse()
        last = self._last_number()
        candidates = []
        for path in sorted(folder.glob("*.zip")):
            if str(path) in tried or self._known_bad_file(path):
                continue
            try:
                meta = read_meta(path)
            except BceFormatError as error:
                record = self._record_bad_file(path, error)
                if record:
                    return record
                continue
            candidates.append((meta, path))
        path = self._choose(candidates, last)
        if not path:
            return self.browse()
        tried.add(str(path))
        return self._start(path, last)

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
        for _number, path in sorted(updates.items()):
            self._refuse_once(path, self._sequence_error(read_meta(path), last))
        return None

    def _sequence_error(self, meta, last):
        if last is None:
            return _(
                "Update %(number)s cannot be applied: no full extract has been applied yet. "
                "Put a full extract in the folder.",
                number=meta.extract_number,
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
        checksum = checksum or file_checksum(path)
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

    def _known_bad_file(self, path):
        """A malformed file already recorded (checked by name first: hashing a
        national extract takes seconds)."""
        domain = [("file_name", "=", path.name), ("format_error", "=", True)]
        if not self.search_count(domain):
            return False
        return bool(self.search_count(domain + [("checksum", "=", file_checksum(path))]))

    def _record_bad_file(self, path, error):
        if self._known_bad_file(path):
            return self.browse()
        checksum = file_checksum(path)
        return self.create(
            {
                "file_name": path.name,
                "file_path": str(path),
                "checksum": checksum,
                "state": "failed",
                "format_error": True,
                "error_message": str(error),
                "date_start": fields.Datetime.now(),
                "date_end": fields.Datetime.now(),
            }
        )

    @staticmethod
    def _safe_meta(path):
        try:
            return read_meta(path)
        except BceFormatError:
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
        except BceFormatError as error:
            return self._record_bad_file(path, error) or self.search(
                [("file_name", "=", path.name)], limit=1
            )
        checksum = file_checksum(path)
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
        return self.create(
            dict(values, state="running", progress=5, progress_step=_("Reading the extract"))
        )

    # ------------------------------------------------------------------ steps

    def _run_step(self):
        self.ensure_one()
        if self.state == "running":
            self._run_engine_phase()
        elif self.state == "ready":
            self._run_partner_phase()

    def _fail(self, error, format_error=False):
        _logger.warning("BCE import %s failed: %s", self.file_name, error)
        self.write(
            {
                "state": "failed",
                "format_error": format_error,
                "error_message": str(error) or repr(error),
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
                with Extract(path) as extract:
                    code_csv = extract.read_bytes("code.csv")
                self.env["rgpd.code.table"]._load_code_table(read_code_table(code_csv))
                config = self._engine_config()
                progress = self._progress_logger()
                if self.extract_type == "full":
                    result = read_full_extract(path, config, progress)
                    changes = None
                else:
                    state = self._load_state(previous)
                    result = apply_update_extract(path, state, config, progress)
                    changes = {
                        "created": sorted(result.created),
                        "updated": sorted(result.updated),
                        "stopped": sorted(result.stopped),
                    }
                attachment = self._attach_state(result.state)
                self.write(
                    {
                        "state": "ready",
                        "state_attachment_id": attachment.id,
                        "engine_changes": changes,
                        "drops": dict(result.drops),
                        "count_read": len(result.state),
                        "progress": 50,
                        "progress_step": _("Updating the contacts"),
                    }
                )
        except BceFormatError as error:
            self._fail(error, format_error=True)
        except Exception as error:  # noqa: BLE001 - recorded in the history, retried later
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

    def _run_partner_phase(self):
        """Change the contacts all at once: a failure rolls every contact back
        and is recorded; the ZIP stays for a later run. Contacts are written as
        superuser: the entry points admit managers only."""
        previous = self._last_done()
        signature = self._settings_signature()
        try:
            with self.env.cr.savepoint():
                state = LegalPersonState.from_bytes(self.state_attachment_id.sudo().raw)
                config = self._engine_config()
                perimeter = self._perimeter()
                full_sync = (
                    self.extract_type == "full"
                    or not previous
                    or previous.settings_signature != signature
                )
                if full_sync:
                    result = FullResult(state.meta, state, config, Counter())
                    companies = list(result.companies(perimeter))
                    leaving = None
                else:
                    changes = {key: set(value) for key, value in self.engine_changes.items()}
                    result = UpdateResult(
                        state.meta,
                        state,
                        config,
                        Counter(),
                        changes["created"],
                        changes["updated"],
                        changes["stopped"],
                    )
                    companies = list(result.companies(perimeter))
                    given = {company.bce_number for company in companies}
                    leaving = (changes["created"] | changes["updated"] | changes["stopped"]) - given
                sync = _PartnerSync(self.env["res.partner"].sudo(), state.meta, perimeter.excluded)
                counts = sync.run(companies, leaving)
                drops = Counter(self.drops or {}) + result.selection_drops
                self.write(
                    dict(
                        counts,
                        state="done",
                        full_sync=full_sync,
                        settings_signature=signature,
                        drops=dict(drops),
                        count_kept=len(companies),
                        count_blacklisted=result.selection_drops.get("blacklisted", 0),
                        progress=100,
                        progress_step=False,
                        date_end=fields.Datetime.now(),
                    )
                )
        except (EmptyPerimeterError, ValueError) as error:
            self._fail(error)
            return
        except Exception as error:  # noqa: BLE001 - recorded in the history, retried later
            _logger.warning("BCE import %s: contact phase failed", self.file_name, exc_info=True)
            self._fail(error)
            return
        self._drop_older_states()
        Path(self.file_path).unlink(missing_ok=True)

    def _drop_older_states(self):
        older = self.search([("id", "!=", self.id), ("state_attachment_id", "!=", False)]).filtered(
            lambda record: record.state != "ready"
        )
        attachments = older.state_attachment_id
        older.write({"state_attachment_id": False})
        attachments.sudo().unlink()

    # ------------------------------------------------------------------ downloader

    @api.model
    def _download_new_extracts(self):
        """Fetch new extracts from the BCE portal with the customer's account,
        when one is configured; a failure is recorded, the import goes on with
        what the folder holds."""
        user, password, folder = (
            self._param("portal_user"),
            self._param("portal_password"),
            self._folder(),
        )
        if not (user and password and folder):
            return
        command = [sys.executable, str(SCRIPT), "--dest", str(folder), "--only", "needed"]
        last = self._last_number()
        if last is not None:
            command += ["--since", str(last)]
        if url := self._param("portal_url"):
            command += ["--url", url]
        env = dict(os.environ, BCE_USER=user, BCE_PASSWORD=password)
        completed = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=6 * 3600, check=False
        )
        if completed.returncode:
            self.create(
                {
                    "state": "failed",
                    "file_name": _("BCE portal download"),
                    "error_message": completed.stderr.strip() or completed.stdout.strip(),
                    "date_start": fields.Datetime.now(),
                    "date_end": fields.Datetime.now(),
                }
            )


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
        self.tag = self._prospect_tag()
        self.country = self.env.ref("base.be")
        installed = {code for code, _name in self.env["res.lang"].get_installed()}
        self.langs = {key: code for key, code in PARTNER_LANGS.items() if code in installed}
        self.naces = {
            (nace.version, nace.code): nace.id
            for nace in self.env["rgpd.nace"].with_context(active_test=False).search([])
        }
        self.forms = {form.code: form.id for form in self.env["rgpd.juridical.form"].search([])}

    def _prospect_tag(self):
        tag = self.env.ref("rgpd_prospection.res_partner_category_bce_prospect", False)
        return tag or self.env["res.partner.category"].search([("name", "=", "BCE prospect")])

    def run(self, companies, leaving):
        companies = [c for c in companies if c.bce_number not in self.excluded]
        self._ensure_codes(companies)
        numbers = [company.bce_number for company in companies]
        existing = self._match(numbers)
        to_create = []
        for company in companies:
            values = self._values(company)
            partner = existing.get(company.bce_number)
            if not partner:
                to_create.append((company, values))
            elif partner.is_bce_prospect:
                self._update(partner, company, values)
            elif not partner.bce_number:
                partner.write({"bce_number": company.bce_number})
                self.counts["count_linked"] += 1
        self._create(to_create)
        self._archive(leaving, set(numbers))
        self._post_messages()
        return dict(self.counts)

    # -- matching

    def _match(self, numbers):
        """Existing companies by enterprise number (archived included), then by
        Belgian VAT for the numbers not found."""
        found = {}
        for start in range(0, len(numbers), 50_000):
            batch = numbers[start : start + 50_000]
            for partner in self.Partner.search(
                [("bce_number", "in", batch), ("is_company", "=", True)]
            ):
                found[partner.bce_number] = partner
        missing = [number for number in numbers if number not in found]
        if missing:
            self.env.flush_all()
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
                    "level": len(code) - 1 if len(code) > 2 else 2,
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
            "bce_nace_ids": sorted({self.naces[(v, code)] for v, code, _cls in company.nace_codes}),
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
        if field.type == "many2many":
            return sorted(value.ids)
        if field.type == "date":
            return value.isoformat() if value else False
        return value if field.type == "boolean" else (value or False)

    @staticmethod
    def _write_value(partner, fname, value):
        if partner._fields[fname].type == "many2many":
            return [(6, 0, value)]
        return value

    def _origin_values(self):
        return {
            "bce_extract_number": self.meta.extract_number,
            "bce_snapshot_date": self.meta.snapshot_date,
            "bce_last_sync": self.now,
        }

    # -- writing

    def _create(self, to_create):
        vals_list = []
        for company, values in to_create:
            vals = {
                fname: self._write_value(self.Partner, fname, value)
                for fname, value in values.items()
            }
            vals.update(
                self._origin_values(),
                bce_number=company.bce_number,
                is_company=True,
                is_bce_prospect=True,
                category_id=[(4, self.tag.id)] if self.tag else [],
                bce_last_values=values,
            )
            vals_list.append(vals)
        create = (
            self.Partner.create if self.env.context.get("rgpd_bce_orm_create") else self._insert
        )
        for start in range(0, len(vals_list), CREATE_BATCH):
            create(vals_list[start : start + CREATE_BATCH])
        self.counts["count_created"] += len(vals_list)

    def _insert(self, vals_list):
        """Set-based ``create`` for new prospects, an order of magnitude faster
        at national scale, completed as ``create`` does: defaults, create and
        write uid and date, many2many rows, then every stored computed field
        (``complete_name``, ``commercial_partner_id``, ``email_normalized``…)
        computed in batch by the ORM, and the constraints checked.
        ``create`` overrides are bypassed: new prospects are never blacklisted,
        and mail tracking is off for imports anyway."""
        Partner = self.Partner
        model_fields = Partner._fields
        defaults = Partner.default_get(
            [
                name
                for name, field in model_fields.items()
                if field.store
                and field.column_type
                and not field.compute
                and not field.company_dependent
                and name not in models.MAGIC_COLUMNS
            ]
        )
        columns = sorted(
            {name for vals in vals_list for name in vals if model_fields[name].column_type}
            | set(defaults)
        )
        m2m = sorted({name for vals in vals_list for name in vals} - set(columns))
        uid, now = self.env.uid, self.now
        rows = []
        for vals in vals_list:
            full = dict(defaults, **vals)
            row = [
                model_fields[name].convert_to_column_insert(full.get(name), Partner, full)
                for name in columns
            ]
            rows.append((*row, uid, now, uid, now))
        names = [*columns, "create_uid", "create_date", "write_uid", "write_date"]
        query = "INSERT INTO res_partner ({}) VALUES %s RETURNING id".format(
            ", ".join(f'"{name}"' for name in names)
        )
        self.env.flush_all()
        ids = [row[0] for row in execute_values(self.env.cr._obj, query, rows, fetch=True)]
        for name in m2m:
            field = model_fields[name]
            pairs = [
                (partner_id, target)
                for partner_id, vals in zip(ids, vals_list, strict=True)
                for command in vals.get(name, [])
                for target in (command[2] if command[0] == 6 else [command[1]])
            ]
            if pairs:
                execute_values(
                    self.env.cr._obj,
                    f'INSERT INTO "{field.relation}" ("{field.column1}", "{field.column2}") '
                    "VALUES %s ON CONFLICT DO NOTHING",
                    pairs,
                )
        partners = Partner.browse(ids)
        for field in model_fields.values():
            # image sizes derive from an image a new prospect does not have
            if field.store and field.compute and not getattr(field, "attachment", False):
                self.env.add_to_compute(field, partners)
        partners.modified([*columns, *m2m], create=True)
        partners.flush_recordset()
        partners._validate_fields([*columns, *m2m])
        if len(ids) >= ANALYZE_ROWS:
            # fresh statistics, or the planner keeps treating the tables as empty
            tables = ["res_partner", *(model_fields[name].relation for name in m2m)]
            self.env.cr.execute(
                SQL("ANALYZE %s", SQL(", ").join(SQL.identifier(table) for table in tables))
            )
        return partners

    def _update(self, partner, company, values):
        last = partner.bce_last_values or {}
        changes, vals = [], {}
        for fname, new in values.items():
            current = self._current(partner, fname)
            hand_corrected = fname in last and current != last[fname]
            if not hand_corrected and current != new:
                vals[fname] = self._write_value(partner, fname, new)
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
            domain = [("is_bce_prospect", "=", True), ("active", "=", True)]
            domain += [("bce_number", "!=", False), ("bce_number", "not in", list(given))]
        else:
            domain = [("is_bce_prospect", "=", True), ("bce_number", "in", list(leaving))]
        for partner in self.Partner.search(domain):
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
        if value in (False, None, []):
            return escape(_("(empty)"))
        if field.type == "many2one":
            return escape(self.env[field.comodel_name].browse(value).display_name)
        if field.type == "many2many":
            return escape(
                ", ".join(self.env[field.comodel_name].browse(value).mapped("display_name"))
            )
        if field.type == "boolean":
            return escape(_("yes") if value else _("no"))
        return escape(str(value))

    def _post_messages(self):
        if self.messages:
            partners = self.Partner.browse(list(self.messages))
            partners._message_log_batch(bodies=self.messages)
