from odoo import models


class PhoneBlacklist(models.Model):
    _name = "phone.blacklist"
    _inherit = ["phone.blacklist", "rgpd.blacklist.feed.mixin"]
    _rgpd_address_field = "number"
