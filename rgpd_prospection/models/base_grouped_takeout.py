"""Grouping or aggregating any model by an address or a number lists them in
bulk, one group each: the rule on bulk take-out holds for every grouped read
(``formatted_read_group``, ``web_read_group``, the pivot's grouping sets, the
JSON-2 API), whatever the model and however the field is reached (a message's
``email_from``, a lead's phone, ``author_id.email``, ``parent_id.phone``)."""

import re

from odoo import api, models
from odoo.tools import SQL, email_normalize_all

from ..tools import is_rgpd_manager

# field names that hold an e-mail address or a phone number, on any model
ADDRESS_WORDS = ("email", "phone", "mobile")
ADDRESS_NAMES = frozenset({"reply_to", "number", "sms_number"})


class Base(models.AbstractModel):
    _inherit = "base"

    @api.model
    def _read_group(
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        rows = super()._read_group(
            domain, groupby, aggregates, having=having, offset=offset, limit=limit, order=order
        )
        self._rgpd_check_grouped_takeout([*groupby, *aggregates], rows)
        return rows

    @api.model
    def _read_grouping_sets(self, domain, grouping_sets, aggregates=(), order=None):
        results = super()._read_grouping_sets(
            domain, grouping_sets, aggregates=aggregates, order=order
        )
        for groupby, rows in zip(grouping_sets, results, strict=True):
            self._rgpd_check_grouped_takeout([*groupby, *aggregates], rows)
        return results

    def export_data(self, fields_to_export):
        """An export of any model (a lead's e-mail, a message's sender, a
        mailing trace) that holds a prospect's address or number is a bulk
        take-out: a manager's, as for the contacts' own export."""
        result = super().export_data(fields_to_export)
        if self.env.su or is_rgpd_manager(self.env):
            return result
        columns = [
            index
            for index, path in enumerate(fields_to_export)
            if self._rgpd_holds_address(path.replace("/", "."))
        ]
        texts = {row[index] for row in result.get("datas", []) for index in columns}
        texts = [text for text in texts if isinstance(text, str) and text]
        if texts and self._rgpd_prospect_companies(texts, limit=1):
            raise self.env["res.partner"]._rgpd_takeout_error()
        return result

    @api.model
    def _rgpd_holds_address(self, spec):
        """Whether the grouping or aggregate ``spec`` (``field``,
        ``field:agg``, ``path.to.field:granularity``) ends on an address or a
        number."""
        model, field = self, None
        for fname in spec.split(":")[0].split("."):
            field = model._fields.get(fname)
            if field is None:
                return False
            if field.relational:
                model = self.env[field.comodel_name]
        return field.type in ("char", "text") and (
            field.name in ADDRESS_NAMES or any(word in field.name for word in ADDRESS_WORDS)
        )

    @api.model
    def _rgpd_check_grouped_takeout(self, specs, rows):
        """Refuse the groups to anyone but a manager when one of the addresses
        or numbers they list is a prospect's."""
        if self.env.su or not rows:
            return
        columns = [index for index, spec in enumerate(specs) if self._rgpd_holds_address(spec)]
        if not columns or is_rgpd_manager(self.env):
            return
        values = set()
        for row in rows:
            for index in columns:
                value = row[index]
                values.update(value if isinstance(value, (list, tuple)) else [value])
        texts = [value for value in values if isinstance(value, str) and value]
        if texts and self._rgpd_prospect_companies(texts, limit=1):
            raise self.env["res.partner"]._rgpd_takeout_error()

    def _rgpd_check_listed_addresses(self, rows):
        """A list read (``read``, ``search_read``) of a technical model whose
        addresses or numbers belong to more than one prospect company: a
        take-out, not the reading of one company."""
        if self.env.su or not rows:
            return
        columns = [fname for fname in rows[0] if self._rgpd_holds_address(fname)]
        if not columns or is_rgpd_manager(self.env):
            return
        texts = {row[fname] for row in rows for fname in columns}
        texts = [text for text in texts if isinstance(text, str) and text]
        if texts and len(self._rgpd_prospect_companies(texts, limit=2)) > 1:
            raise self.env["res.partner"]._rgpd_takeout_error()

    @api.model
    def _rgpd_prospect_companies(self, texts, limit=None):
        """The prospect companies (ids, up to ``limit``) of which ``texts``
        hold an e-mail address or a phone number, of the company or of its
        contact persons, archived ones included."""
        emails, numbers = set(), set()
        for text in texts:
            emails.update(email_normalize_all(text))
            digits = re.sub(r"\D", "", text)
            if len(digits) >= 8:
                numbers.add(digits)
                if digits.startswith("00"):
                    numbers.add(digits[2:])
                elif digits.startswith("0"):
                    numbers.add("32" + digits[1:])  # a Belgian number in its national form
        self.env["res.partner"].flush_model(
            ["email_normalized", "phone_sanitized", "rgpd_other_phone_sanitized"]
        )
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT c.id FROM res_partner p
                   JOIN res_partner c ON c.id = p.commercial_partner_id
                   WHERE (c.is_bce_prospect OR c.bce_number IS NOT NULL)
                     AND (p.email_normalized = ANY(%s)
                          OR ltrim(p.phone_sanitized, '+') = ANY(%s)
                          OR ltrim(p.rgpd_other_phone_sanitized, '+') = ANY(%s))
                   LIMIT %s""",
                sorted(emails),
                sorted(numbers),
                sorted(numbers),
                limit,
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}
