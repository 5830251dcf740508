"""The SMS app reads recipients through ``_sms_get_recipients_info``, which it
defines on every model: a mass SMS cancels the message of a recipient the
contact policy refuses as it does for an unusable number."""

from odoo import models

from .rgpd_contact_policy import POLICY_FAILURE_TYPE

# why the SMS is cancelled, told apart from an unusable number
OPPOSITION_FAILURE_TYPE = "rgpd_opposition"
SMS_CONSENT_FAILURE_TYPE = "rgpd_sms_consent"
REFUSALS = [
    (OPPOSITION_FAILURE_TYPE, "Objected to prospecting"),
    (SMS_CONSENT_FAILURE_TYPE, "No consent to SMS prospecting"),
]
FACT_REFUSALS = {
    "opposition": OPPOSITION_FAILURE_TYPE,
    "consent_missing": SMS_CONSENT_FAILURE_TYPE,
    "consent_withdrawn": SMS_CONSENT_FAILURE_TYPE,
}


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
            decision = partner and decisions[partner.id]
            if decision and not decision.allowed:
                # the real reason, not "wrong number format"
                refusal = FACT_REFUSALS.get(decision.fact, POLICY_FAILURE_TYPE)
                info[record_id].update(
                    sanitized=False, rgpd_refusal=refusal, rgpd_refusal_reason=decision.reason
                )
        return info
