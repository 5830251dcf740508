from odoo import api, fields, models


class MailingMailing(models.Model):
    """Before the test, the schedule or the send: how many recipients the
    purpose rule will leave out, so that a mailing does not end with
    nothing sent and no word said."""

    _inherit = "mailing.mailing"

    rgpd_left_out_count = fields.Integer(
        string="Left out for the purpose",
        compute="_compute_rgpd_left_out",
        help="Recipients of the mailing's filter that will not receive it: BCE prospects that "
        "may not be contacted for its purpose (or every prospect, without a purpose).",
    )
    rgpd_left_out_warning = fields.Char(
        string="Left out",
        compute="_compute_rgpd_left_out",
        help="What the sending will leave out, said before it starts.",
    )

    @api.depends(
        "mailing_model_id", "mailing_domain", "contact_list_ids", "rgpd_purpose_id", "state"
    )
    def _compute_rgpd_left_out(self):
        for mailing in self:
            count = total = 0
            # a mailing being created has no recipients to count yet
            if mailing._origin and mailing.state not in ("sending", "done"):
                count, total = mailing._rgpd_left_out()
            mailing.rgpd_left_out_count = count
            mailing.rgpd_left_out_warning = (
                mailing._rgpd_left_out_message(count, total) if count else False
            )

    def _rgpd_left_out(self):
        """(recipients the contact policy leaves out, recipients): what the
        sending will cancel, asked of the same policy before sending."""
        self.ensure_one()
        res_ids = self._get_recipients()
        if not res_ids:
            return 0, 0
        records = (
            self.env[self.mailing_model_real].sudo().with_context(active_test=False).browse(res_ids)
        )
        channel = "sms" if self.mailing_type == "sms" else "email"
        blocked = self.env["rgpd.contact.policy"].decide_records(
            records, channel, self.rgpd_purpose_id
        )
        return len(blocked), len(res_ids)

    def _rgpd_left_out_message(self, count, total):
        if not self.rgpd_purpose_id:
            return self.env._(
                "No purpose: %(count)s of the %(total)s recipients are BCE prospects and will not "
                "receive it. Choose the purpose it is sent for.",
                count=count,
                total=total,
            )
        return self.env._(
            "%(count)s of the %(total)s recipients may not be contacted for %(purpose)s: they "
            "will not receive it.",
            count=count,
            total=total,
            purpose=self.rgpd_purpose_id.display_name,
        )
