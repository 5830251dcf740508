from odoo import api, fields, models
from odoo.exceptions import AccessError

INBOUND_ACTIVITY_CATEGORIES = ("phonecall", "meeting")
MEETING_TYPE_XMLID = "mail.mail_activity_data_meeting"
USER_GROUP = "rgpd_prospection.group_rgpd_user"


class MailActivity(models.Model):
    """Activities on prospects: a warning before calling a company that objected,
    and calls or meetings the prospect initiated counting as contacts from it."""

    _inherit = "mail.activity"

    rgpd_opposition_warning = fields.Char(
        string="Opposition warning",
        compute="_compute_rgpd_opposition_warning",
        help="Shown when a call is planned on a company that objected to prospecting.",
    )

    @api.depends(
        "res_model",
        "res_id",
        "activity_type_id",
        "rgpd_dncm_event_id",
        "rgpd_initiated_by_prospect",
    )
    def _compute_rgpd_opposition_warning(self):
        """The policy's answer for a call, whatever its purpose, with the
        event that may exempt it."""
        for activity in self:
            partner = activity._rgpd_partner()
            policy = self.env["rgpd.contact.policy"].with_context(
                rgpd_call_event=activity._rgpd_call_event()
            )
            decision = (
                partner
                and activity.activity_type_id.category == "phonecall"
                and policy.decide(partner, "call")[partner.id]
            )
            activity.rgpd_opposition_warning = (
                self.env._(
                    "%(reason)s Do not call it to prospect, only to answer its own request.",
                    reason=decision.reason,
                )
                if decision and not decision.allowed
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

    rgpd_initiated_by_prospect = fields.Boolean(
        string="Initiated by the prospect",
        help="Tick when the prospect called or asked for the meeting: once done, the call or "
        "meeting counts as a contact from the prospect and moves its last contact date. "
        "Calls and meetings we initiate do not.",
    )

    rgpd_can_be_inbound = fields.Boolean(
        string="May be initiated by the prospect",
        compute="_compute_rgpd_can_be_inbound",
        help="A call or meeting on a BCE prospect: the “Mark done” popup asks whether the "
        "prospect initiated it.",
    )

    @api.depends("res_model", "res_id", "activity_type_id")
    def _compute_rgpd_can_be_inbound(self):
        meeting = self.env.ref(MEETING_TYPE_XMLID, raise_if_not_found=False)
        for activity in self:
            activity_type = activity.activity_type_id
            activity.rgpd_can_be_inbound = bool(
                (activity_type.category in INBOUND_ACTIVITY_CATEGORIES or activity_type == meeting)
                and activity._rgpd_partner().commercial_partner_id.is_bce_prospect
            )

    def _to_store_defaults(self, target):
        """The "Mark done" popup asks who initiated a call or a meeting."""
        return [
            *super()._to_store_defaults(target),
            "rgpd_can_be_inbound",
            "rgpd_initiated_by_prospect",
        ]

    def _rgpd_is_inbound_contact(self):
        self.ensure_one()
        activity_type = self.activity_type_id
        return self.rgpd_initiated_by_prospect and (
            activity_type.category in INBOUND_ACTIVITY_CATEGORIES
            or activity_type == self.env.ref(MEETING_TYPE_XMLID, raise_if_not_found=False)
        )

    @api.model_create_multi
    def create(self, vals_list):
        # a default (``default_rgpd_initiated_by_prospect`` in the context, a
        # user default) ticks it as surely as a value
        default = None
        for vals in vals_list:
            if "rgpd_initiated_by_prospect" in vals:
                flagged = vals["rgpd_initiated_by_prospect"]
            else:
                if default is None:
                    default = self.default_get(["rgpd_initiated_by_prospect"])
                flagged = default.get("rgpd_initiated_by_prospect")
            if flagged:
                self._rgpd_check_may_log_inbound()
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("rgpd_initiated_by_prospect"):
            self._rgpd_check_may_log_inbound()
        return super().write(vals)

    def _rgpd_check_may_log_inbound(self):
        """A call or meeting logged as the prospect's keeps its data longer:
        only a user of the module's roles logs it."""
        if not (self.env.su or self.env.user.has_group(USER_GROUP)):
            raise AccessError(
                self.env._(
                    "Only a GDPR prospecting user may log a call or a meeting as initiated by "
                    "the prospect."
                )
            )

    def _action_done(self, feedback=False, attachment_ids=None):
        inbound = {}
        # logged by a user of the roles (or the system): anyone else's "done"
        # closes the activity without moving the retention clock
        may_log = self.env.su or self.env.user.has_group(USER_GROUP)
        for activity in self:
            if may_log and activity._rgpd_is_inbound_contact():
                inbound[activity._rgpd_partner()] = activity.activity_type_id.name
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        for partner, activity_name in inbound.items():
            partner.sudo()._rgpd_register_inbound_contact(fields.Date.context_today(self))
            partner.sudo().message_post(
                body=self.env._(
                    "%(activity)s logged as initiated by the prospect by %(user)s: it counts as "
                    "a contact from the prospect.",
                    activity=activity_name,
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
                author_id=self.env.user.partner_id.id,
            )
        return result
