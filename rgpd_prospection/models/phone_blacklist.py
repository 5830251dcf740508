from odoo import fields, models


class PhoneBlacklist(models.Model):
    _name = "phone.blacklist"
    _inherit = ["phone.blacklist", "rgpd.blacklist.feed.mixin"]
    _rgpd_address_field = "number"

    rgpd_blacklist_id = fields.Many2one(
        "rgpd.blacklist",
        string="Prospecting opposition",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        help="The enterprise opposition that put this number here; lifting it removes the "
        "number again.",
    )
