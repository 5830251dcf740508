from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..tools import is_rgpd_manager

CONSENT_CHANNELS = [
    ("form", "Contact form"),
    ("trade_fair", "Trade fair form"),
    ("email", "E-mail"),
    ("phone", "Phone call"),
    ("business_card", "Business card"),
    ("meeting", "Meeting"),
    ("other", "Other"),
]
# What proves the consent, set when it is recorded: after that, only the consent's own
# events (withdrawn, given again) change it.
RECORDED_FIELDS = (
    "partner_id",
    "purpose_id",
    "state",
    "date",
    "withdrawal_date",
    "channel",
    "proof",
    "proof_attachment_ids",
    "user_id",
)
# An object, not a value: a JSON or XML-RPC context can hold a copy of a value, never this one.
CONSENT_EVENT = object()


class RgpdConsent(models.Model):
    """One consent (GDPR art. 7) of a company or a contact person for one
    purpose. Withdrawing keeps the record, with the withdrawal date, so the
    controller can prove what was consented to and when."""

    _name = "rgpd.consent"
    _inherit = ["mail.thread"]
    _description = "Prospecting consent"
    _order = "date desc, id desc"
    _rec_name = "purpose_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Given by",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
        help="The company or the contact person who consented.",
    )
    company_partner_id = fields.Many2one(
        "res.partner",
        string="Company",
        related="partner_id.commercial_partner_id",
        store=True,
        index=True,
        help="The company the consent is about; withdrawing every purpose blacklists it.",
    )
    purpose_id = fields.Many2one("rgpd.purpose", required=True, ondelete="restrict", tracking=True)
    state = fields.Selection(
        [("given", "Given"), ("withdrawn", "Withdrawn")],
        required=True,
        default="given",
        tracking=True,
    )
    date = fields.Date(
        string="Consent date",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
    )
    withdrawal_date = fields.Date(tracking=True, copy=False)
    channel = fields.Selection(
        CONSENT_CHANNELS,
        required=True,
        default="form",
        tracking=True,
        help="How the consent was collected.",
    )
    proof = fields.Text(
        help="What proves the consent: the signed trade-fair form, the mail, the business "
        "card note. Attach the document itself below.",
    )
    proof_attachment_ids = fields.Many2many(
        "ir.attachment",
        "rgpd_consent_attachment_rel",
        "consent_id",
        "attachment_id",
        string="Proof documents",
    )
    user_id = fields.Many2one(
        "res.users", string="Recorded by", default=lambda self: self.env.user, readonly=True
    )

    _partner_purpose_uniq = models.Constraint(
        "unique (partner_id, purpose_id)",
        "This person already has a consent for this purpose: withdraw or renew it.",
    )

    @api.constrains("state", "withdrawal_date", "date")
    def _check_withdrawal_date(self):
        for consent in self:
            if consent.withdrawal_date and consent.withdrawal_date < consent.date:
                raise ValidationError(
                    self.env._("A consent cannot be withdrawn before it was given.")
                )

    @api.constrains("date", "withdrawal_date")
    def _check_not_in_future(self):
        """A consent moves the company's last contact date, which starts its
        retention period: a date to come would keep its data for years."""
        today = fields.Date.context_today(self)
        for consent in self:
            if consent.date > today or (
                consent.withdrawal_date and consent.withdrawal_date > today
            ):
                raise ValidationError(self.env._("A consent cannot be dated in the future."))

    def _check_recorded_by(self, vals):
        """Who recorded a consent is part of its proof: a user records his
        own, only a manager corrects it."""
        user_id = vals.get("user_id")
        if not user_id or user_id == self.env.uid:
            return
        if not is_rgpd_manager(self.env):
            raise AccessError(
                self.env._(
                    "Only a GDPR prospecting manager may record a consent in another user's name."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_recorded_by(vals)
        consents = super().create(vals_list)
        consents._after_change()
        return consents

    def _check_recorded_fields(self, vals):
        """A consent's proof is what was recorded: nobody rewrites it afterwards, whatever his
        role; the superuser (the erasure emptying a proof) and the consent's events pass."""
        changed = sorted(set(vals) & set(RECORDED_FIELDS))
        if (
            not changed
            or self.env.su
            or self.env.context.get("rgpd_consent_event") is CONSENT_EVENT
        ):
            return
        raise AccessError(
            self.env._(
                "A consent and its proof are set when recorded: %(fields)s cannot be changed "
                "afterwards. Withdraw it, or record it as given again.",
                fields=", ".join(self._fields[f]._description_string(self.env) for f in changed),
            )
        )

    def write(self, vals):
        self._check_recorded_fields(vals)
        self._check_recorded_by(vals)
        if vals.get("state") == "withdrawn" and not vals.get("withdrawal_date"):
            vals = dict(vals, withdrawal_date=fields.Date.context_today(self))
        elif vals.get("state") == "given":
            vals = dict(vals, withdrawal_date=False)
        result = super().write(vals)
        if "state" in vals:
            self._after_change()
        return result

    def _after_change(self):
        """A consent given is a contact from the prospect; a withdrawal that
        leaves the company with no purpose at all is an opposition."""
        given = self.filtered(lambda c: c.state == "given")
        for consent in given:
            consent.partner_id._rgpd_register_inbound_contact(consent.date)
        self.filtered(
            lambda c: c.state == "withdrawn"
        ).company_partner_id._rgpd_blacklist_if_no_purpose()

    def _event(self, vals):
        """Write what an event of the consent sets, by the user who may write the consent."""
        self.check_access("write")
        self.with_context(rgpd_consent_event=CONSENT_EVENT).write(vals)

    def action_withdraw(self):
        self._event({"state": "withdrawn"})

    def action_renew(self):
        self._event({"state": "given", "date": fields.Date.context_today(self)})
