from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..tools import is_rgpd_manager

# The prospects' contact data and every stored copy of them: what a bulk
# take-out (export, vCard, JSON route) may hand to a manager only.
TAKEOUT_FIELDS = frozenset(
    {
        "email",
        "email_normalized",
        "email_formatted",
        "phone",
        "rgpd_other_phone",
        "phone_sanitized",
        "phone_mobile_search",
        "rgpd_other_phone_sanitized",
        "bce_last_values",
    }
)
# The most prospects whose addresses or numbers one read may list for a user
# who is not a manager: a list page (80 rows by default), not the register.
BULK_READ_LIMIT = 200
# Dates and flags that only events (an inbound mail, a call the prospect
# initiated, a consent, a sent notice) and the module's runs (retention,
# erasure) set, as superuser: they decide when the data are removed.
RETENTION_FIELDS = (
    "rgpd_last_contact_date",
    "rgpd_notice_date",
    "rgpd_expired",
    "rgpd_expired_date",
    "rgpd_anonymized",
)


class ResPartner(models.Model):
    """Who may take the prospects' contact data out of Odoo, and who may set
    the dates the retention period hangs on: a user reads and works one company
    at a time; a bulk take-out or a hand-made date is a manager's."""

    _inherit = "res.partner"

    @api.model
    def _rgpd_is_manager(self):
        return is_rgpd_manager(self.env)

    # Bulk take-out

    def _rgpd_prospects(self):
        """The BCE prospects among these contacts: the companies of the BCE
        (imported, or with an enterprise number) and their contact persons."""
        if not self.ids:
            return self.browse()
        return (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("id", "in", self.ids),
                    "|",
                    ("commercial_partner_id.is_bce_prospect", "=", True),
                    ("commercial_partner_id.bce_number", "!=", False),
                ]
            )
        )

    def _rgpd_check_takeout(self, fnames):
        """Refuse to hand the contact data of prospects (``fnames`` among
        :data:`TAKEOUT_FIELDS`) out of Odoo to anyone but a manager."""
        if self._rgpd_is_manager() or not TAKEOUT_FIELDS.intersection(fnames):
            return
        if self._rgpd_prospects():
            raise self._rgpd_takeout_error()

    @api.model
    def _rgpd_takeout_error(self):
        return AccessError(
            self.env._(
                "Only a GDPR prospecting manager may take the e-mail addresses and phone "
                "numbers of prospects out of Odoo (export, vCard, JSON). Open the companies "
                "one at a time instead."
            )
        )

    def _export_rows(self, fields, *, _is_toplevel_call=True):
        """Serves every export (``export_data``, ``/web/export/*``), also of
        the contacts reached through another record's fields."""
        self._rgpd_check_takeout({path[0] for path in fields if path})
        return super()._export_rows(fields, _is_toplevel_call=_is_toplevel_call)

    def _get_vcard_file(self):
        self._rgpd_check_takeout({"email", "phone"})
        return super()._get_vcard_file()

    def _read_format(self, fnames, load="_classic_read"):
        """Every read (``read``, ``search_read``, ``web_read``,
        ``web_search_read``) passes here: through a bulk door (the JSON-2 API)
        no prospect's address or number goes out; elsewhere a read listing
        those of more than :data:`BULK_READ_LIMIT` prospects at once is a
        take-out too."""
        if self.env.context.get("rgpd_bulk_takeout"):
            self._rgpd_check_takeout(set(fnames or self._fields))
        elif len(self) > BULK_READ_LIMIT and not self.env.su:
            self._rgpd_check_bulk_read(set(fnames or self._fields))
        return super()._read_format(fnames, load=load)

    def _rgpd_check_bulk_read(self, fnames):
        if self._rgpd_is_manager() or not TAKEOUT_FIELDS.intersection(fnames):
            return
        if len(self._rgpd_prospects()) > BULK_READ_LIMIT:
            raise AccessError(
                self.env._(
                    "Only a GDPR prospecting manager may read the e-mail addresses and phone "
                    "numbers of more than %(limit)s prospects at once. Narrow the list with a "
                    "filter, or leave the e-mail and phone columns out.",
                    limit=BULK_READ_LIMIT,
                )
            )

    def web_read(self, specification):
        """The JSON route (``/json/1/…``) reads through here, marked by its
        controller; the web client's own reads are not."""
        if self.env.context.get("rgpd_bulk_takeout"):
            self._rgpd_check_takeout(specification)
        return super().web_read(specification)

    @api.model
    def _read_group(
        self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None
    ):
        """Every grouped read (``formatted_read_group``, ``web_read_group``,
        the JSON-2 API, a pivot) passes here: grouping or aggregating by an
        address or number lists them in bulk, a take-out like an export."""
        if not self.env.su:
            fnames = {spec.split(":")[0].split(".")[0] for spec in [*groupby, *aggregates]}
            if TAKEOUT_FIELDS.intersection(fnames) and not self._rgpd_is_manager():
                self.search(domain)._rgpd_check_takeout(fnames)
        return super()._read_group(
            domain, groupby, aggregates, having=having, offset=offset, limit=limit, order=order
        )

    # Dates of the retention period

    @api.model_create_multi
    def create(self, vals_list):
        if not self._rgpd_is_manager():
            for vals in vals_list:
                self._rgpd_refuse_retention_values([f for f in RETENTION_FIELDS if vals.get(f)])
        return super().create(vals_list)

    def write(self, vals):
        if not self._rgpd_is_manager():
            self._rgpd_refuse_retention_values(
                [
                    fname
                    for fname in RETENTION_FIELDS
                    if fname in vals and self._rgpd_changes(vals, fname)
                ]
            )
            prospects = self.filtered("is_bce_prospect")
            if "is_bce_prospect" in vals and not vals["is_bce_prospect"] and prospects:
                self._rgpd_refuse_retention_values(["is_bce_prospect"])
            # a customer's data are kept under contract: the retention run
            # skips it, so a prospect becomes one by a sale, not by a click
            if vals.get("rgpd_legal_basis") == "contract" and prospects.filtered(
                lambda p: p.rgpd_legal_basis != "contract"
            ):
                self._rgpd_refuse_retention_values(["rgpd_legal_basis"])
            if "customer_rank" in vals and prospects.filtered(
                lambda p: (vals["customer_rank"] or 0) > p.customer_rank
            ):
                self._rgpd_refuse_retention_values(["customer_rank"])
        return super().write(vals)

    def _rgpd_changes(self, vals, fname):
        field = self._fields[fname]
        value = vals[fname]
        new = fields.Date.to_date(value) if field.type == "date" else bool(value)
        return any((partner[fname] or False) != (new or False) for partner in self)

    def _rgpd_refuse_retention_values(self, fnames):
        if not fnames:
            return
        raise AccessError(
            self.env._(
                "%(fields)s decide how long a prospect's data are kept: they come from the "
                "events that justify them (a mail or a call from the prospect, a consent, a sent "
                "notice, a sale) and from the retention runs. Only a GDPR prospecting manager may "
                "correct them by hand.",
                fields=", ".join(
                    self._fields[fname].get_description(self.env)["string"] for fname in fnames
                ),
            )
        )
