from odoo import api, fields, models


class MailBlacklist(models.Model):
    _inherit = "mail.blacklist"

    rgpd_blacklist_id = fields.Many2one(
        "rgpd.blacklist",
        string="Prospecting opposition",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        help="The enterprise opposition that put this address here; lifting it removes the "
        "address again.",
    )

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

    def write(self, vals):
        self.env["rgpd.blacklist"]._check_feed_rows_change(self, vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_opposition(self):
        self.env["rgpd.blacklist"]._check_feed_rows_change(self)

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        self.env["rgpd.blacklist"]._check_feed_rows_takeout(
            self, {path[0] for path in fields if path}, "email"
        )
        return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)

    def web_read(self, specification):
        if self.env.context.get("rgpd_bulk_takeout"):
            self.env["rgpd.blacklist"]._check_feed_rows_takeout(self, specification, "email")
        return super().web_read(specification)
