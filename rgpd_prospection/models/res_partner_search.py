import re

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL

from ..bce_engine.codes import clean_nace_code
from ..bce_engine.perimeter import parse_postal_codes
from ..tools import nace_codes_text, nace_keys, nace_token

NACE_CODE_LIKE = re.compile(r"\s*([A-Za-z]|\d[\d.\s]*)\s*")


class ResPartner(models.Model):
    """Finding prospects by what they do (NACE codes, with their sub-codes)
    and where they are (postal code ranges)."""

    _inherit = "res.partner"
    # The index of the NACE search's own expression (``_search_bce_nace_ids``
    # tests ``string_to_array(bce_nace_codes, ' ') && tokens``): a GIN index of
    # the token arrays, so the overlap is not a scan of every company.
    _bce_nace_codes_tokens_index = models.Index("USING gin (string_to_array(bce_nace_codes, ' '))")

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
    zip_range = fields.Char(
        string="Postal code range",
        compute="_compute_zip_range",
        search="_search_zip_range",
        help="Search helper: a range such as 1000-1299 (or a single code) finds the contacts "
        "whose postal code lies in it.",
    )

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

    def _search_bce_nace_ids(self, operator, value):
        """``in``, ``not in`` and ``child_of`` NACE codes, or no code at all
        (Odoo 19 asks ``= False`` as ``in {False}``)."""
        if operator in ("=", "!=") and not value:
            return [("bce_nace_codes", operator, False)]
        if operator == "any":  # a condition on the NACE codes (``ilike`` a label)
            value = self.env["rgpd.nace"].with_context(active_test=False)._search(value)
            return self._search_bce_nace_ids("in", self.env["rgpd.nace"].browse(value).ids)
        if operator in ("in", "not in") and not isinstance(value, str) and False in value:
            codes = [v for v in value if v]
            domain = Domain("bce_nace_codes", "=", False)
            if codes:
                domain |= Domain(self._search_bce_nace_ids("in", codes))
            return domain if operator == "in" else ~domain
        if operator not in ("in", "not in", "=", "!=", "ilike", "not ilike", "child_of"):
            raise UserError(self.env._("Search NACE codes with “is in”, “is not in” or a code."))
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
            raise UserError(self.env._("Search NACE codes with a code or a label."))
        nace_model = self.env["rgpd.nace"]
        if NACE_CODE_LIKE.fullmatch(value):
            naces = nace_model.search([("code", "=", clean_nace_code(value))])
        else:
            naces = nace_model.search([("display_name", "ilike", value)])
        return [("bce_nace_ids", "child_of", naces.ids)]

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
                self.env._(
                    "“%(value)s” is not a postal code range: write it as 1000-1299.", value=value
                )
            )
        query = self.with_context(active_test=False)._search([("zip", "!=", False)])
        zip_sql = self._field_to_sql(query.table, "zip", query)
        zip_number = SQL(
            "CASE WHEN %s ~ '^ *[0-9]{4} *$' THEN btrim(%s)::integer END", zip_sql, zip_sql
        )
        between = [SQL("%s BETWEEN %s AND %s", zip_number, low, high) for low, high in ranges]
        query.add_where(SQL("(%s)", SQL(" OR ").join(between)))
        return [("id", "in", query)]
