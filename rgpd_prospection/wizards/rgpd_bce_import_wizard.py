import base64
import tempfile
from pathlib import Path

from odoo import _, api, fields, models
from odoo.exceptions import UserError


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
        folder = self.env["rgpd.bce.import"]._folder()
        if not folder or not folder.is_dir():
            return []
        return [(path.name, path.name) for path in sorted(folder.glob("*.zip"))]

    def action_import(self):
        self.ensure_one()
        Import = self.env["rgpd.bce.import"]
        Import._check_manager()
        if self.source == "folder":
            if not self.folder_file:
                raise UserError(_("Choose a file of the extract folder."))
            record = Import.import_file(Import._folder() / self.folder_file)
        else:
            if not self.extract_file:
                raise UserError(_("Upload a BCE extract ZIP."))
            record = self._import_upload(Import)
        return {
            "type": "ir.actions.act_window",
            "res_model": "rgpd.bce.import",
            "res_id": record.id,
            "view_mode": "form",
            "target": "current",
        }

    def _import_upload(self, Import):
        """Put the upload where the extracts go (the folder, else a temporary
        one) under its own name, so the history names the file."""
        name = Path(self.extract_filename or "extract.zip").name
        folder = Import._folder()
        with tempfile.TemporaryDirectory(prefix="rgpd_bce_") as temporary:
            target = (folder if folder and folder.is_dir() else Path(temporary)) / name
            target.write_bytes(base64.b64decode(self.extract_file))
            return Import.import_file(target)
