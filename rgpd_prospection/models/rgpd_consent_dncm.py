from odoo import models
from odoo.exceptions import UserError


class RgpdConsent(models.Model):
    """A consent may lift the Do Not Call Me check for its giver's numbers:
    who gave it never changes afterwards, so that a consent recorded for one
    holder cannot be moved onto another's listed number."""

    _inherit = "rgpd.consent"

    def write(self, vals):
        if "partner_id" in vals and any(c.partner_id.id != vals["partner_id"] for c in self):
            raise UserError(
                self.env._("Who gave a consent cannot be changed: record a new consent instead.")
            )
        return super().write(vals)
