from odoo import models


class MailingSmsTest(models.TransientModel):
    """The SMS side of the test refusal."""

    _inherit = "mailing.sms.test"

    def action_send_sms(self):
        self.mailing_id._rgpd_check_purpose()
        return super().action_send_sms()
