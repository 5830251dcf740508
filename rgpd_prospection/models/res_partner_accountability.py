from dateutil.relativedelta import relativedelta
from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import email_normalize

from ..bce_engine.emails import is_nominative_email
from ..tools import is_rgpd_manager

LEGAL_BASES = [
    ("legitimate_interest", "Legitimate interest"),
    ("consent", "Consent"),
    ("contract", "Contract"),
]


class ResPartner(models.Model):
    """Accountability (GDPR art. 5(2)): legal basis, purposes, consents, last
    contact (it starts the retention period), expiry and access export, so
    that the processing of each contact can be shown lawful."""

    _inherit = "res.partner"

    rgpd_legal_basis = fields.Selection(
        LEGAL_BASES,
        string="Legal basis",
        compute="_compute_rgpd_legal_basis",
        store=True,
        readonly=False,
        tracking=True,
        help="GDPR ground for processing this contact's data: legitimate interest (set by "
        "default on BCE prospects, art. 6.1.f), consent (art. 6.1.a) or contract (art. 6.1.b).",
    )
    rgpd_last_contact_date = fields.Date(
        string="Last contact date",
        copy=False,
        index=True,  # the retention rule filters on it
        tracking=True,
        help="Last contact coming from the company: a mail received from it or its contacts, a "
        "call or meeting it initiated, a form, a consent. Mails and mailings we send do not "
        "count. It starts the retention period. Only a GDPR prospecting manager may correct it "
        "by hand; the correction is logged in the chatter.",
    )
    # Accountability (GDPR art. 5(2)): each contact's purposes, consents, expiry and
    # information notice are recorded so that the processing can be shown lawful.
    # New prospects follow the default purposes without a row each (a national
    # import would write millions); choosing purposes by hand stores them.
    rgpd_purpose_ids = fields.Many2many(
        "rgpd.purpose",
        string="Purposes",
        compute="_compute_rgpd_purpose_ids",
        inverse="_inverse_rgpd_purpose_ids",
        search="_search_rgpd_purpose_ids",
        help="What the company is contacted for; BCE prospects follow the default purposes "
        "until purposes are chosen for them. A withdrawn consent removes its purpose.",
    )
    rgpd_purpose_chosen = fields.Boolean(
        string="Purposes chosen",
        copy=False,
        help="Technical: the purposes of this contact were chosen (by hand or by withdrawn "
        "consents) instead of following the default purposes.",
    )
    rgpd_purpose_chosen_ids = fields.Many2many(
        "rgpd.purpose",
        "res_partner_rgpd_purpose_rel",
        "partner_id",
        "purpose_id",
        string="Chosen purposes",
        copy=False,
        help="Technical: the purposes chosen for this contact, when it does not follow the "
        "default ones.",
    )
    rgpd_consent_ids = fields.One2many("rgpd.consent", "partner_id", string="Consents")
    rgpd_has_consent = fields.Boolean(
        string="Consent given",
        compute="_compute_rgpd_has_consent",
        help="The contact gave a consent that is not withdrawn, for at least one purpose.",
    )
    rgpd_expired = fields.Boolean(
        string="Retention expired",
        copy=False,
        index=True,
        help="The retention period ran out without any contact from the company: its personal "
        "data were removed and imports must not bring them back, until the company contacts "
        "us or a manager re-qualifies it.",
    )
    rgpd_expired_date = fields.Date(string="Expired on", copy=False)
    rgpd_retention_date = fields.Date(
        string="Kept until",
        compute="_compute_rgpd_retention_date",
        help="Without a contact from the company, its personal data are removed after this "
        "date: last contact (or creation when never contacted) plus the retention period.",
    )

    @api.model
    def _rgpd_default_legal_basis(self, is_bce_prospect):
        """The legal basis a contact starts with: a BCE prospect is processed on
        legitimate interest (GDPR art. 6(1)(f)); other contacts have none set."""
        return "legitimate_interest" if is_bce_prospect else False

    @api.depends("is_bce_prospect")
    def _compute_rgpd_legal_basis(self):
        for partner in self:
            partner.rgpd_legal_basis = partner.rgpd_legal_basis or (
                partner._rgpd_default_legal_basis(partner.is_bce_prospect)
            )

    def _rgpd_follows_default_purposes(self):
        self.ensure_one()
        return self.is_bce_prospect and self.is_company and not self.rgpd_purpose_chosen

    @api.depends("is_bce_prospect", "is_company", "rgpd_purpose_chosen", "rgpd_purpose_chosen_ids")
    def _compute_rgpd_purpose_ids(self):
        defaults = self.env["rgpd.purpose"].search([("is_default", "=", True)])
        for partner in self:
            if partner._rgpd_follows_default_purposes():
                partner.rgpd_purpose_ids = defaults
            else:
                partner.rgpd_purpose_ids = partner.rgpd_purpose_chosen_ids

    def _inverse_rgpd_purpose_ids(self):
        for partner in self:
            partner.write(
                {
                    "rgpd_purpose_chosen": True,
                    "rgpd_purpose_chosen_ids": [Command.set(partner.rgpd_purpose_ids.ids)],
                }
            )

    def _search_rgpd_purpose_ids(self, operator, value):
        """Contacts with one of the purposes ``value`` (``in``), or without any
        purpose (``= False``); companies following the defaults have them all."""
        if operator in ("=", "!=") and not value:
            has_any = self._search_rgpd_purpose_ids("in", self._rgpd_purpose_ids_all())
            return ~Domain(has_any) if operator == "=" else has_any
        if operator == "any":  # a condition on the purposes (``ilike`` a name)
            value = self.env["rgpd.purpose"].with_context(active_test=False)._search(value)
            return self._search_rgpd_purpose_ids("in", self.env["rgpd.purpose"].browse(value).ids)
        if operator in ("in", "not in") and not isinstance(value, str) and False in value:
            # Odoo 19 asks ``= False`` as ``in {False}``
            ids = [v for v in value if v]
            domain = Domain(self._search_rgpd_purpose_ids("=", False))
            if ids:
                domain |= Domain(self._search_rgpd_purpose_ids("in", ids))
            return domain if operator == "in" else ~domain
        if operator not in ("in", "not in", "=", "!=", "ilike", "not ilike"):
            raise UserError(self.env._("Search purposes with “is in” or “is not in”."))
        ids = self._rgpd_purpose_ids_of(value)
        domain = [("rgpd_purpose_chosen_ids", "in", ids)]
        default_ids = self.env["rgpd.purpose"].search([("is_default", "=", True)]).ids
        if set(ids) & set(default_ids):
            following = [
                ("is_bce_prospect", "=", True),
                ("is_company", "=", True),
                ("rgpd_purpose_chosen", "=", False),
            ]
            domain = Domain.OR([domain, following])
        return domain if operator in ("in", "=", "ilike") else ~Domain(domain)

    def _rgpd_purpose_ids_all(self):
        purposes = self.env["rgpd.purpose"].with_context(active_test=False)
        return purposes.search([]).ids  # pylint: disable=no-search-all

    def _rgpd_purpose_ids_of(self, value):
        if isinstance(value, str):
            purposes = self.env["rgpd.purpose"].with_context(active_test=False)
            return purposes.search([("name", "ilike", value)]).ids
        return [value] if isinstance(value, int) else list(value)

    @api.depends("rgpd_consent_ids.state")
    def _compute_rgpd_has_consent(self):
        for partner in self:
            partner.rgpd_has_consent = "given" in partner.rgpd_consent_ids.mapped("state")

    @api.depends("rgpd_last_contact_date", "create_date")
    def _compute_rgpd_retention_date(self):
        months = self.env["rgpd.retention.run"]._retention_months()
        for partner in self:
            start = partner.rgpd_last_contact_date or (
                partner.create_date and partner.create_date.date()
            )
            partner.rgpd_retention_date = start and start + relativedelta(months=months)

    @api.constrains("email", "parent_id", "rgpd_consent_ids")
    def _check_rgpd_nominative_email(self):
        """A person's own address is personal data that the BCE's legitimate
        interest does not cover: keep it only with that person's consent."""
        # searched, not read: an import checks thousands of companies at once
        persons = self.with_context(active_test=False).search(
            [("id", "in", self.ids), ("is_company", "=", False), ("email", "!=", False)]
        )
        for partner in persons:
            if not partner.commercial_partner_id.is_bce_prospect:
                continue
            email = email_normalize(partner.email or "", strict=False)
            if email and is_nominative_email(email) and not partner.rgpd_has_consent:
                raise ValidationError(
                    self.env._(
                        "%(email)s names a person: record the consent of %(name)s before "
                        "storing it, or use a generic address of the company.",
                        email=email,
                        name=partner.name or self.env._("the contact person"),
                    )
                )

    def _rgpd_register_inbound_contact(self, date=None):
        """The prospect contacted us: move its last contact date (never back)
        and lift an expiry, since the company came back by itself."""
        today = fields.Date.context_today(self)
        # never later than today: the event's date may come from its author
        date = min(fields.Date.to_date(date) or today, today)
        companies = self.commercial_partner_id.filtered("is_bce_prospect")
        persons = self.filtered(lambda p: p.commercial_partner_id in companies)
        for partner in companies | persons:
            vals = {}
            if not partner.rgpd_last_contact_date or partner.rgpd_last_contact_date < date:
                vals["rgpd_last_contact_date"] = date
            if partner.rgpd_expired:
                vals.update(rgpd_expired=False, rgpd_expired_date=False)
            if vals:
                partner.sudo().write(vals)

    def _rgpd_blacklist_if_no_purpose(self):
        """Drop the purposes whose consents are all withdrawn; a company left
        with no purpose at all objected to prospecting as a whole."""
        Consent = self.env["rgpd.consent"].sudo()
        for company in self.sudo():
            consents = Consent.search([("company_partner_id", "=", company.id)])
            given = consents.filtered(lambda c: c.state == "given").purpose_id
            withdrawn = consents.filtered(lambda c: c.state == "withdrawn").purpose_id - given
            remaining = company.rgpd_purpose_ids - withdrawn
            company.rgpd_purpose_ids = remaining
            if not remaining and not given and company.bce_number:
                self.env["rgpd.blacklist"].sudo()._add(
                    [company.bce_number],
                    "request",
                    self.env._("Every consent to prospecting was withdrawn."),
                )

    def action_rgpd_requalify(self):
        """A manager decides the expired company may be prospected again."""
        if not is_rgpd_manager(self.env):
            raise AccessError(
                self.env._("Only a GDPR prospecting manager may re-qualify a prospect.")
            )
        self.sudo().write({"rgpd_expired": False, "rgpd_expired_date": False})
        for partner in self.sudo():
            partner.message_post(
                body=self.env._(
                    "Re-qualified as a prospect after the expiry of its retention period."
                ),
                subtype_xmlid="mail.mt_note",
            )

    def action_rgpd_access_export(self):
        """Download what the database holds on the company (GDPR art. 15)."""
        self.ensure_one()
        attachment = self.env["rgpd.access.report"]._attach_export(
            self.commercial_partner_id, "xlsx", self.commercial_partner_id
        )
        return self.env["rgpd.access.report"]._download_action(attachment)

    def action_rgpd_portability_export(self):
        """The same data, machine-readable (GDPR art. 20)."""
        self.ensure_one()
        attachment = self.env["rgpd.access.report"]._attach_export(
            self.commercial_partner_id, "json", self.commercial_partner_id
        )
        return self.env["rgpd.access.report"]._download_action(attachment)
