from odoo import api, fields, models

from .models import REFUSALS
from .rgpd_contact_policy import POLICY_FAILURE_TYPE


class SmsSms(models.Model):
    """Every SMS to a prospect carries the policy's decision: the number it
    allowed. At the transport, a prospect's number that no decision allowed
    is not texted, whatever the path that made the SMS."""

    _inherit = "sms.sms"

    failure_type = fields.Selection(
        selection_add=[
            (POLICY_FAILURE_TYPE, "Not contactable for the mailing's purpose"),
            *REFUSALS,
        ]
    )
    rgpd_policy_number = fields.Char(
        string="Allowed by the contact policy",
        copy=False,
        readonly=True,
        help="Technical: the number the contact policy allowed this SMS to reach.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        """An SMS made after a door asked the policy (``rgpd_policy_numbers``)
        carries its number as allowed."""
        if self.env.context.get("rgpd_policy_numbers"):
            vals_list = [dict(vals, rgpd_policy_number=vals.get("number")) for vals in vals_list]
        return super().create(vals_list)

    def _send(self, unlink_failed=False, unlink_sent=True, raise_exception=False):
        """The last line: no SMS to a prospect's number without a decision."""
        policy = self.env["rgpd.contact.policy"]
        sms = self.sudo()
        concerned = policy._concerned_numbers(sms.mapped("number"))
        refused = sms.filtered(lambda s: s.number in concerned and s.rgpd_policy_number != s.number)
        if refused:
            refused._update_sms_state_and_trackers("error", failure_type=POLICY_FAILURE_TYPE)
        if not self - refused:
            return None
        return super(SmsSms, self - refused)._send(
            unlink_failed=unlink_failed, unlink_sent=unlink_sent, raise_exception=raise_exception
        )
