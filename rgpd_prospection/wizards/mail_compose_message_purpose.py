from odoo import models

from ..models.mailing_mailing import PURPOSE_FAILURE_TYPE


class MailComposeMessage(models.TransientModel):
    """A mass mailing cancels the recipients its purpose does not cover, as
    Odoo cancels blacklisted ones: the mail is created cancelled with its
    own failure type, and the mailing's trace follows it."""

    _inherit = "mail.compose.message"

    def _process_mail_values_state(self, mail_values_dict):
        mail_values_dict = super()._process_mail_values_state(mail_values_dict)
        if not self.mass_mailing_id or not self.model:
            return mail_values_dict
        pending = [
            res_id
            for res_id, mail_values in mail_values_dict.items()
            if mail_values.get("state") != "cancel"
        ]
        blocked = self.mass_mailing_id._rgpd_purpose_blocked_ids(self.model, pending)
        for res_id in blocked:
            mail_values_dict[res_id].update(
                state="cancel", failure_type=PURPOSE_FAILURE_TYPE, is_notification=False
            )
        return mail_values_dict
