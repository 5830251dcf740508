"""Which extract comes next: the order of ExtractNumbers, the updates that
must wait, the files skipped or refused, and the start of an import."""

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import LazyTranslate, mute_logger
from psycopg2 import errors as pg_errors

from ...bce_engine import EmptyPerimeterError, read_meta
from ...tools import file_checksum
from .rgpd_bce_import import WORKING

_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)


class RgpdBceImport(models.Model):
    """The next extract to apply, and the start of its import."""

    _inherit = "rgpd.bce.import"

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
            return self._message(
                _lt(
                    "Update %(number)s cannot be applied: no full extract has been applied yet. "
                    "Put a full extract in the folder.",
                    number=meta.extract_number,
                )
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
            return self._message(
                _lt(
                    "Update %(number)s waits: update %(failed)s, which comes before it, "
                    "failed or was rejected (file %(file)s). A full extract is needed: put one "
                    "in the folder (or a good copy of update %(failed)s).",
                    number=meta.extract_number,
                    failed=last + 1,
                    file=broken.file_name,
                )
            )
        return self._message(
            _lt(
                "Update %(number)s does not follow the last applied extract %(last)s (%(expected)s "
                "expected). It waits for the missing updates; a newer full extract in the folder "
                "is used instead when there is one.",
                number=meta.extract_number,
                last=last,
                expected=last + 1,
            )
        )

    def _refuse_once(self, path, message, checksum=None):
        """Record a refusal, once per file and reason: the cron retries daily."""
        checksum = checksum or self._safe_checksum(path)
        domain = [("checksum", "=", checksum), ("state", "=", "refused")]
        if any(r.error_message == message["error_message"] for r in self.search(domain)):
            return self.browse()
        meta = self._safe_meta(path)
        return self.create(
            dict(
                self._meta_values(meta, path, checksum),
                state="refused",
                date_end=fields.Datetime.now(),
                **message,
            )
        )

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
                    **self._message(_lt("Already applied: the file was deleted.")),
                    date_end=fields.Datetime.now(),
                )
            )
        if last is not None and meta.extract_number <= last:
            path.unlink(missing_ok=True)
            return self.create(
                dict(
                    values,
                    state="skipped",
                    **self._message(
                        _lt(
                            "Older than the last applied extract %(last)s: its data are already "
                            "included, the file was deleted.",
                            last=last,
                        )
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
                self._message(
                    _lt(
                        "No perimeter is set: choose postal codes or NACE codes in the settings "
                        "before importing (1000-9999 means the whole country)."
                    )
                )
                if isinstance(error, EmptyPerimeterError)
                else self._message(
                    _lt("The perimeter in the settings is not valid: %(error)s", error=str(error))
                )
            )
            return self._refuse_once(path, message, checksum) or self.search(
                [("checksum", "=", checksum), ("state", "=", "refused")], limit=1
            )
        return self._open(
            dict(
                values, state="running", progress=5, progress_step=self.env._("Reading the extract")
            )
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
