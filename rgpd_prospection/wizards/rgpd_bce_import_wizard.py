import base64
import os
import tempfile
from pathlib import Path

from odoo import api, fields, models
from odoo.exceptions import UserError

# What the history keeps of an import that failed or was refused in the wizard.
HISTORY_FIELDS = (
    "file_name",
    "file_path",
    "checksum",
    "extract_number",
    "extract_type",
    "snapshot_date",
    "state",
    "format_error",
    "error_message",
    "date_start",
    "date_end",
    "table_counts",
    "count_bce_archived",
)


class _ImportFailed(Exception):
    """Rolls back what a failed import did in the wizard's savepoint."""


class RgpdBceImportWizard(models.TransientModel):
    """Import one extract now: an uploaded ZIP (within Odoo's upload limit) or a
    file of the extract folder (a national full extract is larger)."""

    _name = "rgpd.bce.import.wizard"
    _description = "Import a BCE extract"

    source = fields.Selection(
        [("upload", "Upload a ZIP"), ("folder", "A file of the extract folder")],
        required=True,
        default="upload",
        help="Upload an extract, or pick one already in the extract folder of the settings.",
    )
    extract_file = fields.Binary(
        string="Extract (ZIP)",
        help="A BCE open-data extract as published, full or update; it is deleted once applied.",
    )
    extract_filename = fields.Char(string="File name", help="Name of the uploaded ZIP.")
    folder_file = fields.Selection(
        selection="_selection_folder_file",
        string="File",
        help="ZIP files waiting in the extract folder.",
    )

    @api.model
    def _selection_folder_file(self):
        folder = self.env["rgpd.bce.import"]._usable_folder()
        if not folder:
            return []
        return [(path.name, path.name) for path in sorted(folder.glob("*.zip"))]

    def action_import(self):
        """Apply the extract at once. A failed or refused one is recorded in
        the history and the manager told why, nothing else changed."""
        self.ensure_one()
        Import = self.env["rgpd.bce.import"]
        Import._check_manager()
        if self.source == "folder" and not self.folder_file:
            raise UserError(self.env._("Choose a file of the extract folder."))
        if self.source != "folder" and not self.extract_file:
            raise UserError(self.env._("Upload a BCE extract ZIP."))
        Import._check_nothing_under_way()
        known = Import.search([], order="id desc", limit=1).id or 0
        try:
            with self.env.cr.savepoint():
                if self.source == "folder":
                    record = Import.import_file(self.folder_file)
                else:
                    record = self._import_upload(Import)
                if record.state in ("failed", "refused"):
                    values = record.read(list(HISTORY_FIELDS), load=None)[0]
                    values.pop("id")
                    raise _ImportFailed(values, record.id > known)
        except _ImportFailed as failure:
            values, new = failure.args
            self._record_apart(values if new else None)
            raise UserError(
                self.env._(
                    "The extract was not applied: %(error)s\nThis is recorded in the import "
                    "history.",
                    error=values["error_message"],
                )
            ) from None
        self._forget_upload()
        return {
            "type": "ir.actions.act_window",
            "res_model": "rgpd.bce.import",
            "res_id": record.id,
            "view_mode": "form",
            "target": "current",
        }

    def _record_apart(self, values):
        """Commit the history record (``values``, if any) and forget the
        upload in a transaction of its own: the error the manager is shown
        next rolls back the request's."""
        with self.env.registry.cursor() as cr:
            env = self.env(cr=cr)
            if values:
                env["rgpd.bce.import"].sudo().with_context(**env.context).create(values)
            self.with_env(env).exists()._forget_upload()

    def _forget_upload(self):
        """An extract holds every enterprise's data, natural persons' too: once
        read, the upload is not kept as the wizard's attachment until the
        wizards are vacuumed (an erasure would not reach it there)."""
        self.filtered("extract_file").write({"extract_file": False})

    def _import_upload(self, Import):
        """Put the upload where the extracts go (the folder, else a temporary
        one) under its own name, so the history names the file; a file waiting
        in the folder under that name is never replaced."""
        name = Path(self.extract_filename or "extract.zip").name
        if not name.lower().endswith(".zip"):
            name += ".zip"
        folder = Import._usable_folder()
        data = base64.b64decode(self.extract_file)
        with tempfile.TemporaryDirectory(prefix="rgpd_bce_") as temporary:
            target = self._write_new_file(folder or Path(temporary), name, data)
            try:
                return Import._import_path(target)
            except UserError:
                # not started: the upload must not wait in the folder
                target.unlink(missing_ok=True)
                raise

    def _write_new_file(self, folder, name, data):
        """Write ``data`` under ``name``, or ``name (2)``… when it is taken."""
        stem, suffix = name[: -len(".zip")], name[-len(".zip") :]
        for count in range(1, 1000):
            target = folder / (name if count == 1 else f"{stem} ({count}){suffix}")
            try:
                descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
            except FileExistsError:
                continue
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(data)
            return target
        raise UserError(
            self.env._("Too many files named %(name)s wait in the extract folder.", name=name)
        )
