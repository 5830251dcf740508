from odoo import fields, models

from ..models.mail_mail import DECIDED
from ..models.rgpd_contact_policy import POLICY_FAILURE_TYPE


class MailComposeMessage(models.TransientModel):
    """A mass mail, with or without a mailing, reaches only the recipients
    the contact policy allows for its purpose: the others' mails are created
    cancelled with the policy's failure type (and the mailing's trace follows
    it), the allowed ones carry the decision to the transport. Without a
    mailing the composer asks for the purpose: no purpose, no prospect."""

    _inherit = "mail.compose.message"

    rgpd_purpose_id = fields.Many2one(
        "rgpd.purpose",
        string="Prospecting purpose",
        help="Why this mail is sent; a mail to several records reaches no BCE prospect without "
        "a purpose, and only those that may be contacted for it.",
    )

    def _rgpd_purpose(self):
        return self.mass_mailing_id.rgpd_purpose_id or self.rgpd_purpose_id

    def _process_mail_values_state(self, mail_values_dict):
        mail_values_dict = super()._process_mail_values_state(mail_values_dict)
        if not self.model:
            return mail_values_dict
        pending = [
            res_id
            for res_id, mail_values in mail_values_dict.items()
            if mail_values.get("state") != "cancel"
        ]
        records = self.env[self.model].sudo().with_context(active_test=False).browse(pending)
        refused = self.env["rgpd.contact.policy"].decide_records(
            records, "email", self._rgpd_purpose()
        )
        for res_id in pending:
            if res_id in refused:
                mail_values_dict[res_id].update(
                    state="cancel",
                    failure_type=POLICY_FAILURE_TYPE,
                    failure_reason=refused[res_id].reason,
                    is_notification=False,
                )
            else:
                mail_values_dict[res_id]["rgpd_policy_emails"] = DECIDED
        return mail_values_dict

    def _prepare_mail_values_mailing_traces(self, mail_values_all):
        """The trace of a refused recipient says why, in the policy's words."""
        traces = super()._prepare_mail_values_mailing_traces(mail_values_all)
        for res_id, trace_values in traces.items():
            mail_values = mail_values_all[res_id]
            if trace_values and mail_values.get("failure_type") == POLICY_FAILURE_TYPE:
                trace_values["failure_reason"] = mail_values.get("failure_reason")
        return traces
