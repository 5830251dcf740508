from odoo import api, models
from odoo.exceptions import UserError


class PrivacyLookupWizard(models.TransientModel):
    _inherit = "privacy.lookup.wizard"

    def _get_query_models_blacklist(self):
        """The prospecting blacklist holds oppositions, not data to erase."""
        return [*super()._get_query_models_blacklist(), "rgpd.blacklist"]


class PrivacyLookupWizardLine(models.TransientModel):
    _inherit = "privacy.lookup.wizard.line"

    def _rgpd_check_not_an_opt_out(self):
        """The privacy lookup deletes and archives as superuser: keep it from
        lifting a company's opposition through the address rows it feeds."""
        for line in self:
            if line.res_model not in ("mail.blacklist", "phone.blacklist", "rgpd.blacklist"):
                continue
            record = self.env[line.res_model].sudo().browse(line.res_id).exists()
            opposition = record if line.res_model == "rgpd.blacklist" else record.rgpd_blacklist_id
            if opposition.active:
                raise UserError(
                    self.env._(
                        "%(record)s carries the opposition of enterprise %(number)s to "
                        "prospecting: a manager lifts it from the prospecting blacklist, with a "
                        "reason.",
                        record=record.display_name,
                        number=opposition.bce_number_display,
                    )
                )

    def action_unlink(self):
        self._rgpd_check_not_an_opt_out()
        return super().action_unlink()

    @api.onchange("is_active")
    def _onchange_is_active(self):
        self.filtered(lambda line: not line.is_active)._rgpd_check_not_an_opt_out()
        return super()._onchange_is_active()
