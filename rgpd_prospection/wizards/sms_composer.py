from odoo import models

from ..models.rgpd_contact_policy import POLICY_FAILURE_TYPE


class SmsComposer(models.TransientModel):
    """A mass SMS reaches only the recipients the contact policy allows for
    the mailing's purpose (none without a mailing: no purpose, no prospect);
    the others' SMS are created cancelled, their traces too."""

    _inherit = "sms.composer"

    def _prepare_mass_sms_values(self, records):
        result = super()._prepare_mass_sms_values(records)
        if self.composition_mode != "mass":
            return result
        pending = [res_id for res_id, values in result.items() if values["state"] == "outgoing"]
        refused = self.env["rgpd.contact.policy"].decide_records(
            records.browse(pending), "sms", self.mailing_id.rgpd_purpose_id
        )
        for res_id in pending:
            sms_values = result[res_id]
            if res_id not in refused:
                sms_values["rgpd_policy_number"] = sms_values.get("number")
                continue
            sms_values.update(state="canceled", failure_type=POLICY_FAILURE_TYPE)
            for command in sms_values.get("mailing_trace_ids") or []:
                command[2].update(trace_status="cancel", failure_type=POLICY_FAILURE_TYPE)
        return result
