from odoo import fields, models


class RgpdBlacklistLiftWizard(models.TransientModel):
    """Lifting an opposition needs a documented reason (e.g. a new consent)
    and a manager: the withdrawal is logged on the entry."""

    _name = "rgpd.blacklist.lift.wizard"
    _description = "Lift an opposition to prospecting"

    blacklist_ids = fields.Many2many("rgpd.blacklist", string="Blacklist entries", required=True)
    reason = fields.Text(
        required=True,
        help="Why the company may be prospected again, e.g. the new consent it gave and where "
        "it is documented.",
    )

    def action_confirm(self):
        self.ensure_one()
        self.blacklist_ids.check_access("write")
        self.env["rgpd.blacklist"]._remove(self.blacklist_ids.mapped("bce_number"), self.reason)
        return {"type": "ir.actions.act_window_close"}
