"""The extract folder and its files: the names a manager may pick, the files
that cannot be read (set aside), and their deletion after some days, since they
hold natural persons' data."""

import logging
import os
import zipfile
import zlib
from datetime import timedelta
from pathlib import Path

from odoo import api, fields, models
from odoo.exceptions import UserError

from ...bce_engine import BceFormatError, read_meta
from ...tools import file_checksum

_logger = logging.getLogger(__name__)

DEFAULT_SET_ASIDE_DAYS = 7
SET_ASIDE_BOUNDS = (1, 365)


class RgpdBceImport(models.Model):
    """The extract folder, and the files set aside."""

    _inherit = "rgpd.bce.import"

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

    @api.model
    def _set_aside_days(self):
        return self._number_setting(
            "set_aside_days",
            self.env._("Delete failed files after (days)"),
            DEFAULT_SET_ASIDE_DAYS,
            *SET_ASIDE_BOUNDS,
        )

    @api.model
    def _remove_old_set_aside_files(self):
        """Files that failed or were refused hold natural persons' data: they
        are deleted from the extract folder after the days of the settings."""
        folder = self._usable_folder()
        if not folder:
            return
        try:
            days = self._set_aside_days()
        except ValueError as error:  # BceSettingsError: nothing deleted on a guess, the
            # settings show why
            _logger.warning("BCE import: failed files kept, %s", error)
            return
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
