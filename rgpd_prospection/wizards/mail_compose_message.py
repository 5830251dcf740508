from odoo import api, fields, models
from odoo.exceptions import UserError


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    rgpd_answer_request = fields.Boolean(
        string="Answer to the company's GDPR request",
        help="Tick to send this mail to a company that objected to prospecting: allowed to "
        "GDPR managers only, to answer the company's own request.",
    )
    rgpd_asks_purpose = fields.Boolean(
        string="Asks the purpose",
        compute="_compute_rgpd_asks_purpose",
        help="BCE prospects are among the recipients of this message: it states its purpose.",
    )

    @api.depends(
        "composition_mode",
        "model",
        "res_ids",
        "res_domain",
        "partner_ids",
        "subtype_id",
        "template_id",
        "rgpd_answer_request",
    )
    def _compute_rgpd_asks_purpose(self):
        policy = self.env["rgpd.contact.policy"]
        for wizard in self:
            wizard.rgpd_asks_purpose = bool(
                wizard.composition_mode == "comment"
                and wizard._rgpd_purpose_applies()
                and policy._governed(wizard._rgpd_notified())
            )

    def _action_send_mail(self, auto_commit=False):
        prospecting = False
        for wizard in self:
            template = wizard.template_id
            partners = wizard._rgpd_recipients()
            if wizard.rgpd_answer_request:
                wizard._rgpd_check_answer(template)
            self.env["mail.template"]._rgpd_check_before_send(template, partners)
            wizard._rgpd_check_purpose(wizard._rgpd_notified())
            prospecting = prospecting or template._rgpd_is_prospecting()
        if prospecting:
            self = self.with_context(rgpd_prospecting=True)
        elif any(self.mapped("rgpd_answer_request")):
            self = self.with_context(rgpd_answer_request=True)
        result = super()._action_send_mail(auto_commit=auto_commit)
        self._rgpd_record_notice_sent()
        return result

    def _rgpd_purpose_applies(self):
        """A message that states a purpose: not a manager's answer to the
        company's own request, nor one of the module's templates (the
        information notice and the acknowledgement of an opposition, decided
        on their own channels)."""
        return not (self.rgpd_answer_request or self.template_id._rgpd_template_check()[0])

    def _rgpd_check_purpose(self, partners):
        """Posted to one record or several, the mail asks the policy for its
        purpose: no purpose, no prospect. A mass mail is decided per
        recipient as its mails are made (``mail_compose_message_purpose.py``)."""
        if self.composition_mode != "comment" or not self._rgpd_purpose_applies():
            return
        policy = self.env["rgpd.contact.policy"]
        decisions = policy.decide(partners, "email", self._rgpd_purpose(), require_purpose=True)
        missing = partners.filtered(lambda p: decisions[p.id].fact == "purpose_missing")
        if missing:
            raise UserError(
                self.env._(
                    "%(prospects)s: BCE prospects are among the recipients, and a message reaches "
                    "a prospect only for a purpose. Choose the prospecting purpose this message "
                    "is sent for, or remove them from the recipients.",
                    prospects=", ".join(missing.sudo().mapped("display_name")),
                )
            )
        policy.check(partners, "email", self._rgpd_purpose(), require_purpose=True)

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

    def _rgpd_notified(self):
        """Who the message reaches, for its purpose: the recipients added by
        hand, and for a message (not a note) the records when they are
        contacts and the records' followers."""
        self.ensure_one()
        if self.subtype_is_log or not self.model or self.model not in self.env:
            return self.partner_ids
        records = self.env[self.model].sudo().browse(self._evaluate_res_ids()).exists()
        followers = (
            records.message_partner_ids if "message_partner_ids" in records._fields else None
        )
        return self._rgpd_recipients() | (followers or self.env["res.partner"])

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
