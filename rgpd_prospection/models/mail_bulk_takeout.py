"""The mail's technical lists hold the prospects' addresses too (a message's
sender, a follower's e-mail): read over RPC across several prospect
companies at once, they are a bulk take-out like an export. The chatter and
the followers' widget read through their own store, one record at a time."""

from odoo import api, models


class RgpdListedAddressesMixin(models.AbstractModel):
    """Rows read in bulk are checked for the prospects' addresses they list."""

    _name = "rgpd.listed.addresses.mixin"
    _description = "Technical list that may hold prospects' addresses"

    def read(self, fields=None, load="_classic_read"):
        rows = super().read(fields=fields, load=load)
        self._rgpd_check_listed_addresses(rows)
        return rows

    @api.model
    def search_read(self, domain=None, fields=None, offset=0, limit=None, order=None, **kwargs):
        rows = super().search_read(domain, fields, offset, limit, order, **kwargs)
        self._rgpd_check_listed_addresses(rows)
        return rows


class MailMessage(models.Model):
    _name = "mail.message"
    _inherit = ["mail.message", "rgpd.listed.addresses.mixin"]


class MailFollowers(models.Model):
    _name = "mail.followers"
    _inherit = ["mail.followers", "rgpd.listed.addresses.mixin"]
