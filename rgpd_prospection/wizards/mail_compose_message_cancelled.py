from odoo import models


class MailComposeMessage(models.TransientModel):
    """A mass mailing's mail created cancelled (duplicate address, opt-out,
    blacklist, purpose) never leaves: it stays out of the recipient's chatter,
    where a logged mailing reads as sent. Odoo does so for the blacklist only."""

    _inherit = "mail.compose.message"

    def _process_mail_values_state(self, mail_values_dict):
        mail_values_dict = super()._process_mail_values_state(mail_values_dict)
        if self.mass_mailing_id:
            for mail_values in mail_values_dict.values():
                if mail_values.get("state") == "cancel":
                    mail_values["is_notification"] = False
        return mail_values_dict
