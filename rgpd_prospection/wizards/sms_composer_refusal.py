from odoo import models


class SmsComposer(models.TransientModel):
    """An SMS the module refuses (no consent, an opposition) is cancelled
    for that reason, not as a wrong number format; its trace says why."""

    _inherit = "sms.composer"

    def _prepare_mass_sms_values(self, records):
        result = super()._prepare_mass_sms_values(records)
        recipients = self._prepare_recipient_values(records)
        for res_id, sms_values in result.items():
            refusal = recipients.get(res_id, {}).get("rgpd_refusal")
            reason = recipients.get(res_id, {}).get("rgpd_refusal_reason")
            if not refusal or sms_values.get("failure_type") not in (
                "sms_number_format",
                "sms_number_missing",
            ):
                continue
            sms_values["failure_type"] = refusal
            for command in sms_values.get("mailing_trace_ids") or []:
                command[2].update(failure_type=refusal, failure_reason=reason)
        return result
