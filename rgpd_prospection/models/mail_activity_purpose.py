from odoo import api, fields, models

EMAIL_ACTIVITY_XMLID = "mail.mail_activity_data_email"


class MailActivity(models.Model):
    """A call or an e-mail planned on a prospect states its purpose, and
    warns when the prospect may not be contacted for it."""

    _inherit = "mail.activity"

    rgpd_purpose_id = fields.Many2one(
        "rgpd.purpose",
        string="Prospecting purpose",
        ondelete="restrict",
        help="Why the prospect is called or written to; it must be one of the prospect's purposes.",
    )
    rgpd_purpose_warning = fields.Char(
        string="Purpose warning",
        compute="_compute_rgpd_purpose_warning",
        help="Shown when a call or an e-mail is planned on a prospect for a purpose it may not "
        "be contacted for.",
    )

    rgpd_asks_purpose = fields.Boolean(
        string="Asks the purpose",
        compute="_compute_rgpd_asks_purpose",
        help="A call or an e-mail planned on a BCE prospect: the dialog asks its purpose.",
    )

    @api.depends("res_model", "res_id", "activity_type_id")
    def _compute_rgpd_asks_purpose(self):
        for activity in self:
            activity.rgpd_asks_purpose = bool(
                activity.activity_type_id
                and activity._rgpd_is_outbound_contact()
                and activity._rgpd_partner().commercial_partner_id.is_bce_prospect
            )

    def _rgpd_is_outbound_contact(self):
        self.ensure_one()
        activity_type = self.activity_type_id
        return activity_type.category == "phonecall" or activity_type == self.env.ref(
            EMAIL_ACTIVITY_XMLID, raise_if_not_found=False
        )

    @api.depends("res_model", "res_id", "activity_type_id", "rgpd_purpose_id")
    def _compute_rgpd_purpose_warning(self):
        for activity in self:
            activity.rgpd_purpose_warning = activity._rgpd_purpose_warning_text() or False

    def _rgpd_channel(self):
        return "call" if self.activity_type_id.category == "phonecall" else "email"

    def _rgpd_purpose_warning_text(self):
        """The policy's answer for the activity's channel and purpose."""
        if not self.activity_type_id or not self._rgpd_is_outbound_contact():
            return ""
        company = self._rgpd_partner().commercial_partner_id
        if not company.is_bce_prospect:
            return ""
        policy = self.env["rgpd.contact.policy"]
        purposes = self.env["rgpd.purpose"].sudo().search([])  # pylint: disable=no-search-all
        allowed = purposes.filtered(
            lambda purpose: (
                policy.decide(company, self._rgpd_channel(), purpose)[company.id].allowed
            )
        )
        if not self.rgpd_purpose_id:
            return self.env._(
                "State the purpose of this contact: %(company)s may be contacted for %(purposes)s.",
                company=company.display_name,
                purposes=", ".join(allowed.mapped("name")) or self.env._("no purpose"),
            )
        decision = policy.decide(company, self._rgpd_channel(), self.rgpd_purpose_id)[company.id]
        if not decision.allowed:
            return self.env._(
                "%(company)s may not be contacted for %(purpose)s (%(reason)s); its purposes: "
                "%(purposes)s.",
                company=company.display_name,
                purpose=self.rgpd_purpose_id.name,
                reason=decision.reason,
                purposes=", ".join(allowed.mapped("name")) or self.env._("none"),
            )
        return ""

    @api.onchange("rgpd_purpose_id")
    def _onchange_rgpd_purpose_id(self):
        if self.rgpd_purpose_id and self.rgpd_purpose_warning:
            return {
                "warning": {
                    "title": self.env._("Purpose not covered"),
                    "message": self.rgpd_purpose_warning,
                }
            }
        return None
