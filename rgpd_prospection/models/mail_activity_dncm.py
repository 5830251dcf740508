from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# The "log a call that happened" doors (the schedule dialog's "Done", mark
# done) pass this object in the context: an RPC caller cannot forge it, so a
# scheduled call cannot pass for a logged one.
LOGGING_DONE = object()
PROOF_FIELDS = {"rgpd_dncm_list_date", "rgpd_dncm_breach", "rgpd_dncm_reason"}
CHECKED_FIELDS = {
    "activity_type_id",
    "res_model",
    "res_model_id",
    "res_id",
    "rgpd_dncm_event_id",
    "rgpd_purpose_id",
    "rgpd_initiated_by_prospect",
}


class MailActivity(models.Model):
    """A prospecting call is scheduled only when the contact policy allows
    the call (its Do Not Call Me rule included), with the event that may
    exempt it; a call that already happened is logged with a breach flag
    rather than refused, since refusing would destroy the proof."""

    _inherit = "mail.activity"

    rgpd_dncm_event_id = fields.Many2one(
        "mail.activity",
        string="Answers or confirms",
        ondelete="set null",
        help="The company's own request logged as an inbound call or meeting, or the "
        "appointment this call confirms: such a call is not prospecting.",
    )
    rgpd_dncm_list_date = fields.Date(
        string="DNCM list checked",
        readonly=True,
        help="Date of the Do Not Call Me list in force when the call was logged.",
    )
    rgpd_dncm_breach = fields.Boolean(
        string="DNCM breach",
        readonly=True,
        help="The call was logged although the contact policy refused it (the Do Not Call Me "
        "list, an opposition, …).",
    )
    rgpd_dncm_reason = fields.Char(string="DNCM check", readonly=True)
    rgpd_dncm_warning = fields.Char(
        string="Do Not Call Me warning",
        compute="_compute_rgpd_dncm_warning",
        help="Why a prospecting call to this prospect is refused.",
    )

    def _rgpd_is_prospecting_call(self):
        """A call to a contact the policy speaks for: a prospect, an opposed
        company or its hand-made twin (not an own customer)."""
        self.ensure_one()
        partner = self._rgpd_partner()
        return bool(
            self.activity_type_id.category == "phonecall"
            and partner
            and self.env["rgpd.contact.policy"]._concerned(partner)
        )

    def _rgpd_call_event(self):
        """What may take this call out of prospecting: the request or the
        appointment it answers, or the call itself when it is the prospect's
        (ticked by a user of the module's roles only)."""
        return self.rgpd_dncm_event_id or (self if self.rgpd_initiated_by_prospect else None)

    def _rgpd_call_decision(self):
        """The contact policy's answer for this call, with the event that may
        exempt it and its purpose."""
        partner = self._rgpd_partner()
        policy = self.env["rgpd.contact.policy"].with_context(
            rgpd_call_event=self._rgpd_call_event()
        )
        return policy.decide(partner, "call", self.rgpd_purpose_id or None)[partner.id]

    @api.depends(
        "res_model",
        "res_id",
        "activity_type_id",
        "rgpd_dncm_event_id",
        "rgpd_purpose_id",
        "rgpd_initiated_by_prospect",
    )
    def _compute_rgpd_dncm_warning(self):
        """The list's refusal (the opposition has its own warning)."""
        for activity in self:
            warning = False
            if activity.activity_type_id and activity._rgpd_is_prospecting_call():
                decision = activity._rgpd_call_decision()
                warning = decision.reason if decision.fact == "do_not_call" else False
            activity.rgpd_dncm_warning = warning

    def _rgpd_check_proof_fields(self, vals):
        """What the check recorded is proof: only the check writes it."""
        if PROOF_FIELDS.intersection(vals) and not self.env.su:
            raise AccessError(self.env._("Only the Do Not Call Me check records its outcome."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._rgpd_check_proof_fields(vals)
        # asked first on the call as it will be, so that a refusal writes no
        # row; asked again on the row written, whatever the virtual one missed
        planned = self.browse()
        for vals in vals_list:
            planned |= self.new(self._add_missing_default_values(vals))
        planned._rgpd_dncm_check()
        activities = super().create(vals_list)
        activities._rgpd_dncm_check()
        return activities

    def write(self, vals):
        self._rgpd_check_proof_fields(vals)
        if not CHECKED_FIELDS.intersection(vals):
            return super().write(vals)
        planned = self.browse()
        for activity in self:
            planned |= self.new(vals, origin=activity)
        planned._rgpd_dncm_check()
        result = super().write(vals)
        self._rgpd_dncm_check()
        return result

    def _rgpd_dncm_check(self):
        """Refuse scheduling a prospecting call the policy refuses, unless the
        call is being logged as done, which ``_action_done`` records."""
        if self.env.context.get("rgpd_dncm_logging") is LOGGING_DONE:
            return
        for activity in self.filtered("active"):
            if not activity._rgpd_is_prospecting_call():
                continue
            decision = activity._rgpd_call_decision()
            if not decision.allowed:
                raise UserError(
                    self.env._("This call cannot be scheduled. %(reason)s", reason=decision.reason)
                )

    def _action_done(self, feedback=False, attachment_ids=None):
        """Each logged prospecting call keeps the list it was checked
        against; a call the list forbids is flagged, never refused."""
        for activity in self:
            if not activity._rgpd_is_prospecting_call():
                continue
            decision = activity._rgpd_call_decision()
            activity.sudo().write(
                {
                    "rgpd_dncm_list_date": self.env["rgpd.dncm.load"]._current().list_date,
                    "rgpd_dncm_breach": not decision.allowed,
                    "rgpd_dncm_reason": decision.reason or decision.fact,
                }
            )
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
