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
    """A contact as the module sees it: one concern per mixin (enterprise
    number, search, accountability, opposition, erasure, notice); here only
    what overrides ``res.partner`` itself."""

    _name = "res.partner"
    _inherit = [
        "res.partner",
        "rgpd.enterprise.number.mixin",
        "rgpd.partner.search.mixin",
        "rgpd.accountability.mixin",
        "rgpd.opposition.mixin",
        "rgpd.erasure.mixin",
        "rgpd.notice.mixin",
    ]
    _rec_names_search = ["complete_name", "email", "ref", "vat", "company_registry", "bce_number"]
    # The index of the NACE search's own expression (``_search_bce_nace_ids``
    # tests ``string_to_array(bce_nace_codes, ' ') && tokens``): a GIN index of
    # the token arrays, so the overlap is not a scan of every company.
    rgpd_other_phone = fields.Char(
        string="Other phone",
        help="A second number of the contact (Odoo 18's mobile, kept by the upgrade): the "
        "blacklists, the Do Not Call Me check and the erasure cover it like the phone.",
    )
    _bce_nace_codes_tokens_index = models.Index("USING gin (string_to_array(bce_nace_codes, ' '))")

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
