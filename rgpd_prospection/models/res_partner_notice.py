from odoo import fields, models
from odoo.tools import consteq
from odoo.tools.misc import hmac


class ResPartner(models.Model):
    """The information notice (GDPR art. 14) sent to a prospect: its values
    (retention period, privacy contact) and its unsubscribe link, with which
    the company objects to prospecting."""

    _inherit = "res.partner"

    rgpd_notice_date = fields.Date(
        string="Information notice sent",
        copy=False,
        tracking=True,
        help="When the information notice (GDPR art. 14) was last sent to the company.",
    )
    rgpd_retention_months = fields.Integer(
        string="Retention period (months)",
        compute="_compute_rgpd_notice_values",
        help="The retention period of the settings, for the information notice.",
    )
    rgpd_privacy_contact = fields.Char(
        string="Privacy contact",
        compute="_compute_rgpd_notice_values",
        help="Where the data subject exercises its rights, for the information notice.",
    )
    rgpd_unsubscribe_url = fields.Char(
        string="Unsubscribe link",
        compute="_compute_rgpd_notice_values",
        help="Link of the information notice with which the company objects to prospecting.",
    )

    def _compute_rgpd_notice_values(self):
        months = self.env["rgpd.retention.run"]._retention_months()
        contact = (
            self.env["ir.config_parameter"].sudo().get_param("rgpd_prospection.dpo_email")
            or self.env.company.email
        )
        for partner in self:
            partner.rgpd_retention_months = months
            partner.rgpd_privacy_contact = contact
            partner.rgpd_unsubscribe_url = partner.id and (
                f"{partner.get_base_url()}/rgpd/unsubscribe/{partner.id}/"
                f"{partner._rgpd_unsubscribe_token()}"
            )

    def _rgpd_unsubscribe_token(self):
        self.ensure_one()
        return hmac(self.env(su=True), "rgpd_prospection-unsubscribe", self.id)

    def _rgpd_check_unsubscribe_token(self, token):
        return consteq(self._rgpd_unsubscribe_token(), token or "")

    def _rgpd_unsubscribe(self, reason):
        """The company objects through the notice's link: blacklist its
        enterprise number, or only the address for a contact without one."""
        company = self.commercial_partner_id
        if company.bce_number:
            return (
                self.env["rgpd.blacklist"]
                .sudo()
                ._add([company.bce_number], "email_unsubscribe", reason)
            )
        return self.env["mail.blacklist"].sudo()._add(self.email, message=reason)

    def action_rgpd_send_notice(self):
        """Open the information notice (GDPR art. 14) in the mail composer, in
        the company's language, so that the user reads it before sending; the
        date is recorded when it is sent. What the send would refuse (an
        opposed company, a blacklisted address, an empty required value) is
        refused here already, by the same check."""
        template = self.env.ref("rgpd_prospection.rgpd_notice_mail_template")
        self.env["mail.template"]._rgpd_check_before_send(template, self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send the information notice"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "res.partner",
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_subtype_xmlid": "mail.mt_comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "force_email": True,
            },
        }
