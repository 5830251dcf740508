"""SMS to numbers that came from the BCE need a recorded consent, and none
goes to a company that objected to prospecting.

The SMS app reads recipients through ``_sms_get_recipients_info``, which it
defines on every model: a mass SMS cancels the message of a prospect without
consent as it does for an unusable number.
"""

from odoo import models


class Base(models.AbstractModel):
    _inherit = "base"

    def _sms_get_recipients_info(self, force_field=False, partner_fallback=True):
        info = super()._sms_get_recipients_info(
            force_field=force_field, partner_fallback=partner_fallback
        )
        for record in self:
            values = info.get(record.id)
            if not values:
                continue
            partner = record if record._name == "res.partner" else values["partner"]
            if partner and (partner._rgpd_sms_needs_consent() or partner.sudo().rgpd_opted_out):
                values["sanitized"] = False
        return info
