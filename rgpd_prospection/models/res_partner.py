import re

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..bce_engine.numbers import (
    compact_enterprise_number,
    format_enterprise_number,
    normalize_enterprise_number,
)

NUMBER_LIKE = re.compile(r"\s*(BE)?[\d\s./()-]+", re.IGNORECASE)
NACE_CODE_LIKE = re.compile(r"\s*([A-Za-z]|\d[\d.\s]*)\s*")
ZIP_RANGE = re.compile(r"\s*(\d{1,9})\s*(?:-\s*(\d{1,9})\s*)?")
EQUALITY_OPERATORS = ("=", "!=", "in", "not in")
LIKE_OPERATORS = ("like", "ilike", "=like", "=ilike", "not like", "not ilike")
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
    bce_nace_ids = fields.Many2many(
        "rgpd.nace",
        "res_partner_rgpd_nace_rel",
        "partner_id",
        "nace_id",
        string="NACE codes",
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
        help="GDPR ground for processing this contact's data: legitimate interest (set by "
        "default on BCE prospects, art. 6.1.f), consent (art. 6.1.a) or contract (art. 6.1.b).",
    )
    rgpd_last_contact_date = fields.Date(
        string="Last contact date",
        copy=False,
        help="When the company was last contacted for prospecting; filled by mailings and "
        "contacts, it starts the retention period.",
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
        return super().create([self._with_normalized_bce_number(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._with_normalized_bce_number(vals))

    def _with_normalized_bce_number(self, vals):
        if "bce_number" not in vals:
            return vals
        return dict(vals, bce_number=self._normalize_bce_number(vals["bce_number"]))

    @api.constrains("bce_number", "is_company")
    def _check_bce_number_unique(self):
        """One company per enterprise number, archived ones included: an import
        must update the archived company, not create a twin. Contact persons
        may repeat their company's number."""
        numbers = {p.bce_number for p in self if p.is_company and p.bce_number}
        if not numbers:
            return
        companies = (
            self.sudo()
            .with_context(active_test=False)
            .search([("bce_number", "in", list(numbers)), ("is_company", "=", True)])
        )
        for partner in self.filtered(lambda p: p.is_company and p.bce_number):
            twins = companies.filtered(
                lambda c, partner=partner: c.bce_number == partner.bce_number and c != partner
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

    def _compute_bce_nace_search(self):
        self.bce_nace_search = False

    def _search_bce_nace_search(self, operator, value):
        """A code finds itself and every code below it (``62`` finds 62.010);
        a label finds its codes and their sub-codes."""
        if operator not in ("=", "ilike") or not isinstance(value, str):
            raise UserError(_("Search NACE codes with a code or a label."))
        nace_model = self.env["rgpd.nace"]
        if NACE_CODE_LIKE.fullmatch(value):
            naces = nace_model.search([("code", "=", re.sub(r"[.\s]", "", value).upper())])
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
        """Compare postal codes as numbers, so 1000-1299 does not match 10000;
        codes that are not numeric (abroad) never match."""
        match = ZIP_RANGE.fullmatch(value) if isinstance(value, str) else None
        if operator not in ("=", "ilike") or not match:
            raise UserError(
                _("“%(value)s” is not a postal code range: write it as 1000-1299.", value=value)
            )
        low, high = sorted((int(match[1]), int(match[2] or match[1])))
        query = self.with_context(active_test=False)._search([("zip", "!=", False)])
        zip_sql = self._field_to_sql(query.table, "zip", query)
        query.add_where(
            SQL(
                "CASE WHEN %s ~ '^ *[0-9]{1,9} *$' THEN btrim(%s)::bigint END BETWEEN %s AND %s",
                zip_sql,
                zip_sql,
                low,
                high,
            )
        )
        return [("id", "in", query)]
