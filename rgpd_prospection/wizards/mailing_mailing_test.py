from odoo import models


class MailingMailingTest(models.TransientModel):
    """A test mail of a mailing whose purpose is not usable yet is refused
    too: the wizard can be called without the mailing's Test button."""

    _inherit = "mailing.mailing.test"

    def send_mail_test(self):
        self.mass_mailing_id._rgpd_check_purpose()
        return super().send_mail_test()
