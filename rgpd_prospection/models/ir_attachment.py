from odoo.fields import Domain
from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

MANAGER = "rgpd_prospection.group_rgpd_manager"


class IrAttachment(models.Model):
    """The access and portability files hold everything known about a company
    (its opposition, consents, contact history). Odoo lets whoever reads the
    record a file is attached to read the file: these ones are for managers
    only, wherever they are attached or posted."""

    _inherit = "ir.attachment"

    rgpd_personal_data = fields.Boolean(
        string="GDPR personal data file",
        readonly=True,
        copy=False,
        help="An access or portability file of the GDPR prospecting module: only GDPR "
        "prospecting managers may read it.",
    )

    def _rgpd_may_read_files(self):
        return self.env.su or self.env.user.has_group(MANAGER)

    @api.model
    def check(self, mode, values=None):
        if self and not self._rgpd_may_read_files():
            self.flush_model(["rgpd_personal_data"])
            rows = self.env.execute_query(
                SQL(
                    "SELECT 1 FROM ir_attachment WHERE id IN %s AND rgpd_personal_data LIMIT 1",
                    tuple(self.ids),
                )
            )
            if rows:
                raise AccessError(
                    self.env._("Only a GDPR prospecting manager may open the personal data files.")
                )
        if values and values.get("rgpd_personal_data") and not self._rgpd_may_read_files():
            raise AccessError(
                self.env._("Only a GDPR prospecting manager may open the personal data files.")
            )
        return super().check(mode, values=values)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        if not self._rgpd_may_read_files():
            domain = Domain("rgpd_personal_data", "=", False) & Domain(domain)
        return super()._search(domain, offset=offset, limit=limit, order=order, **kwargs)
