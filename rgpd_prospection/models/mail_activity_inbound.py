from odoo import fields, models

INBOUND_ACTIVITY_CATEGORIES = ("phonecall", "meeting")
MEETING_TYPE_XMLID = "mail.mail_activity_data_meeting"


class MailActivity(models.Model):
    """Calls and meetings the prospect initiated count as contacts from it.
    (Kept apart from ``mail_activity.py``, the opposition warning, to let two
    people write them at the same time; they may be merged.)"""

    _inherit = "mail.activity"

    rgpd_initiated_by_prospect = fields.Boolean(
        string="Initiated by the prospect",
        help="Tick when the prospect called or asked for the meeting: once done, the call or "
        "meeting counts as a contact from the prospect and moves its last contact date. "
        "Calls and meetings we initiate do not.",
    )

    def _rgpd_is_inbound_contact(self):
        self.ensure_one()
        activity_type = self.activity_type_id
        return self.rgpd_initiated_by_prospect and (
            activity_type.category in INBOUND_ACTIVITY_CATEGORIES
            or activity_type == self.env.ref(MEETING_TYPE_XMLID, raise_if_not_found=False)
        )

    def _action_done(self, feedback=False, attachment_ids=None):
        inbound = self.env["res.partner"]
        for activity in self:
            if activity._rgpd_is_inbound_contact():
                inbound |= activity._rgpd_partner()
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        inbound.sudo()._rgpd_register_inbound_contact(fields.Date.context_today(self))
        return result
