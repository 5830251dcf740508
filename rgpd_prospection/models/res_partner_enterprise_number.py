import re

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import SQL

from ..bce_engine.numbers import (
    compact_enterprise_number,
    enterprise_number_or_none,
    format_enterprise_number,
    normalize_enterprise_number,
)

NUMBER_LIKE = re.compile(r"\s*(BE)?[\d\s./()-]+", re.IGNORECASE)
EQUALITY_OPERATORS = ("=", "!=", "in", "not in")
LIKE_OPERATORS = ("like", "ilike", "=like", "=ilike", "not like", "not ilike")


class ResPartner(models.Model):
    """The company's identity at the BCE/KBO: its enterprise number, the key
    linking a contact to the BCE open data, and what an import last brought.
    """

    _inherit = "res.partner"

    bce_number = fields.Char(
        string="Enterprise number (10 digits)",
        index=True,
        copy=False,
        help="Enterprise number of the company at the Crossroads Bank for Enterprises (BCE/KBO), "
        "stored as 10 digits: the key linking the contact to the BCE open data. Any spelling "
        "is accepted, checked (mod 97) and normalised; unique among companies.",
    )
    # The import's match by Belgian VAT (``_PartnerSync._match``) reads the
    # digits of the few VATs held, where it would scan every contact; the
    # import's prospects hold none, so it costs their insert nothing.
    _rgpd_vat_digits_index = models.Index(
        "(regexp_replace(vat, '[^0-9]', '', 'g')) WHERE vat ILIKE 'BE%' AND parent_id IS NULL"
    )
    bce_number_display = fields.Char(
        string="Enterprise number",
        compute="_compute_bce_number_display",
        inverse="_inverse_bce_number_display",
        search="_search_bce_number_display",
        help="Enterprise number of the company at the BCE/KBO, written as the BCE does "
        "(0123.456.789). Type it in any spelling: BE 0123 456 789, 0123456789, 123.456.789.",
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
            return self.env._(
                "“%(value)s” is not a valid enterprise number: it contains characters other "
                "than digits.",
                value=value,
            )
        if len(digits) != 10:
            return self.env._(
                "“%(value)s” is not a valid enterprise number: it has %(count)s digits where 10 "
                "are expected.",
                value=value,
                count=len(digits),
            )
        return self.env._(
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
            return enterprise_number_or_none(value) or value

        def normalize_pattern(value):
            if not isinstance(value, str) or not NUMBER_LIKE.fullmatch(value):
                return value
            normalized = normalize_value(value)
            return normalized if normalized != value else re.sub(r"\D", "", value)

        def normalize_condition(condition):
            if condition.field_expr != fname:
                return condition
            operator, value = condition.operator, condition.value
            if operator in EQUALITY_OPERATORS:
                if isinstance(value, (list, tuple, set, frozenset)):
                    value = [normalize_value(item) for item in value]
                else:
                    value = normalize_value(value)
            elif operator in LIKE_OPERATORS:
                value = normalize_pattern(value)
            else:
                return condition
            return Domain(fname, operator, value)

        return Domain(domain).map_conditions(normalize_condition)

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
                    self.env._(
                        "The enterprise number %(number)s belongs to %(company)s (%(state)s), "
                        "which objected to prospecting: it is not created again. Do not mail or "
                        "call it.",
                        number=format_enterprise_number(partner.bce_number),
                        company=twins[0].name,
                        state=self.env._("archived")
                        if not twins[0].active
                        else self.env._("active"),
                    )
                )
            if twins:
                raise ValidationError(
                    self.env._(
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
