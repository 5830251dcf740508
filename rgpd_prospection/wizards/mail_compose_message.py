from odoo import fields, models
from odoo.exceptions import UserError


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    rgpd_answer_request = fields.Boolean(
        string="Answer to the company's GDPR request",
        help="Tick to send this mail to a company that objected to prospecting: allowed to "
        "GDPR managers only, to answer the company's own request.",
    )

    def _action_send_mail(self, auto_commit=False):
        prospecting = False
        for wizard in self:
            template = wizard.template_id
            partners = wizard._rgpd_recipients()
            if wizard.rgpd_answer_request:
                wizard._rgpd_check_answer(template)
            self.env["mail.template"]._rgpd_check_before_send(template, partners)
            wizard._rgpd_check_purpose(partners)
            prospecting = prospecting or template._rgpd_is_prospecting()
        if prospecting:
            self = self.with_context(rgpd_prospecting=True)
        elif any(self.mapped("rgpd_answer_request")):
            self = self.with_context(rgpd_answer_request=True)
        result = super()._action_send_mail(auto_commit=auto_commit)
        self._rgpd_record_notice_sent()
        return result

    def _rgpd_check_purpose(self, partners):
        """Posted to several records, the mail asks the policy for its purpose
        (no purpose, no prospect); written to one record for a purpose, for
        that purpose. A mass mail is decided per recipient as its mails are
        made (``mail_compose_message_purpose.py``)."""
        if self.composition_mode != "comment" or self.rgpd_answer_request:
            return
        if self.composition_batch:
            self.env["rgpd.contact.policy"].check(
                partners, "email", self._rgpd_purpose(), require_purpose=True
            )
        elif self.rgpd_purpose_id:
            self.env["rgpd.contact.policy"].check(partners, "email", self.rgpd_purpose_id)

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

    def _rgpd_recipients(self):
        """The contacts the composer writes to: the records when they are
        contacts, and the recipients added by hand."""
        self.ensure_one()
        partners = self.partner_ids
        if self.model == "res.partner":
            if self.res_domain:
                partners |= self.env["res.partner"].search(self._evaluate_res_domain())
            else:
                partners |= self.env["res.partner"].browse(self._evaluate_res_ids())
        return partners

    def _rgpd_check_answer(self, template):
        """The answer to a company's own request is one mail, written to it:
        not a mass mailing, not the prospecting notice."""
        if (
            self.composition_mode != "comment"
            or len(self._evaluate_res_ids()) > 1
            or template._rgpd_is_prospecting()
        ):
            raise UserError(
                self.env._(
                    "An answer to a company's GDPR request is one mail written to that company; "
                    "it cannot be a mass mailing or a prospecting message."
                )
            )
