from odoo import _, api, fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    rgpd_opposition_warning = fields.Char(
        string="Opposition warning",
        compute="_compute_rgpd_opposition_warning",
        help="Shown when a call is planned on a company that objected to prospecting.",
    )

    @api.depends("res_model", "res_id", "activity_type_id")
    def _compute_rgpd_opposition_warning(self):
        for activity in self:
            partner = activity._rgpd_partner()
            is_call = activity.activity_type_id.category == "phonecall"
            activity.rgpd_opposition_warning = (
                _(
                    "%(company)s objected to prospecting: do not call it to prospect, only to "
                    "answer its own request.",
                    company=partner.commercial_partner_id.display_name,
                )
                if is_call and partner.rgpd_opted_out
                else False
            )

    def _rgpd_partner(self):
        """The contact an activity is about: the record itself on a contact,
        else its ``partner_id`` when the model has one (leads, orders)."""
        if not self.res_model or not self.res_id or self.res_model not in self.env:
            return self.env["res.partner"]
        record = self.env[self.res_model].sudo().browse(self.res_id).exists()
        if self.res_model == "res.partner":
            return record
        if "partner_id" in record._fields and record._fields["partner_id"].comodel_name == (
            "res.partner"
        ):
            return record.partner_id
        return self.env["res.partner"]
