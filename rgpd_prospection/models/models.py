"""The SMS app reads recipients through ``_sms_get_recipients_info``, which it
defines on every model: a mass SMS cancels the message of a recipient the
contact policy refuses as it does for an unusable number."""

from odoo import models


class Base(models.AbstractModel):
    _inherit = "base"

    def _sms_get_recipients_info(self, force_field=False, partner_fallback=True):
        info = super()._sms_get_recipients_info(
            force_field=force_field, partner_fallback=partner_fallback
        )
        partners = {
            record.id: record if record._name == "res.partner" else values["partner"]
            for record in self
            for values in [info.get(record.id)]
            if values
        }
        Partner = self.env["res.partner"]
        reached = Partner.union(*[p for p in partners.values() if p]) if partners else Partner
        policy = self.env["rgpd.contact.policy"]
        decisions = policy.decide(reached, "answer" if policy.is_answer() else "sms")
        for record_id, partner in partners.items():
            if partner and not decisions[partner.id].allowed:
                info[record_id]["sanitized"] = False
        return info
