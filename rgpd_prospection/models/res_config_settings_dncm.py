from odoo import api, fields, models

from ..bce_engine.dncm import DATE_FIRST, NUMBER_FIRST
from .rgpd_dncm_load import PARAM


class ResConfigSettings(models.TransientModel):
    """Where the Do Not Call Me list arrives and how its file is laid out, so
    that a licensee matches the real file without a code change."""

    _inherit = "res.config.settings"

    rgpd_dncm_folder = fields.Char(
        string="DNCM list folder",
        config_parameter=PARAM + "folder",
        help="Folder on the Odoo server where the DNCM list arrives (e.g. the daily SFTP "
        "delivery); the scheduled action loads its newest file.",
    )
    rgpd_dncm_separator = fields.Selection(
        [(";", "Semicolon (;)"), (",", "Comma (,)"), ("tab", "Tab"), ("|", "Vertical bar (|)")],
        string="DNCM separator",
        config_parameter=PARAM + "separator",
        default=";",
        help="What separates a number from its registration date on a line of the file.",
    )
    rgpd_dncm_column_order = fields.Selection(
        [(NUMBER_FIRST, "Number, then date"), (DATE_FIRST, "Date, then number")],
        string="DNCM column order",
        config_parameter=PARAM + "column_order",
        default=NUMBER_FIRST,
    )
    rgpd_dncm_licence = fields.Char(
        string="DNCM licence",
        config_parameter=PARAM + "licence",
        help="Reference of your licence to the Do Not Call Me list, bought from the DNCM "
        "(dncm.be): calling prospects requires it. The module never contacts the DNCM itself.",
    )
    rgpd_dncm_banner = fields.Char(
        string="Do Not Call Me list", compute="_compute_rgpd_dncm_banner"
    )

    @api.depends("company_id")
    def _compute_rgpd_dncm_banner(self):
        for settings in self:
            settings.rgpd_dncm_banner = self.env["rgpd.dncm.load"].sudo()._stale_banner()
