from odoo import api, models


class MailBlacklist(models.Model):
    _name = "mail.blacklist"
    _inherit = ["mail.blacklist", "rgpd.blacklist.feed.mixin"]
    _rgpd_address_field = "email"

    @api.model
    def _add(self, email, message=None):
        """On Odoo's mailing pages, "unsubscribe from everything" means the
        company objects to prospecting (the controller marks the request)."""
        record = super()._add(email, message=message)
        if self.env.context.get("rgpd_mailing_page"):
            self.env["rgpd.blacklist"].with_context(rgpd_mailing_page=False)._add_from_unsubscribe(
                email
            )
        return record

    @api.model
    def _remove(self, email, message=None):
        """Subscribing again on Odoo's mailing page is the recipient's choice
        and lifts the company's opposition."""
        record = super()._remove(email, message=message)
        if self.env.context.get("rgpd_mailing_page"):
            self.env["rgpd.blacklist"].with_context(
                rgpd_mailing_page=False
            )._remove_from_resubscribe(email)
        return record
