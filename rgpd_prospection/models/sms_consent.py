"""SMS to numbers that came from the BCE need a recorded consent.

Both methods overridden here belong to the SMS app (``sms``), which Odoo
installs by itself next to ``phone_validation``; the module does not depend on
it, so they are simply never called without it. Mass SMS cancel the message of
a prospect without consent (unusable number); an SMS written on one record is
refused with an explanation.
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
            if partner and partner._rgpd_sms_needs_consent():
                values["sanitized"] = False
        return info


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _message_sms(self, body, subtype_id=False, partner_ids=False, **kwargs):
        recipients = self.env["res.partner"].browse(partner_ids or [])
        if self._name == "res.partner":
            recipients |= self
        recipients._rgpd_check_sms_consent()
        return super()._message_sms(body, subtype_id=subtype_id, partner_ids=partner_ids, **kwargs)
