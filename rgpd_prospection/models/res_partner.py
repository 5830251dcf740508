from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..tools import is_rgpd_manager

RGPD_ADDRESS_FIELDS = {
    "email",
    "phone",
    "rgpd_other_phone",
    "parent_id",
    "bce_number",
    "is_company",
}


class ResPartner(models.Model):
    """A contact as the module sees it. Each concern has its file, as in Odoo
    and the OCA: ``res_partner_enterprise_number``, ``_search``,
    ``_accountability``, ``_opposition``, ``_erasure``, ``_notice``,
    ``_privacy``, ``_prospecting``; here the number search, the writes that
    feed an opposition and the other phone."""

    _inherit = "res.partner"
    _rec_names_search = ["complete_name", "email", "ref", "vat", "company_registry", "bce_number"]
    rgpd_other_phone = fields.Char(
        string="Other phone",
        help="A second number of the contact (Odoo 18's mobile, kept by the upgrade): the "
        "blacklists, the Do Not Call Me check and the erasure cover it like the phone.",
    )

    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        """Any spelling of an enterprise number finds the company."""
        domain = self._normalize_bce_number_domain(domain, "bce_number")
        return super()._search(domain, offset=offset, limit=limit, order=order, **kwargs)

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create([self._with_normalized_bce_number(vals) for vals in vals_list])
        partners._rgpd_feed_opposition()
        return partners

    def write(self, vals):
        result = super().write(self._with_normalized_bce_number(vals))
        if RGPD_ADDRESS_FIELDS.intersection(vals):
            self._rgpd_feed_opposition()
        return result

    @api.model
    def _search_display_name(self, operator, value):
        """Let a many2one or the quick search find a company by its number,
        in any spelling."""
        domain = super()._search_display_name(operator, value)
        return self._normalize_bce_number_domain(domain, "bce_number")

    def _rgpd_check_manager(self, action):
        if not is_rgpd_manager(self.env):
            raise AccessError(
                self.env._("Only a GDPR prospecting manager may %(action)s.", action=action)
            )

    def _rgpd_open_wizard(self, model, name):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_ids": self.commercial_partner_id.ids,
                "rgpd_show_bce_number": True,
            },
        }
