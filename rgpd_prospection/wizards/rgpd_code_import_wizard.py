import base64

from odoo import fields, models
from odoo.exceptions import UserError

from ..bce_engine.codes import read_code_table
from ..bce_engine.errors import BceFormatError


class RgpdCodeImportWizard(models.TransientModel):
    """Load the labels of a BCE ``code.csv`` without importing a whole extract,
    e.g. right after installation."""

    _name = "rgpd.code.import.wizard"
    _description = "Load a BCE code table"

    code_file = fields.Binary(
        string="Code table (code.csv)",
        required=True,
        help="The code.csv file of a BCE open-data extract (full or update).",
    )
    code_filename = fields.Char(string="File name", help="Name of the uploaded file.")

    def action_load(self):
        self.ensure_one()
        file_name = self.code_filename or "code.csv"
        try:
            table = read_code_table(base64.b64decode(self.code_file), file=file_name)
        except BceFormatError as error:
            raise UserError(
                self.env._("The code table cannot be read: %(error)s", error=str(error))
            ) from None
        counts = self.env["rgpd.code.table"]._load_code_table(table)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Code table loaded"),
                "message": self.env._(
                    "NACE codes: %(nace_created)s created, %(nace_updated)s updated. "
                    "Juridical forms: %(forms_created)s created, %(forms_updated)s updated.",
                    nace_created=counts["rgpd.nace"]["created"],
                    nace_updated=counts["rgpd.nace"]["updated"],
                    forms_created=counts["rgpd.juridical.form"]["created"],
                    forms_updated=counts["rgpd.juridical.form"]["updated"],
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
