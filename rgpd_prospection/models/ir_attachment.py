from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools import is_rgpd_manager


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
        return is_rgpd_manager(self.env)

    def _check_access(self, operation):
        """Every access (read, write, unlink) of a personal data file passes
        here, whatever the record it is attached to."""
        result = super()._check_access(operation)
        if not self or self._rgpd_may_read_files():
            return result
        self.flush_model(["rgpd_personal_data"])
        rows = self.env.execute_query(
            SQL(
                "SELECT id FROM ir_attachment WHERE id IN %s AND rgpd_personal_data",
                tuple(self.ids),
            )
        )
        if not rows:
            return result
        forbidden = self.browse([row[0] for row in rows])
        if result:
            forbidden |= result[0]
        return forbidden, self._rgpd_refusal

    def _rgpd_refusal(self):
        return AccessError(
            self.env._("Only a GDPR prospecting manager may open the personal data files.")
        )

    @api.model_create_multi
    def create(self, vals_list):
        personal = any(vals.get("rgpd_personal_data") for vals in vals_list)
        if personal and not self._rgpd_may_read_files():
            raise self._rgpd_refusal()
        return super().create(vals_list)

    def write(self, vals):
        if "rgpd_personal_data" in vals and not self._rgpd_may_read_files():
            raise self._rgpd_refusal()
        return super().write(vals)

    @api.model
    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        if not self._rgpd_may_read_files():
            domain = Domain("rgpd_personal_data", "=", False) & Domain(domain)
        return super()._search(domain, offset=offset, limit=limit, order=order, **kwargs)
