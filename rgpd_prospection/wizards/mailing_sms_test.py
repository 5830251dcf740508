from odoo import models


class MailingSmsTest(models.TransientModel):
    """The SMS test asks the contact policy for the numbers typed, with the
    mailing's purpose, before it hands them to the SMS provider: it sends
    them itself, past ``sms.sms._send``."""

    _inherit = "mailing.sms.test"

    def action_send_sms(self):
        mailing = self.mailing_id
        mailing._rgpd_check_purpose()
        numbers = [
            self.env.user._phone_format(number=number.strip())
            for number in (self.numbers or "").splitlines()
        ]
        policy = self.env["rgpd.contact.policy"]
        policy.check(
            policy._partners_by_numbers(numbers),
            "sms",
            mailing.rgpd_purpose_id,
            require_purpose=True,
        )
        return super().action_send_sms()
