"""What an import's figures count, one list each: the contacts it created,
updated and archived."""

from odoo import models

LISTS = {
    "created": "rgpd_bce_import_created_id",
    "updated": "rgpd_bce_import_updated_ids",
    "archived": "rgpd_bce_import_archived_ids",
}


class RgpdBceImport(models.Model):
    _inherit = "rgpd.bce.import"

    def action_open_created(self):
        return self._open_contacts("created", self.env._("Created by %(import)s"))

    def action_open_updated(self):
        return self._open_contacts("updated", self.env._("Updated by %(import)s"))

    def action_open_archived(self):
        return self._open_contacts("archived", self.env._("Archived by %(import)s"))

    def _open_contacts(self, kind, title):
        self.ensure_one()
        self._check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": title % {"import": self.display_name},
            "res_model": "res.partner",
            "view_mode": "list,form",
            "views": [(False, "list"), (False, "form")],
            "domain": [(LISTS[kind], "in", self.ids)],
            "context": {"active_test": False, "rgpd_show_bce_number": True},
        }
