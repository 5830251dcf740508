from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..bce_engine.numbers import format_enterprise_number

CHANNELS = [
    ("email_unsubscribe", "E-mail unsubscribe link"),
    ("phone", "Phone call"),
    ("request", "Written request"),
    ("self_service", "Self-service page"),
    ("dpo", "Data protection officer"),
    ("import", "Import"),
]


class RgpdBlacklist(models.Model):
    """Enterprises that objected to prospecting (GDPR art. 21): never import or
    contact them again. One record per enterprise number, archived when the
    opposition is withdrawn, so its history stays in the chatter."""

    _name = "rgpd.blacklist"
    _inherit = ["mail.thread"]
    _description = "Prospecting blacklist"
    _rec_name = "bce_number"
    _order = "date desc, id desc"

    bce_number = fields.Char(
        string="Enterprise number",
        required=True,
        index=True,
        tracking=1,
        help="Enterprise number (BCE/KBO) of the company that objected, stored as 10 digits; "
        "any spelling is accepted.",
    )
    bce_number_display = fields.Char(
        string="Enterprise number (formatted)",
        compute="_compute_bce_number_display",
        help="The enterprise number as the BCE writes it: 0123.456.789.",
    )
    active = fields.Boolean(
        default=True,
        tracking=2,
        help="Unticked when the opposition is withdrawn; the record stays for its history.",
    )
    date = fields.Datetime(
        required=True,
        default=fields.Datetime.now,
        tracking=True,
        help="When the opposition was recorded (or recorded again after a withdrawal).",
    )
    channel = fields.Selection(
        CHANNELS,
        required=True,
        default="request",
        tracking=True,
        help="How the company expressed its opposition.",
    )
    reason = fields.Text(
        tracking=True,
        help="What the company said or why the entry was made; no personal data beyond need.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Company",
        compute="_compute_partner_id",
        search="_search_partner_id",
        help="The company in the contacts with this enterprise number, when there is one.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Recorded by",
        default=lambda self: self.env.user,
        readonly=True,
        help="The user who recorded the opposition.",
    )

    _sql_constraints = [
        (
            "bce_number_uniq",
            "unique (bce_number)",
            "This enterprise number is already in the prospecting blacklist.",
        ),
    ]

    @api.depends("bce_number")
    def _compute_bce_number_display(self):
        for entry in self:
            entry.bce_number_display = (
                format_enterprise_number(entry.bce_number) if entry.bce_number else False
            )

    @api.depends("bce_number")
    def _compute_partner_id(self):
        partners = self._companies_by_number(self.mapped("bce_number"))
        for entry in self:
            entry.partner_id = partners.get(entry.bce_number, False)

    def _search_partner_id(self, operator, value):
        field = "display_name" if isinstance(value, str) else "id"
        companies = (
            self.env["res.partner"]
            .with_context(active_test=False)
            ._search([(field, operator, value), ("is_company", "=", True)])
        )
        return [("bce_number", "in", companies.subselect('"res_partner"."bce_number"'))]

    def _companies_by_number(self, numbers):
        companies = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("bce_number", "in", [number for number in numbers if number])])
            .filtered("is_company")
        )
        return {company.bce_number: company for company in companies}

    @api.model_create_multi
    def create(self, vals_list):
        """Return the existing entry for a known number, reactivated if it was
        archived, instead of failing on the unique constraint: recording an
        opposition twice must not be an error."""
        self.check_access("create")
        normalize = self.env["res.partner"]._normalize_bce_number
        new_vals_by_number = {}
        for vals in vals_list:
            number = normalize(vals.get("bce_number"))
            if not number:
                raise ValidationError(_("A blacklist entry needs an enterprise number."))
            new_vals_by_number.setdefault(number, dict(vals, bce_number=number))
        existing = self.with_context(active_test=False).search(
            [("bce_number", "in", list(new_vals_by_number))]
        )
        for entry in existing.filtered(lambda entry: not entry.active):
            vals = new_vals_by_number[entry.bce_number]
            entry.sudo().write(
                {
                    "active": True,
                    "date": vals.get("date") or fields.Datetime.now(),
                    "channel": vals.get("channel") or entry.channel,
                    "reason": vals.get("reason") or entry.reason,
                    "user_id": self.env.uid,
                }
            )
        known = set(existing.mapped("bce_number"))
        created = super().create(
            [vals for number, vals in new_vals_by_number.items() if number not in known]
        )
        return existing | created

    def write(self, vals):
        if "bce_number" in vals:
            vals = dict(
                vals, bce_number=self.env["res.partner"]._normalize_bce_number(vals["bce_number"])
            )
        return super().write(vals)

    def _search(self, domain, offset=0, limit=None, order=None):
        """Find an entry by any spelling of its number, like the contacts."""
        domain = self.env["res.partner"]._normalize_bce_number_domain(domain, "bce_number")
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model
    def _add(self, bce_numbers, channel, reason=None):
        """Blacklist enterprise numbers (any spelling); idempotent: an active
        entry stays as it is, an archived one is reactivated."""
        return self.create(
            [{"bce_number": number, "channel": channel, "reason": reason} for number in bce_numbers]
        )

    @api.model
    def _remove(self, bce_numbers, reason=None):
        """Withdraw oppositions: archive the entries, note why in their chatter.
        Numbers that are not blacklisted are ignored."""
        normalize = self.env["res.partner"]._normalize_bce_number
        entries = self.search([("bce_number", "in", [normalize(n) for n in bce_numbers])])
        for entry in entries:
            entry.message_post(
                body=_("Opposition withdrawn: %(reason)s", reason=reason or _("no reason given")),
                subtype_xmlid="mail.mt_note",
            )
        entries.action_archive()
        return entries

    @api.model
    def _blacklisted_numbers_sql(self):
        """Sub-select of the enterprise numbers under an active opposition."""
        query = self.sudo().with_context(active_test=True)._search([])
        return query.subselect(SQL.identifier(query.table, "bce_number"))
