from odoo import fields, models


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
