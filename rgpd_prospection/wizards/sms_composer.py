from odoo import fields, models

from ..models.rgpd_contact_policy import POLICY_FAILURE_TYPE


class SmsComposer(models.TransientModel):
    """A mass SMS reaches only the recipients the contact policy allows for
    its purpose (the mailing's, else the one chosen in the composer: no
    purpose, no prospect); the others' SMS are created cancelled, their
    traces too, saying why."""

    _inherit = "sms.composer"

    rgpd_purpose_id = fields.Many2one(
        "rgpd.purpose",
        string="Prospecting purpose",
        help="Why these SMS are sent; SMS to several records reach no BCE prospect without a "
        "purpose, and only those that may be contacted for it.",
    )

    def _action_send_sms_numbers(self):
        """Numbers typed by hand (or a record that is no thread) ask the
        policy for the contacts that hold them: an opposed company's number
        typed again is refused as the company is."""
        numbers = (
            self.sanitized_numbers.split(",")
            if self.sanitized_numbers
            else [self.recipient_single_number_itf or self.recipient_single_number or ""]
        )
        policy = self.env["rgpd.contact.policy"]
        partners = policy._partners_by_numbers(numbers)
        policy.check(partners, "answer" if policy.is_answer() else "sms")
        return super(
            SmsComposer, self.with_context(rgpd_policy_numbers=True)
        )._action_send_sms_numbers()

    def _action_send_sms_comment_single(self, records=None):
        """The number corrected in the dialog is asked before Odoo writes it
        on the record: a refusal leaves the record as it was."""
        number = self.recipient_single_number_itf or self.recipient_single_number
        records = records if records is not None else self._get_records()
        policy = self.env["rgpd.contact.policy"]
        partners = policy._partners_by_numbers([records._phone_format(number=number) or number])
        if records._name == "res.partner":
            partners |= records
        policy.check(partners, "answer" if policy.is_answer() else "sms")
        return super()._action_send_sms_comment_single(records=records)

    def _prepare_mass_sms_values(self, records):
        result = super()._prepare_mass_sms_values(records)
        if self.composition_mode != "mass":
            return result
        pending = [res_id for res_id, values in result.items() if values["state"] == "outgoing"]
        refused = self.env["rgpd.contact.policy"].decide_records(
            records.browse(pending), "sms", self.mailing_id.rgpd_purpose_id or self.rgpd_purpose_id
        )
        for res_id in pending:
            sms_values = result[res_id]
            if res_id not in refused:
                sms_values["rgpd_policy_number"] = sms_values.get("number")
                continue
            sms_values.update(state="canceled", failure_type=POLICY_FAILURE_TYPE)
            for command in sms_values.get("mailing_trace_ids") or []:
                command[2].update(
                    trace_status="cancel",
                    failure_type=POLICY_FAILURE_TYPE,
                    failure_reason=refused[res_id].reason,
                )
        return result
