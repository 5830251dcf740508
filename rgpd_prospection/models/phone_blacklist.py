from odoo import api, fields, models


class PhoneBlacklist(models.Model):
    _inherit = "phone.blacklist"

    rgpd_blacklist_id = fields.Many2one(
        "rgpd.blacklist",
        string="Prospecting opposition",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        help="The enterprise opposition that put this number here; lifting it removes the "
        "number again.",
    )

    def write(self, vals):
        self.env["rgpd.blacklist"]._check_feed_rows_change(self, vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_opposition(self):
        self.env["rgpd.blacklist"]._check_feed_rows_change(self)
