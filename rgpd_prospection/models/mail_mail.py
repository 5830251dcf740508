from odoo import api, fields, models
from odoo.tools import email_split


class MailMail(models.Model):
    _inherit = "mail.mail"

    failure_type = fields.Selection(
        selection_add=[("rgpd_purpose", "Not contactable for the mailing's purpose")]
    )

    @api.model_create_multi
    def create(self, vals_list):
        """Also refuse a mail queued directly (a template sent from code) to a
        company that objected; mass mailings are left to ``mail.blacklist``,
        which cancels them with a trace."""
        mails = super().create(vals_list)
        direct = mails.filtered(lambda mail: not mail.mailing_id and mail.state != "cancel")
        if direct:
            emails = [
                email
                for mail in direct
                for field in (mail.email_to, mail.email_cc)
                for email in email_split(field or "")
            ]
            partners = direct.recipient_ids | self.env["res.partner"]._rgpd_partners_by_email(
                emails
            )
            partners._rgpd_check_can_mail(emails)
        return mails
