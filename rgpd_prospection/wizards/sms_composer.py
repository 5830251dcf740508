from odoo import models

from ..models.mailing_mailing import PURPOSE_FAILURE_TYPE


class SmsComposer(models.TransientModel):
    """The SMS side of a mailing's purpose: the SMS of a recipient the
    purpose does not cover is created cancelled, its trace too."""

    _inherit = "sms.composer"

    def _prepare_mass_sms_values(self, records):
        result = super()._prepare_mass_sms_values(records)
        if self.composition_mode != "mass" or not self.mailing_id:
            return result
        pending = [res_id for res_id, values in result.items() if values["state"] == "outgoing"]
        blocked = self.mailing_id._rgpd_purpose_blocked_ids(records._name, pending)
        for res_id in blocked:
            sms_values = result[res_id]
            sms_values.update(state="canceled", failure_type=PURPOSE_FAILURE_TYPE)
            for command in sms_values.get("mailing_trace_ids") or []:
                command[2].update(trace_status="cancel", failure_type=PURPOSE_FAILURE_TYPE)
        return result
