from odoo import models
from odoo.tools import email_split

from ..models.mail_mail import TEST_DECIDED


class MailingMailingTest(models.TransientModel):
    """A test mail asks the contact policy for the addresses typed, with the
    mailing's purpose: a prospect's or an opposed company's address gets the
    answer its holder gets from the mailing. A test of a mailing whose
    purpose is not usable yet is refused too: the wizard can be called
    without the mailing's Test button."""

    _inherit = "mailing.mailing.test"

    def send_mail_test(self):
        mailing = self.mass_mailing_id
        mailing._rgpd_check_purpose()
        emails = [
            email for line in (self.email_to or "").splitlines() for email in email_split(line)
        ]
        partners = self.env["res.partner"]._rgpd_partners_by_email(emails)
        self.env["rgpd.contact.policy"].check(
            partners, "email", mailing.rgpd_purpose_id, require_purpose=True
        )
        return super(
            MailingMailingTest, self.with_context(rgpd_policy_decided=TEST_DECIDED)
        ).send_mail_test()
