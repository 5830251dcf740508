import re

from dateutil.relativedelta import relativedelta
from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL, consteq, email_normalize
from odoo.tools.misc import hmac

from ..bce_engine.codes import clean_nace_code
from ..bce_engine.emails import is_nominative_email
from ..bce_engine.numbers import (
    compact_enterprise_number,
    format_enterprise_number,
    normalize_enterprise_number,
)
from ..bce_engine.perimeter import parse_postal_codes
from ..tools import is_rgpd_manager, nace_codes_text, nace_keys, nace_token

NUMBER_LIKE = re.compile(r"\s*(BE)?[\d\s./()-]+", re.IGNORECASE)
NACE_CODE_LIKE = re.compile(r"\s*([A-Za-z]|\d[\d.\s]*)\s*")
EQUALITY_OPERATORS = ("=", "!=", "in", "not in")
LIKE_OPERATORS = ("like", "ilike", "=like", "=ilike", "not like", "not ilike")
MIN_TERM_LENGTH = 4  # shorter names would match unrelated text when erasing
RGPD_ADDRESS_FIELDS = {"email", "phone", "mobile", "parent_id", "bce_number", "is_company"}


LEGAL_BASES = [
    ("legitimate_interest", "Legitimate interest"),
    ("consent", "Consent"),
    ("contract", "Contract"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"
    _rec_names_search = ["complete_name", "email", "ref", "vat", "company_registry", "bce_number"]

    bce_number = fields.Char(
        string="Enterprise number (10 digits)",
        index=True,
        copy=False,
        help="Enterprise number of the company at the Crossroads Bank for Enterprises (BCE/KBO), "
        "stored as 10 digits: the key linking the contact to the BCE open data. Any spelling "
        "is accepted, checked (mod 97) and normalised; unique among companies.",
    )
    bce_number_display = fields.Char(
        string="Enterprise number",
        compute="_compute_bce_number_display",
        inverse="_inverse_bce_number_display",
        search="_search_bce_number_display",
        help="Enterprise number of the company at the BCE/KBO, written as the BCE does "
        "(0123.456.789). Type it in any spelling: BE 0123 456 789, 0123456789, 123.456.789.",
    )
    # A national import gives ten million activities: kept as one text column,
    # since as many many2many rows cost minutes of index and foreign-key upkeep.
    bce_nace_codes = fields.Char(
        string="NACE codes (technical)",
        copy=False,
        help="Technical: the company's activities at the BCE as version:code separated by "
        "spaces (2008:62010 2025:62100), shown as NACE codes.",
    )
    bce_nace_ids = fields.Many2many(
        "rgpd.nace",
        string="NACE codes",
        compute="_compute_bce_nace_ids",
        inverse="_inverse_bce_nace_ids",
        search="_search_bce_nace_ids",
        help="Activities of the company registered at the BCE (activity.csv of the BCE open "
        "data), all NACE versions.",
    )
    bce_main_nace_id = fields.Many2one(
        "rgpd.nace",
        string="Main activity",
        index=True,
        help="The NACE code the BCE classifies as the company's main activity (activity.csv, "
        "classification MAIN).",
    )
    bce_nace_search = fields.Char(
        string="NACE code (with sub-codes)",
        compute="_compute_bce_nace_search",
        search="_search_bce_nace_search",
        help="Search helper: a NACE code (62, 62.01, J) or label finds the companies with that "
        "activity or any activity below it.",
    )
    bce_juridical_form_id = fields.Many2one(
        "rgpd.juridical.form",
        string="Juridical form",
        help="Juridical form of the company at the BCE (enterprise.csv of the BCE open data).",
    )
    bce_start_date = fields.Date(
        string="Start date",
        help="Date the enterprise started according to the BCE (enterprise.csv, StartDate).",
    )
    bce_extract_number = fields.Integer(
        string="BCE extract number",
        help="Number of the BCE open-data extract the company's data last came from "
        "(meta.csv, ExtractNumber).",
    )
    bce_snapshot_date = fields.Date(
        string="BCE snapshot date",
        help="Date of the BCE data in that extract (meta.csv, SnapshotDate).",
    )
    bce_last_sync = fields.Datetime(
        string="Last BCE sync",
        help="When an import of the BCE open data last created or updated this contact.",
    )
    bce_last_values = fields.Json(
        string="Last BCE values",
        copy=False,
        groups="base.group_system",
        help="Technical: the value each field last received from the BCE; an import "
        "overwrites a field only while it still holds that value, so hand corrections stay.",
    )
    is_bce_prospect = fields.Boolean(
        string="BCE prospect",
        index=True,
        help="Set on contacts created from the BCE open data for prospecting; their processing "
        "relies on the company's legitimate interest unless stated otherwise.",
    )
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
    rgpd_opted_out = fields.Boolean(
        string="Opted out",
        compute="_compute_rgpd_opted_out",
        search="_search_rgpd_opted_out",
        help="The company's enterprise number is in the prospecting blacklist: it objected to "
        "prospecting and must not be contacted.",
    )
    rgpd_anonymized = fields.Boolean(
        string="Anonymised",
        copy=False,
        help="The contact's personal data were erased at the data subject's request or at the "
        "end of the retention period; only what the law requires is kept.",
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
    rgpd_notice_date = fields.Date(
        string="Information notice sent",
        copy=False,
        tracking=True,
        help="When the information notice (GDPR art. 14) was last sent to the company.",
    )
    rgpd_retention_months = fields.Integer(
        string="Retention period (months)",
        compute="_compute_rgpd_notice_values",
        help="The retention period of the settings, for the information notice.",
    )
    rgpd_privacy_contact = fields.Char(
        string="Privacy contact",
        compute="_compute_rgpd_notice_values",
        help="Where the data subject exercises its rights, for the information notice.",
    )
    rgpd_unsubscribe_url = fields.Char(
        string="Unsubscribe link",
        compute="_compute_rgpd_notice_values",
        help="Link of the information notice with which the company objects to prospecting.",
    )
    zip_range = fields.Char(
        string="Postal code range",
        compute="_compute_zip_range",
        search="_search_zip_range",
        help="Search helper: a range such as 1000-1299 (or a single code) finds the contacts "
        "whose postal code lies in it.",
    )

    @api.model
    def _normalize_bce_number(self, value):
        """10 digits from any spelling, ``False`` for nothing; a clear error
        naming the value otherwise. Shared with the blacklist."""
        if not value:
            return False
        try:
            return normalize_enterprise_number(value)
        except ValueError:
            raise ValidationError(self._bce_number_error(value)) from None

    @api.model
    def _bce_number_error(self, value):
        digits = compact_enterprise_number(value)
        if not digits.isdigit():
            return _(
                "“%(value)s” is not a valid enterprise number: it contains characters other "
                "than digits.",
                value=value,
            )
        if len(digits) != 10:
            return _(
                "“%(value)s” is not a valid enterprise number: it has %(count)s digits where 10 "
                "are expected.",
                value=value,
                count=len(digits),
            )
        return _(
            "“%(value)s” is not a valid enterprise number: its last two digits must equal 97 "
            "minus the first eight modulo 97.",
            value=value,
        )

    @api.model
    def _normalize_bce_number_domain(self, domain, fname):
        """Rewrite the ``fname`` terms of a domain so any spelling of a number
        matches its stored 10-digit form; other values are left untouched."""

        def normalize_value(value):
            if not isinstance(value, str) or not NUMBER_LIKE.fullmatch(value):
                return value
            try:
                return normalize_enterprise_number(value)
            except ValueError:
                return value

        def normalize_pattern(value):
            if not isinstance(value, str) or not NUMBER_LIKE.fullmatch(value):
                return value
            normalized = normalize_value(value)
            return normalized if normalized != value else re.sub(r"\D", "", value)

        def normalize_term(term):
            if not isinstance(term, (list, tuple)) or len(term) != 3 or term[0] != fname:
                return term
            operator, value = term[1], term[2]
            if operator in EQUALITY_OPERATORS:
                if isinstance(value, (list, tuple)):
                    value = [normalize_value(item) for item in value]
                else:
                    value = normalize_value(value)
            elif operator in LIKE_OPERATORS:
                value = normalize_pattern(value)
            return (fname, operator, value)

        return [normalize_term(term) for term in domain]

    def _search(self, domain, offset=0, limit=None, order=None):
        """Any spelling of an enterprise number finds the company."""
        domain = self._normalize_bce_number_domain(domain, "bce_number")
        return super()._search(domain, offset=offset, limit=limit, order=order)

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create([self._with_normalized_bce_number(vals) for vals in vals_list])
        partners._rgpd_feed_opposition()
        return partners

    def write(self, vals):
        result = super().write(self._with_normalized_bce_number(vals))
        if RGPD_ADDRESS_FIELDS.intersection(vals):
            self._rgpd_feed_opposition()
        return result

    def _with_normalized_bce_number(self, vals):
        if "bce_number" not in vals:
            return vals
        return dict(vals, bce_number=self._normalize_bce_number(vals["bce_number"]))

    @api.constrains("bce_number", "is_company")
    def _check_bce_number_unique(self):
        """One company per enterprise number, archived ones included: an import
        must update the archived company, not create a twin. Contact persons
        may repeat their company's number."""
        # SQL, reading nothing into the cache: stored numbers are normalised
        # already, and a national import checks a million of them
        self.flush_model(["bce_number", "is_company"])
        self.env.cr.execute(
            SQL(
                """SELECT bce_number, array_agg(id ORDER BY id) FROM res_partner
                   WHERE is_company AND bce_number IN (
                       SELECT bce_number FROM res_partner
                       WHERE id = ANY(%s) AND is_company AND bce_number IS NOT NULL)
                   GROUP BY bce_number HAVING count(*) > 1""",
                self.ids,
            )
        )
        by_number = dict(self.env.cr.fetchall())
        if not by_number:
            return
        for partner in self.filtered(lambda p: p.is_company and p.bce_number):
            twins = self.sudo().browse(by_number.get(partner.bce_number, [])) - partner
            if twins and twins[0].rgpd_opted_out:
                raise ValidationError(
                    _(
                        "The enterprise number %(number)s belongs to %(company)s (%(state)s), "
                        "which objected to prospecting: it is not created again. Do not mail or "
                        "call it.",
                        number=format_enterprise_number(partner.bce_number),
                        company=twins[0].name,
                        state=_("archived") if not twins[0].active else _("active"),
                    )
                )
            if twins:
                raise ValidationError(
                    _(
                        "The enterprise number %(number)s already belongs to %(company)s "
                        "(archived companies included).",
                        number=format_enterprise_number(partner.bce_number),
                        company=twins[0].display_name,
                    )
                )

    @api.depends("bce_number")
    def _compute_bce_number_display(self):
        for partner in self:
            partner.bce_number_display = (
                format_enterprise_number(partner.bce_number) if partner.bce_number else False
            )

    def _inverse_bce_number_display(self):
        for partner in self:
            partner.bce_number = partner.bce_number_display

    def _search_bce_number_display(self, operator, value):
        return self._normalize_bce_number_domain([("bce_number", operator, value)], "bce_number")

    @api.model
    def _search_display_name(self, operator, value):
        """Let a many2one or the quick search find a company by its number,
        in any spelling."""
        domain = super()._search_display_name(operator, value)
        return self._normalize_bce_number_domain(domain, "bce_number")

    @api.depends("bce_nace_codes")
    def _compute_bce_nace_ids(self):
        keys = {key for partner in self for key in nace_keys(partner.bce_nace_codes)}
        naces = (
            self.env["rgpd.nace"]
            .with_context(active_test=False)
            .search([("code", "in", sorted({code for _version, code in keys}))])
        )
        by_key = {(nace.version, nace.code): nace.id for nace in naces}
        for partner in self:
            keys = nace_keys(partner.bce_nace_codes)
            partner.bce_nace_ids = [Command.set([by_key[k] for k in keys if k in by_key])]

    def _inverse_bce_nace_ids(self):
        for partner in self:
            partner.bce_nace_codes = nace_codes_text(
                (nace.version, nace.code) for nace in partner.bce_nace_ids
            )

    def init(self):
        super().init()
        # The index of the NACE search's own expression (``_search_bce_nace_ids``
        # tests ``string_to_array(bce_nace_codes, ' ') && tokens``): a GIN index
        # of the token arrays, so the overlap is not a scan of every company.
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS res_partner_bce_nace_codes_tokens_index ON res_partner "
            "USING gin (string_to_array(bce_nace_codes, ' '))"
        )

    def _search_bce_nace_ids(self, operator, value):
        """``in``, ``not in`` and ``child_of`` NACE codes, or no code at all."""
        if operator in ("=", "!=") and not value:
            return [("bce_nace_codes", operator, False)]
        if operator not in ("in", "not in", "=", "!=", "ilike", "not ilike", "child_of"):
            raise UserError(_("Search NACE codes with “is in”, “is not in” or a code."))
        Nace = self.env["rgpd.nace"].with_context(active_test=False)
        if isinstance(value, str):
            naces = Nace.search([("display_name", "ilike", value)])
        else:
            naces = Nace.browse([value] if isinstance(value, int) else list(value))
        if operator == "child_of":
            naces = Nace.search([("id", "child_of", naces.ids)])
        tokens = sorted({nace_token(nace.version, nace.code) for nace in naces})
        query = self.with_context(active_test=False)._search([("bce_nace_codes", "!=", False)])
        codes_sql = self._field_to_sql(query.table, "bce_nace_codes", query)
        query.add_where(SQL("string_to_array(%s, ' ') && %s::text[]", codes_sql, tokens))
        negative = operator in ("not in", "!=", "not ilike")
        return [("id", "not in" if negative else "in", query)]

    def _compute_bce_nace_search(self):
        self.bce_nace_search = False

    def _search_bce_nace_search(self, operator, value):
        """A code finds itself and every code below it (``62`` finds 62.010);
        a label finds its codes and their sub-codes."""
        if operator not in ("=", "ilike") or not isinstance(value, str):
            raise UserError(_("Search NACE codes with a code or a label."))
        nace_model = self.env["rgpd.nace"]
        if NACE_CODE_LIKE.fullmatch(value):
            naces = nace_model.search([("code", "=", clean_nace_code(value))])
        else:
            naces = nace_model.search([("display_name", "ilike", value)])
        return [("bce_nace_ids", "child_of", naces.ids)]

    @api.depends("is_bce_prospect")
    def _compute_rgpd_legal_basis(self):
        for partner in self:
            if partner.is_bce_prospect and not partner.rgpd_legal_basis:
                partner.rgpd_legal_basis = "legitimate_interest"
            else:
                partner.rgpd_legal_basis = partner.rgpd_legal_basis

    @api.depends("commercial_partner_id.bce_number")
    def _compute_rgpd_opted_out(self):
        """An opposition covers the company and every contact person of it."""
        numbers = [n for n in self.commercial_partner_id.mapped("bce_number") if n]
        blacklisted = set(
            self.env["rgpd.blacklist"]
            .sudo()
            .with_context(active_test=True)
            .search([("bce_number", "in", numbers)])
            .mapped("bce_number")
        )
        for partner in self:
            partner.rgpd_opted_out = partner.commercial_partner_id.bce_number in blacklisted

    def _search_rgpd_opted_out(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Search opted-out contacts with “is set” or “is not set”."))
        opted_out = [
            (
                "commercial_partner_id.bce_number",
                "in",
                self.env["rgpd.blacklist"]._blacklisted_numbers_sql(),
            )
        ]
        return opted_out if (operator == "=") == value else ["!", *opted_out]

    def _compute_zip_range(self):
        self.zip_range = False

    def _search_zip_range(self, operator, value):
        """Ranges read by the import perimeter's parser (Belgian codes have four
        digits), compared as numbers: 1000-1299 does not match 10000, and codes
        that are not Belgian (abroad) never match."""
        try:
            ranges = parse_postal_codes(value) if isinstance(value, str) else ()
        except ValueError:
            ranges = ()
        if operator not in ("=", "ilike") or not ranges:
            raise UserError(
                _("“%(value)s” is not a postal code range: write it as 1000-1299.", value=value)
            )
        query = self.with_context(active_test=False)._search([("zip", "!=", False)])
        zip_sql = self._field_to_sql(query.table, "zip", query)
        zip_number = SQL(
            "CASE WHEN %s ~ '^ *[0-9]{4} *$' THEN btrim(%s)::integer END", zip_sql, zip_sql
        )
        between = [SQL("%s BETWEEN %s AND %s", zip_number, low, high) for low, high in ranges]
        query.add_where(SQL("(%s)", SQL(" OR ").join(between)))
        return [("id", "in", query)]

    # Accountability (GDPR art. 5(2)): purposes, consents, last contact (it starts the
    # retention period), expiry, access export and information notice.

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
            return ["!", *has_any] if operator == "=" else has_any
        if operator not in ("in", "not in", "=", "!=", "ilike", "not ilike"):
            raise UserError(_("Search purposes with “is in” or “is not in”."))
        ids = self._rgpd_purpose_ids_of(value)
        domain = [("rgpd_purpose_chosen_ids", "in", ids)]
        default_ids = self.env["rgpd.purpose"].search([("is_default", "=", True)]).ids
        if set(ids) & set(default_ids):
            following = [
                ("is_bce_prospect", "=", True),
                ("is_company", "=", True),
                ("rgpd_purpose_chosen", "=", False),
            ]
            domain = expression.OR([domain, following])
        return domain if operator in ("in", "=", "ilike") else ["!", *domain]

    def _rgpd_purpose_ids_all(self):
        return self.env["rgpd.purpose"].with_context(active_test=False).search([]).ids

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
                    _(
                        "%(email)s names a person: record the consent of %(name)s before "
                        "storing it, or use a generic address of the company.",
                        email=email,
                        name=partner.name or _("the contact person"),
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

    def _rgpd_sms_needs_consent(self):
        """Contacts of BCE prospects whose numbers came from the BCE: an SMS
        is direct marketing to a phone, allowed only with a consent of the
        contact or of its company."""
        return self.filtered(
            lambda p: (
                p.commercial_partner_id.is_bce_prospect
                and not (p.rgpd_has_consent or p.commercial_partner_id.rgpd_has_consent)
            )
        )

    def _rgpd_check_sms_consent(self):
        blocked = self._rgpd_sms_needs_consent()
        if blocked:
            raise UserError(
                _(
                    "No SMS to %(names)s: a BCE prospect is texted only after recording its "
                    "consent.",
                    names=", ".join(blocked.mapped("display_name")),
                )
            )

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
                    _("Every consent to prospecting was withdrawn."),
                )

    def action_rgpd_requalify(self):
        """A manager decides the expired company may be prospected again."""
        if not is_rgpd_manager(self.env):
            raise AccessError(_("Only a GDPR prospecting manager may re-qualify a prospect."))
        self.sudo().write({"rgpd_expired": False, "rgpd_expired_date": False})
        for partner in self.sudo():
            partner.message_post(
                body=_("Re-qualified as a prospect after the expiry of its retention period."),
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

    # Opposition and erasure (GDPR art. 21 and 17): an opposition feeds Odoo's mail and
    # phone blacklists and blocks every mail to the company; erasure empties the data
    # and keeps only a masked log.

    def _rgpd_feed_opposition(self):
        """New addresses of a company that objected join Odoo's blacklists."""
        if self.env.context.get("rgpd_erasing"):
            return
        opted_out = self.sudo().filtered("rgpd_opted_out")
        if opted_out:
            numbers = [n for n in opted_out.commercial_partner_id.mapped("bce_number") if n]
            self.env["rgpd.blacklist"].sudo().search(
                [("bce_number", "in", numbers)]
            )._feed_odoo_blacklists()

    def _rgpd_phone_numbers(self):
        """Phone and mobile numbers in E.164, as ``phone.blacklist`` stores
        them; Belgium is assumed when the contact has no country."""
        belgium = self.env.ref("base.be", raise_if_not_found=False)
        numbers = set()
        for partner in self:
            for number in (partner.phone, partner.mobile):
                formatted = number and partner._phone_format(
                    number=number, country=partner.country_id or belgium
                )
                if formatted:
                    numbers.add(formatted)
        return numbers

    @api.model
    def _rgpd_partners_by_email(self, emails):
        normalized = [email_normalize(email) for email in emails]
        normalized = [email for email in normalized if email]
        if not normalized:
            return self.browse()
        return (
            self.sudo()
            .with_context(active_test=False)
            .search([("email_normalized", "in", normalized)])
        )

    @api.model
    def _rgpd_may_answer_request(self):
        """A GDPR manager may still answer the company's own request (ticked
        in the composer); the module's acknowledgement is sent as superuser."""
        if not self.env.context.get("rgpd_answer_request"):
            return False
        return is_rgpd_manager(self.env)

    def _rgpd_check_can_mail(self, emails=()):
        """Refuse a mail to a contact whose company objected to prospecting;
        a prospecting message (``rgpd_prospecting``) passes the stricter check
        of ``_rgpd_check_can_prospect``, without exemption."""
        if self.env.context.get("rgpd_prospecting"):
            return self._rgpd_check_can_prospect(emails)
        opted_out = self.sudo().filtered("rgpd_opted_out")
        if not opted_out or self._rgpd_may_answer_request():
            return
        raise UserError(
            _(
                "%(companies)s objected to prospecting: this mail will not be sent. A GDPR "
                "manager can still answer the company's own request by ticking “Answer to the "
                "company's GDPR request” in the mail composer.",
                companies=", ".join(sorted(set(opted_out.commercial_partner_id.mapped("name")))),
            )
        )

    def _rgpd_check_manager(self, action):
        if not is_rgpd_manager(self.env):
            raise AccessError(_("Only a GDPR prospecting manager may %(action)s.", action=action))

    def _rgpd_open_wizard(self, model, name):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_partner_ids": self.commercial_partner_id.ids,
                "rgpd_show_bce_number": True,
            },
        }

    def action_rgpd_record_opposition(self):
        self.env["rgpd.blacklist"].check_access("create")
        return self._rgpd_open_wizard("rgpd.opposition.wizard", _("Record an opposition"))

    def action_rgpd_anonymise(self):
        self._rgpd_check_manager(_("anonymise contacts"))
        return self._rgpd_open_wizard("rgpd.anonymise.wizard", _("Anonymise"))

    def _rgpd_accounting_documents(self):
        """Posted accounting documents of these partners, which accounting law
        requires to keep as issued (GDPR art. 17(3)(b)); none without the
        Invoicing app."""
        if "account.move" not in self.env:
            return None
        return (
            self.env["account.move"]
            .sudo()
            .search([("commercial_partner_id", "in", self.ids), ("state", "=", "posted")])
        )

    def _rgpd_anonymise(self, reason, request_reference=False):
        """Erase the personal data of these companies and their contact persons
        everywhere Odoo keeps them, keep the enterprise number and NACE codes,
        and blacklist the enterprise so it is never prospected again. Returns
        the masked audit line (``privacy.log``)."""
        self._rgpd_check_manager(_("anonymise contacts"))
        companies = self.sudo().commercial_partner_id
        partners = (
            self.sudo()
            .with_context(active_test=False)
            .search([("commercial_partner_id", "in", companies.ids)])
        )
        accounting = companies._rgpd_accounting_documents()
        kept_companies = accounting.commercial_partner_id if accounting else self.browse()
        audit_name = ", ".join(companies.mapped("name"))
        audit_email = partners.filtered("email_normalized")[:1].email_normalized or "****@****"
        terms = partners._rgpd_identifying_terms()
        numbers = [n for n in companies.mapped("bce_number") if n]
        self.env["rgpd.blacklist"].sudo()._add(
            numbers, "dpo", _("Personal data erased on request: %(reason)s", reason=reason)
        )
        self.env["rgpd.blacklist"].sudo()._log_erasure(partners, reason, request_reference)
        counts = partners._rgpd_erase_related_records(terms)
        partners.with_context(rgpd_erasing=True)._rgpd_erase_own_fields(kept_companies)
        details = "\n".join(f"{label}: {count}" for label, count in counts.items())
        if accounting:
            details += "\n" + _(
                "Kept: %(count)s posted accounting documents and the name, address and VAT "
                "number of the company on them, as accounting law requires (GDPR art. 17(3)(b)).",
                count=len(accounting),
            )
        return (
            self.env["privacy.log"]
            .sudo()
            .create(
                {
                    "anonymized_name": audit_name,
                    "anonymized_email": audit_email,
                    "execution_details": details,
                    "records_description": _(
                        "GDPR anonymisation of %(count)s companies (%(numbers)s) and their "
                        "contact persons",
                        count=len(companies),
                        numbers=", ".join(format_enterprise_number(n) for n in numbers),
                    ),
                    "additional_note": _(
                        "Reason: %(reason)s\nRequest reference: %(reference)s",
                        reason=reason,
                        reference=request_reference or "-",
                    ),
                }
            )
        )

    def _rgpd_identifying_terms(self):
        """What identifies these contacts in free text: names, e-mail
        addresses and phone numbers as typed and normalised."""
        values = (
            self.mapped("name")
            + self.mapped("email")
            + self.mapped("email_normalized")
            + self.mapped("phone")
            + self.mapped("mobile")
            + list(self._rgpd_phone_numbers())
        )
        return sorted(
            {value.strip() for value in values if value and len(value.strip()) >= MIN_TERM_LENGTH}
        )

    def _rgpd_erase_related_records(self, terms):
        """Delete what Odoo keeps around the contacts (messages, tracking,
        attachments, mails, mailing data, bus notifications, leads, blacklist
        rows of their addresses). Accounting documents and their files stay:
        the law requires them as issued, not the messages about them."""
        env = self.env(su=True, context=dict(self.env.context, active_test=False))
        emails = [email for email in self.mapped("email_normalized") if email]
        counts = {}
        if "crm.lead" in env:
            leads = env["crm.lead"].search(
                expression.OR(
                    [
                        [("partner_id", "in", self.ids)],
                        [("email_normalized", "in", emails)],
                        [("phone_sanitized", "in", list(self._rgpd_phone_numbers()))],
                    ]
                )
            )
            counts[_("CRM leads and opportunities")] = len(leads)
            leads.unlink()
        messages = env["mail.message"].search(
            expression.OR(
                [
                    [("model", "=", "res.partner"), ("res_id", "in", self.ids)],
                    [("author_id", "in", self.ids)],
                    [("partner_ids", "in", self.ids)],
                    self._rgpd_ilike_domain(["body", "email_from", "subject"], terms),
                ]
            )
        )
        mails = env["mail.mail"].search(
            expression.OR(
                [
                    [("recipient_ids", "in", self.ids)],
                    [("mail_message_id", "in", messages.ids)],
                    self._rgpd_ilike_domain(["email_to", "email_cc", "body_html"], terms),
                ]
            )
        )
        counts[_("Mails")] = len(mails)
        mails.unlink()
        attachments = env["ir.attachment"].search(
            ["&", ("res_model", "=", "res.partner"), ("res_id", "in", self.ids)]
        ) | messages.attachment_ids.filtered(
            lambda attachment: attachment.res_model != "account.move"
        )
        tracking_values = env["mail.tracking.value"].search(
            self._rgpd_ilike_domain(["old_value_char", "new_value_char"], terms)
        )
        counts[_("Messages")] = len(messages)
        counts[_("Tracking values")] = len(tracking_values | messages.tracking_value_ids)
        tracking_values.unlink()
        messages.unlink()
        counts[_("Attachments")] = len(attachments)
        attachments.unlink()
        activities = env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", self.ids)]
        )
        activities.unlink()
        env["mail.followers"].search([("partner_id", "in", self.ids)]).unlink()
        traces = env["mailing.trace"].search(
            [
                "|",
                ("email", "in", emails),
                "&",
                ("model", "=", "res.partner"),
                ("res_id", "in", self.ids),
            ]
        )
        counts[_("Mailing traces")] = len(traces)
        traces.unlink()
        mailing_contacts = env["mailing.contact"].search([("email_normalized", "in", emails)])
        counts[_("Mailing contacts")] = len(mailing_contacts)
        mailing_contacts.unlink()
        env["bus.bus"].search(self._rgpd_ilike_domain(["message"], terms)).unlink()
        if "sms.sms" in env:
            env["sms.sms"].search([("partner_id", "in", self.ids)]).unlink()
        return counts

    @api.model
    def _rgpd_ilike_domain(self, fnames, terms):
        """A domain matching any of ``terms`` in any of ``fnames``; nothing
        when there is no term."""
        leaves = [[(fname, "ilike", term)] for fname in fnames for term in terms]
        return expression.OR(leaves) if leaves else expression.FALSE_DOMAIN

    def _rgpd_erased_values(self, kept):
        """What the erasure writes on this contact; ``kept``: it is a company
        with posted accounting documents, which keeps its name and address."""
        self.ensure_one()
        masked = "****"
        vals = {
            "name": masked,
            "email": False,
            "phone": False,
            "mobile": False,
            "website": False,
            "comment": False,
            "function": False,
            "title": False,
            "ref": False,
            "company_name": False,
            "bce_last_values": False,
            "image_1920": False,
            "category_id": [(5, 0, 0)],
            "rgpd_anonymized": True,
        }
        if kept:
            del vals["name"]
        else:
            vals.update(street=masked, street2=masked, city=masked, zip=masked)
            if not self.is_company:
                vals["vat"] = False
        return vals

    def _rgpd_erase_own_fields(self, kept_companies):
        """Replace the contact data by ``****`` and empty what cannot hold it;
        keep the enterprise number and NACE codes, and what accounting law
        requires on the companies with posted accounting documents. Untracked:
        a tracking value would keep the old name, e-mail and phone."""
        self.bank_ids.unlink()
        for partner in self.with_context(mail_notrack=True):
            partner.write(partner._rgpd_erased_values(partner in kept_companies))

    def _rgpd_holding_erased_data(self, kept_companies):
        """The contacts that hold again data an erasure removed (a restored
        backup, data typed again): any field differing from what the erasure
        writes, or a bank account."""

        def holds_data(partner):
            erased = partner._rgpd_erased_values(partner in kept_companies)
            return bool(partner.bank_ids) or any(
                bool(partner[fname])
                if partner._fields[fname].type == "many2many"
                else (partner[fname] or False) != value
                for fname, value in erased.items()
            )

        return self.filtered(holds_data)

    def _compute_rgpd_notice_values(self):
        months = self.env["rgpd.retention.run"]._retention_months()
        contact = (
            self.env["ir.config_parameter"].sudo().get_param("rgpd_prospection.dpo_email")
            or self.env.company.email
        )
        for partner in self:
            partner.rgpd_retention_months = months
            partner.rgpd_privacy_contact = contact
            partner.rgpd_unsubscribe_url = partner.id and (
                f"{partner.get_base_url()}/rgpd/unsubscribe/{partner.id}/"
                f"{partner._rgpd_unsubscribe_token()}"
            )

    def _rgpd_unsubscribe_token(self):
        self.ensure_one()
        return hmac(self.env(su=True), "rgpd_prospection-unsubscribe", self.id)

    def _rgpd_check_unsubscribe_token(self, token):
        return consteq(self._rgpd_unsubscribe_token(), token or "")

    def _rgpd_unsubscribe(self, reason):
        """The company objects through the notice's link: blacklist its
        enterprise number, or only the address for a contact without one."""
        company = self.commercial_partner_id
        if company.bce_number:
            return (
                self.env["rgpd.blacklist"]
                .sudo()
                ._add([company.bce_number], "email_unsubscribe", reason)
            )
        return self.env["mail.blacklist"].sudo()._add(self.email, message=reason)

    def action_rgpd_send_notice(self):
        """Open the information notice (GDPR art. 14) in the mail composer, in
        the company's language, so that the user reads it before sending; the
        date is recorded when it is sent. Companies that objected are refused
        here already."""
        self._rgpd_check_can_mail()
        template = self.env.ref("rgpd_prospection.rgpd_notice_mail_template")
        return {
            "type": "ir.actions.act_window",
            "name": _("Send the information notice"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": "res.partner",
                "default_res_ids": self.ids,
                "default_template_id": template.id,
                "default_composition_mode": "comment",
                "default_subtype_xmlid": "mail.mt_comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "force_email": True,
            },
        }
