import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from .rgpd_contact_policy import POLICY_FAILURE_TYPE

_logger = logging.getLogger(__name__)


class MailingMailing(models.Model):
    """Purpose limitation (GDPR art. 5.1.b, 6.4) in every mailing, e-mail or
    SMS: the mailing states why it is sent, reaches only the prospects that
    may be contacted for that purpose, and keeps the version of the
    legitimate-interest assessment it was sent under."""

    _inherit = "mailing.mailing"

    rgpd_purpose_id = fields.Many2one(
        "rgpd.purpose",
        string="Prospecting purpose",
        ondelete="restrict",
        index="btree_not_null",
        help="Why this mailing is sent. It reaches only the BCE prospects that may be "
        "contacted for this purpose; without a purpose, no prospect receives it.",
    )
    rgpd_assessment_id = fields.Many2one(
        "rgpd.purpose.assessment",
        string="Sent under assessment",
        readonly=True,
        copy=False,
        ondelete="restrict",
        help="The version of the purpose's legitimate-interest assessment in force when the "
        "sending started.",
    )
    rgpd_purpose_canceled = fields.Integer(
        string="Cancelled for the purpose",
        compute="_compute_rgpd_purpose_canceled",
        help="Recipients left out because they may not be contacted for the mailing's purpose.",
    )
    rgpd_purpose_problem = fields.Char(
        string="Purpose problem",
        compute="_compute_rgpd_purpose_problem",
        help="What stops the mailing from being sent with its purpose.",
    )

    @api.depends("mailing_trace_ids.failure_type")
    def _compute_rgpd_purpose_canceled(self):
        counts = dict(
            self.env["mailing.trace"]
            .sudo()
            ._read_group(
                [
                    ("mass_mailing_id", "in", self.ids),
                    ("failure_type", "=", POLICY_FAILURE_TYPE),
                ],
                ["mass_mailing_id"],
                ["__count"],
            )
        )
        for mailing in self:
            mailing.rgpd_purpose_canceled = counts.get(mailing._origin, 0)

    @api.depends("rgpd_purpose_id", "rgpd_purpose_id.assessment_status")
    def _compute_rgpd_purpose_problem(self):
        for mailing in self:
            mailing.rgpd_purpose_problem = mailing.rgpd_purpose_id.assessment_status or False

    def write(self, vals):
        """The version sent under is recorded by the sending only, and the
        purpose of a mailing being sent or sent stays what it was."""
        if "rgpd_assessment_id" in vals and not self.env.su:
            raise UserError(
                self.env._("The assessment of a mailing is recorded when its sending starts.")
            )
        if "rgpd_purpose_id" in vals and any(
            mailing.state in ("sending", "done")
            and mailing.rgpd_purpose_id.id != vals["rgpd_purpose_id"]
            for mailing in self
        ):
            raise UserError(self.env._("The purpose of a mailing sent or being sent is kept."))
        return super().write(vals)

    def _rgpd_check_purpose(self):
        """Refuse a purpose on legitimate interest whose assessment is not
        completed (or concluded against): the manager is told what is missing."""
        self.rgpd_purpose_id._check_usable_for_mailing()

    def action_test(self):
        self._rgpd_check_purpose()
        return super().action_test()

    def action_launch(self):
        self._rgpd_check_purpose()
        return super().action_launch()

    def action_schedule(self):
        self._rgpd_check_purpose()
        return super().action_schedule()

    def action_put_in_queue(self):
        self._rgpd_check_purpose()
        return super().action_put_in_queue()

    @api.model
    def _process_mass_mailing_queue(self):
        return super(
            MailingMailing, self.with_context(rgpd_mailing_queue=True)
        )._process_mass_mailing_queue()

    def _action_send_mail(self, res_ids=None):
        """Record the assessment in force when the sending starts. In the
        queue, a mailing whose purpose became unusable waits (it stays in the
        queue) instead of stopping the other mailings."""
        blocked = self.filtered(lambda m: m.rgpd_purpose_id._assessment_problem_any())
        if blocked and self.env.context.get("rgpd_mailing_queue"):
            for mailing in blocked:
                _logger.info(
                    "Mailing %s waits: %s", mailing.id, mailing.rgpd_purpose_id.assessment_status
                )
            self -= blocked
            if not self:
                return True
        self._rgpd_start_sending()
        return super()._action_send_mail(res_ids=res_ids)

    def action_send_sms(self, res_ids=None):
        self._rgpd_start_sending()
        return super().action_send_sms(res_ids=res_ids)

    def _rgpd_start_sending(self):
        """Check the purpose, then keep the assessment version in force."""
        self._rgpd_check_purpose()
        for mailing in self.filtered(lambda m: m.rgpd_purpose_id and not m.rgpd_assessment_id):
            mailing.sudo().rgpd_assessment_id = mailing.rgpd_purpose_id.current_assessment_id

    def _rgpd_refused_records(self, model, res_ids, channel):
        """The policy's refusals among the records ``res_ids`` of ``model``
        this mailing targets; the caller cancels them."""
        records = self.env[model].sudo().with_context(active_test=False).browse(res_ids)
        return self.env["rgpd.contact.policy"].decide_records(
            records, channel, self.rgpd_purpose_id
        )
