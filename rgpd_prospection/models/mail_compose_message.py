from odoo import fields, models


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    rgpd_answer_request = fields.Boolean(
        string="Answer to the company's GDPR request",
        help="Tick to send this mail to a company that objected to prospecting: allowed to "
        "GDPR managers only, to answer the company's own request.",
    )

    def _action_send_mail(self, auto_commit=False):
        if any(self.mapped("rgpd_answer_request")):
            self = self.with_context(rgpd_answer_request=True)
        return super()._action_send_mail(auto_commit=auto_commit)
