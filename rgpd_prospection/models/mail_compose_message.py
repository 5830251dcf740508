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
        result = super()._action_send_mail(auto_commit=auto_commit)
        self._rgpd_record_notice_sent()
        return result

    def _rgpd_record_notice_sent(self):
        """The information notice counts as sent when the composer sends it,
        not when it opens: date it on the companies it went to."""
        notice = self.env.ref("rgpd_prospection.rgpd_notice_mail_template", False)
        for composer in self.filtered(lambda c: notice and c.template_id == notice):
            if composer.model != "res.partner":
                continue
            partners = self.env["res.partner"].browse(composer._evaluate_res_ids())
            (partners | partners.commercial_partner_id).sudo().write(
                {"rgpd_notice_date": fields.Date.context_today(self)}
            )
