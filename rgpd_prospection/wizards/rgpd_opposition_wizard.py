from odoo import fields, models
from odoo.exceptions import UserError

from ..models.rgpd_blacklist import CHANNELS


class RgpdOppositionWizard(models.TransientModel):
    """Record that companies object to prospecting, from their contact form;
    sales may do it (GDPR art. 21 gives the company that right at any time)."""

    _name = "rgpd.opposition.wizard"
    _description = "Record an opposition to prospecting"

    partner_ids = fields.Many2many(
        "res.partner", string="Companies", required=True, domain=[("is_company", "=", True)]
    )
    channel = fields.Selection(
        [channel for channel in CHANNELS if channel[0] != "import"],
        required=True,
        default="phone",
        help="How the company expressed its opposition.",
    )
    note = fields.Text(
        help="What the company said; no personal data beyond what the record needs.",
    )
    send_acknowledgement = fields.Boolean(
        string="Acknowledge by e-mail",
        default=True,
        help="Confirm the opposition to the company by e-mail, when an address is known.",
    )

    def action_confirm(self):
        self.ensure_one()
        companies = self.partner_ids.commercial_partner_id
        missing = companies.filtered(lambda company: not company.bce_number)
        if missing:
            raise UserError(
                self.env._(
                    "%(companies)s has no enterprise number: the prospecting blacklist is keyed "
                    "by it. Fill it in first.",
                    companies=", ".join(missing.mapped("display_name")),
                )
            )
        entries = self.env["rgpd.blacklist"]._add(
            companies.mapped("bce_number"), self.channel, self.note
        )
        entries._acknowledge_opposition(send=self.send_acknowledgement, channel=self.channel)
        return {"type": "ir.actions.act_window_close"}
