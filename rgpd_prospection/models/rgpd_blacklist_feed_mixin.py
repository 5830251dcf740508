from odoo import api, fields, models


class RgpdBlacklistFeedMixin(models.AbstractModel):
    """The rows an opposition adds to Odoo's e-mail and phone blacklists: they
    stay while the opposition does, and leave in bulk with managers only.
    ``_rgpd_address_field`` names the column holding the address."""

    _name = "rgpd.blacklist.feed.mixin"
    _description = "Row of an Odoo blacklist fed by a prospecting opposition"
    _rgpd_address_field = None

    rgpd_blacklist_id = fields.Many2one(
        "rgpd.blacklist",
        string="Prospecting opposition",
        index="btree_not_null",
        ondelete="set null",
        readonly=True,
        help="The enterprise opposition that put this row here; lifting it removes the row again.",
    )

    def write(self, vals):
        self.env["rgpd.blacklist"]._check_feed_rows_change(self, vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_opposition(self):
        self.env["rgpd.blacklist"]._check_feed_rows_change(self)

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        self.env["rgpd.blacklist"]._check_feed_rows_takeout(
            self, {path[0] for path in fields if path}, self._rgpd_address_field
        )
        return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)

    def web_read(self, specification):
        if self.env.context.get("rgpd_bulk_takeout"):
            self.env["rgpd.blacklist"]._check_feed_rows_takeout(
                self, specification, self._rgpd_address_field
            )
        return super().web_read(specification)
