"""SMS to numbers that came from the BCE need a recorded consent, and none
goes to a company that objected to prospecting.

The SMS app reads recipients through ``_sms_get_recipients_info``, which it
defines on every model: a mass SMS cancels the message of a prospect without
consent as it does for an unusable number.
"""

from odoo import models

# why the SMS is cancelled, told apart from an unusable number
OPPOSITION_FAILURE_TYPE = "rgpd_opposition"
SMS_CONSENT_FAILURE_TYPE = "rgpd_sms_consent"
REFUSALS = [
    (OPPOSITION_FAILURE_TYPE, "Objected to prospecting"),
    (SMS_CONSENT_FAILURE_TYPE, "No consent to SMS prospecting"),
]


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
            if partner and partner.sudo().rgpd_opted_out:
                values.update(sanitized=False, rgpd_refusal=OPPOSITION_FAILURE_TYPE)
            elif partner and partner._rgpd_sms_needs_consent():
                values.update(sanitized=False, rgpd_refusal=SMS_CONSENT_FAILURE_TYPE)
        return info
