from odoo import models
from odoo.tools import format_date


class RgpdProcessingRecord(models.TransientModel):  # pylint: disable=no-wizard-in-models
    _inherit = "rgpd.processing.record"

    def _sections(self):
        """The record names the Do Not Call Me check that calls obey."""
        load = self.env["rgpd.dncm.load"].sudo()._current()
        line = self.env._(
            "Prospecting calls are checked against the Belgian Do Not Call Me list (Code of "
            "Economic Law, art. VI.110-115), loaded under the licensee's licence; list in force: "
            "%(list)s.",
            list=f"{load.file_name} ({format_date(self.env, load.list_date)})"
            if load
            else self.env._("none"),
        )
        return [*super()._sections(), (self.env._("Do Not Call Me check"), [line])]
