import base64

from odoo import fields, models


class RgpdDncmLoadWizard(models.TransientModel):
    """Upload a Do Not Call Me list as the DNCM delivers it."""

    _name = "rgpd.dncm.load.wizard"
    _description = "Load a Do Not Call Me list"

    list_file = fields.Binary(string="List file", required=True)
    list_filename = fields.Char(string="File name")
    downloaded_on = fields.Date(
        string="Downloaded on",
        default=fields.Date.context_today,
        required=True,
        help="When the file was downloaded from the DNCM: the list's age counts from it when "
        "neither its name nor its content give its date.",
    )

    def action_load(self):
        self.ensure_one()
        load = self.env["rgpd.dncm.load"]._load_list(
            self.list_filename or "dncm.txt",
            base64.b64decode(self.list_file),
            self.downloaded_on,
            "upload",
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "rgpd.dncm.load",
            "res_id": load.id,
            "view_mode": "form",
            "target": "current",
        }
