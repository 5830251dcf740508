from markupsafe import Markup
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL, email_normalize

from ..bce_engine.numbers import format_enterprise_number
from ..tools import MANAGER_GROUP, is_rgpd_manager, mask_email, mask_phone, mask_words

CHANNELS = [
    ("email_unsubscribe", "E-mail unsubscribe link"),
    ("phone", "Phone call"),
    ("request", "Written request"),
    ("self_service", "Self-service page"),
    ("dpo", "Data protection officer"),
    ("import", "Import"),
]
ERASURE_FIELDS = (
    "erased",
    "erasure_date",
    "erasure_user_name",
    "erasure_reason",
    "erasure_request_reference",
    "erasure_masked_values",
)
# What a user records with an opposition; the rest (the erasure log, who
# recorded it, a withdrawal) is written by the module's code or a manager.
USER_FIELDS = frozenset({"bce_number", "channel", "reason", "date", "active", "user_id"})


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
        default_export_compatible=True,
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
        default_export_compatible=True,
        help="When the opposition was recorded (or recorded again after a withdrawal).",
    )
    channel = fields.Selection(
        CHANNELS,
        required=True,
        default="request",
        tracking=True,
        default_export_compatible=True,
        help="How the company expressed its opposition.",
    )
    reason = fields.Text(
        tracking=True,
        default_export_compatible=True,
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

    # Erasure log (GDPR art. 17): managers only; exported and imported with
    # the list, so that erasures can be applied again after a backup is restored.
    erased = fields.Boolean(
        string="Erasure in force",
        groups=MANAGER_GROUP,
        copy=False,
        default_export_compatible=True,
        help="The company's personal data were erased: “Re-apply erasures” (also run by every "
        "BCE import) erases them again if they come back, e.g. from a restored backup. "
        "Unticked when the opposition is lifted.",
    )
    erasure_date = fields.Datetime(
        groups=MANAGER_GROUP, copy=False, default_export_compatible=True, help="When it was erased."
    )
    erasure_user_name = fields.Char(
        string="Erased by",
        groups=MANAGER_GROUP,
        copy=False,
        default_export_compatible=True,
        help="The user who confirmed the erasure (a name, so that the log survives the user).",
    )
    erasure_reason = fields.Text(
        groups=MANAGER_GROUP, copy=False, default_export_compatible=True, help="Why it was erased."
    )
    erasure_request_reference = fields.Char(
        string="Erasure request reference",
        groups=MANAGER_GROUP,
        copy=False,
        default_export_compatible=True,
        help="Reference of the data subject's request (letter, ticket, mail date).",
    )
    erasure_masked_values = fields.Text(
        string="Erased data (masked)",
        groups=MANAGER_GROUP,
        copy=False,
        default_export_compatible=True,
        help="What was erased, masked (first letters only), to answer “what did you hold about "
        "me?” without keeping it.",
    )

    _bce_number_uniq = models.Constraint(
        "unique (bce_number)", "This enterprise number is already in the prospecting blacklist."
    )

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
        opposition twice must not be an error, and importing an exported list
        into a database that has some of its numbers updates them. One entry is
        returned per value dict, in order, as the import expects."""
        self.check_access("create")
        self._check_user_values(vals_list)
        normalize = self.env["res.partner"]._normalize_bce_number
        vals_list = [dict(vals, bce_number=normalize(vals.get("bce_number"))) for vals in vals_list]
        if not all(vals["bce_number"] for vals in vals_list):
            raise ValidationError(self.env._("A blacklist entry needs an enterprise number."))
        entries_by_number = {
            entry.bce_number: entry
            for entry in self.with_context(active_test=False).search(
                [("bce_number", "in", [vals["bce_number"] for vals in vals_list])]
            )
        }
        importing = bool(self.env.context.get("import_file"))
        new_vals_by_number = {}
        for vals in vals_list:
            entry = entries_by_number.get(vals["bce_number"])
            if entry is None:
                new_vals_by_number.setdefault(vals["bce_number"], vals)
            elif not entry.active:
                entry.sudo().write(
                    {
                        "active": True,
                        "date": vals.get("date") or fields.Datetime.now(),
                        "channel": vals.get("channel") or entry.channel,
                        "reason": vals.get("reason") or entry.reason,
                        "user_id": vals.get("user_id") or self.env.uid,
                        **{fname: vals[fname] for fname in ERASURE_FIELDS if fname in vals},
                    }
                )
            elif importing:
                entry.write({key: value for key, value in vals.items() if key != "bce_number"})
        created = super().create(list(new_vals_by_number.values()))
        entries_by_number.update((entry.bce_number, entry) for entry in created)
        created.filtered("active")._feed_odoo_blacklists()
        self.env["res.partner"].invalidate_model(["rgpd_opted_out"])
        return self.browse([entries_by_number[vals["bce_number"]].id for vals in vals_list])

    @api.model
    def _check_user_values(self, vals_list):
        """A user records an opposition: its number, channel, reason and date,
        nothing else. The erasure log is what imports and restores act on
        (they erase the company again): only a manager's confirmed erasure
        writes it, never a value a user sent, also not when an archived entry
        is reactivated (which this model does as superuser)."""
        if is_rgpd_manager(self.env):
            return
        for vals in vals_list:
            refused = set(vals) - USER_FIELDS
            if "active" in vals and not vals["active"]:
                refused.add("active")
            if vals.get("user_id") and vals["user_id"] != self.env.uid:
                refused.add("user_id")
            if refused:
                raise AccessError(
                    self.env._(
                        "Only a GDPR prospecting manager may set %(fields)s on an opposition: "
                        "a user records the enterprise number, the channel and the reason.",
                        fields=", ".join(
                            self._fields[fname].get_description(self.env)["string"]
                            if fname in self._fields
                            else fname
                            for fname in sorted(refused)
                        ),
                    )
                )

    def write(self, vals):
        """Keep Odoo's own e-mail and phone blacklists in step with the
        opposition: activating an entry feeds them, lifting it takes back what
        it added."""
        self._check_user_values([vals])
        if "bce_number" in vals:
            vals = dict(
                vals, bce_number=self.env["res.partner"]._normalize_bce_number(vals["bce_number"])
            )
        was_active = {entry.id: entry.active for entry in self}
        if (
            "active" in vals
            and not vals["active"]
            and any(was_active.values())
            and not self.env.context.get("rgpd_lifting")
        ):
            raise UserError(
                self.env._("Lift an opposition with the “Lift” button, which asks for the reason.")
            )
        result = super().write(vals)
        if "active" in vals:
            self.filtered(lambda e: e.active and not was_active[e.id])._feed_odoo_blacklists()
            self.filtered(lambda e: not e.active and was_active[e.id])._release_odoo_blacklists()
            self.env["res.partner"].invalidate_model(["rgpd_opted_out"])
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_active(self):
        """Deleting an active entry would silently lose an opposition (also
        through Odoo's privacy lookup, which deletes as superuser): it must be
        lifted first, with a reason."""
        if self.filtered("active"):
            raise UserError(
                self.env._(
                    "An active opposition cannot be deleted: lift it first (managers, with a "
                    "reason), so that the withdrawal is logged."
                )
            )

    def _search(self, domain, offset=0, limit=None, order=None, **kwargs):
        """Find an entry by any spelling of its number, like the contacts."""
        domain = self.env["res.partner"]._normalize_bce_number_domain(domain, "bce_number")
        return super()._search(domain, offset=offset, limit=limit, order=order, **kwargs)

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
                body=self.env._(
                    "Opposition withdrawn: %(reason)s",
                    reason=reason or self.env._("no reason given"),
                ),
                subtype_xmlid="mail.mt_note",
            )
        entries.with_context(rgpd_lifting=True).action_archive()
        erased = entries.sudo().filtered("erased")
        erased.erased = False
        for entry in erased:
            entry.message_post(
                body=self.env._("The erasure is no longer re-applied; its log stays."),
                subtype_xmlid="mail.mt_note",
            )
        return entries

    @api.model
    def _blacklisted_numbers_sql(self):
        """Sub-select of the enterprise numbers under an active opposition."""
        query = self.sudo().with_context(active_test=True)._search([])
        return query.subselect(SQL.identifier(query.table, "bce_number"))

    def _covered_partners(self):
        """The companies of these entries and all their contact persons,
        archived ones included, of every company of the database: an
        opposition covers them all, whoever recorded it."""
        companies = self.sudo()._companies_by_number(self.mapped("bce_number")).values()
        company_ids = [company.id for company in companies]
        return (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("commercial_partner_id", "in", company_ids)])
        )

    def _feed_odoo_blacklists(self):
        """Put every e-mail address and phone number of the covered partners in
        ``mail.blacklist`` and ``phone.blacklist``, which mass mailing and SMS
        marketing enforce. Rows that were not already active are linked to the
        entry so that lifting it removes exactly what it added."""
        mail_blacklist = self.env["mail.blacklist"].sudo().with_context(active_test=False)
        phone_blacklist = self.env["phone.blacklist"].sudo().with_context(active_test=False)
        for entry in self:
            partners = entry._covered_partners()
            message = Markup("<p>%s</p>") % self.env._(
                "Added because enterprise %(number)s objected to prospecting.",
                number=entry.bce_number_display,
            )
            emails = set(partners.mapped("email_normalized")) - {False}
            active_emails = set(
                mail_blacklist.search(
                    [("email", "in", list(emails)), ("active", "=", True)]
                ).mapped("email")
            )
            for email in sorted(emails - active_emails):
                mail_blacklist._add(email, message=message).rgpd_blacklist_id = entry
            numbers = partners._rgpd_phone_numbers()
            active_numbers = set(
                phone_blacklist.search(
                    [("number", "in", list(numbers)), ("active", "=", True)]
                ).mapped("number")
            )
            new_numbers = sorted(numbers - active_numbers)
            if new_numbers:
                phone_blacklist._add(new_numbers, message=message).filtered(
                    lambda row, new=new_numbers: row.number in new
                ).rgpd_blacklist_id = entry

    @api.model
    def _check_feed_rows_change(self, rows, vals=None):
        """A row of Odoo's e-mail or phone blacklist that an opposition put
        there leaves with the opposition only (a manager's lift, run by this
        model as superuser): neither its link nor its state is a user's to
        change, or a mass mailing would reach the company again."""
        if self.env.su:
            return
        if vals is not None and "rgpd_blacklist_id" in vals:
            raise AccessError(
                self.env._(
                    "The link of a blacklisted address to an opposition is set by the module only."
                )
            )
        leaving = vals is None or ("active" in vals and not vals["active"])
        opposition = rows.sudo().rgpd_blacklist_id.filtered("active")
        if leaving and opposition:
            raise UserError(
                self.env._(
                    "%(rows)s carry the opposition of enterprise %(number)s to prospecting: a "
                    "manager lifts it from the prospecting blacklist, with a reason.",
                    rows=", ".join(rows.mapped("display_name")),
                    number=", ".join(opposition.mapped("bce_number_display")),
                )
            )

    @api.model
    def _check_feed_rows_takeout(self, rows, fnames, address_field):
        """The addresses this module put in Odoo's blacklists are the
        prospects' own: taken out in bulk by a manager only, as on the
        contacts."""
        if is_rgpd_manager(self.env) or address_field not in fnames:
            return
        if rows and rows.sudo().filtered("rgpd_blacklist_id"):
            raise AccessError(
                self.env._(
                    "Only a GDPR prospecting manager may take the e-mail addresses and phone "
                    "numbers of prospects out of Odoo (export, vCard, JSON). Open the companies "
                    "one at a time instead."
                )
            )

    def _release_odoo_blacklists(self):
        """Lift the e-mail and phone blacklist rows this opposition added; rows
        a recipient created himself (an unsubscribe) stay."""
        message = Markup("<p>%s</p>") % self.env._(
            "Removed: the opposition of the enterprise was lifted."
        )
        for model in ("mail.blacklist", "phone.blacklist"):
            rows = self.env[model].sudo().search([("rgpd_blacklist_id", "in", self.ids)])
            rows._track_set_log_message(message)
            rows.write({"active": False, "rgpd_blacklist_id": False})

    @api.model
    def _numbers_for_email(self, email):
        """Enterprise numbers of the companies whose own address or one of
        whose contact persons' address is ``email``."""
        normalized = email_normalize(email)
        if not normalized:
            return []
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("email_normalized", "=", normalized)])
        )
        return sorted(set(partners.commercial_partner_id.mapped("bce_number")) - {False})

    @api.model
    def _add_from_unsubscribe(self, email):
        """A recipient unsubscribed from everything on Odoo's mailing page:
        the company behind the address objects to prospecting."""
        numbers = self._numbers_for_email(email)
        if not numbers:
            return self.browse()
        return self.sudo()._add(
            numbers,
            "email_unsubscribe",
            self.env._("Unsubscribed from every mailing on the subscription page."),
        )

    @api.model
    def _remove_from_resubscribe(self, email):
        """A recipient took his address off the exclusion list on Odoo's own
        mailing page: his choice lifts the company's opposition."""
        numbers = self._numbers_for_email(email)
        if not numbers:
            return self.browse()
        return self.sudo()._remove(
            numbers,
            self.env._(
                "The recipient subscribed again on the mailing subscription page (his own choice)."
            ),
        )

    def action_open_lift_wizard(self):
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Lift the opposition"),
            "res_model": "rgpd.blacklist.lift.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_blacklist_ids": self.ids},
        }

    # Erasure log and its re-application

    @api.model
    def _log_erasure(self, partners, reason, request_reference):
        """Record on each company's entry who erased what, when and why, the
        values masked; called before the erasure, with every contact of the
        companies. An entry already erased keeps its first log and notes the
        new run in its chatter."""
        entries = {
            entry.bce_number: entry
            for entry in self.sudo().search(
                [("bce_number", "in", [n for n in partners.mapped("bce_number") if n])]
            )
        }
        for company in partners.commercial_partner_id:
            entry = entries.get(company.bce_number)
            if not entry:
                continue
            if entry.erased:
                entry.message_post(
                    body=self.env._(
                        "Personal data found again (e.g. from a restored backup) and erased "
                        "again by %(user)s.",
                        user=self.env.user.name,
                    ),
                    subtype_xmlid="mail.mt_note",
                )
                continue
            entry.write(
                {
                    "erased": True,
                    "erasure_date": fields.Datetime.now(),
                    "erasure_user_name": self.env.user.name,
                    "erasure_reason": reason,
                    "erasure_request_reference": request_reference or False,
                    "erasure_masked_values": self._masked_values(
                        partners.filtered(lambda p, c=company: p.commercial_partner_id == c)
                    ),
                }
            )

    @api.model
    def _masked_values(self, partners):
        names = sorted({mask_words(name) for name in partners.mapped("name") if name})
        emails = sorted({mask_email(e) for e in partners.mapped("email_normalized") if e})
        phones = sorted({mask_phone(number) for number in partners._rgpd_phone_numbers()})
        lines = [
            (self.env._("Names"), names),
            (self.env._("E-mails"), emails),
            (self.env._("Phones"), phones),
        ]
        return "\n".join(f"{label}: {', '.join(values)}" for label, values in lines if values)

    def _companies_holding_erased_data(self):
        """The companies of these entries (archived ones included) of which
        the company or a contact person holds personal data again."""
        companies = (
            self.env["res.partner"]
            .sudo()
            .concat(*self._companies_by_number(self.mapped("bce_number")).values())
        )
        if not companies:
            return companies
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("commercial_partner_id", "in", companies.ids)])
        )
        accounting = companies._rgpd_accounting_documents()
        kept = accounting.commercial_partner_id if accounting else companies.browse()
        return partners._rgpd_holding_erased_data(kept).commercial_partner_id

    def reapply_erasures(self):
        """Erase again every erased company (of these entries, or of all active
        entries when called on none) whose personal data came back, typically
        from a restored backup once the exported blacklist is imported again.
        Each BCE import runs it too; nothing happens when nothing came back.
        Returns the entries re-applied."""
        self.env["res.partner"]._rgpd_check_manager(self.env._("re-apply erasures"))
        entries = (self or self.search([("erased", "=", True)])).sudo()
        entries = entries.filtered(lambda entry: entry.active and entry.erased)
        companies = {
            company.bce_number: company for company in entries._companies_holding_erased_data()
        }
        reapplied = entries.filtered(lambda entry: entry.bce_number in companies)
        for entry in reapplied:
            companies[entry.bce_number]._rgpd_erase(
                self.env._("Erasure re-applied: %(reason)s", reason=entry.erasure_reason or "-"),
                entry.erasure_request_reference,
            )
        return self.browse(reapplied.ids)

    def action_reapply_erasures(self):
        reapplied = self.reapply_erasures()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if reapplied else "info",
                "message": self.env._(
                    "Erasure re-applied to %(count)s companies.", count=len(reapplied)
                )
                if reapplied
                else self.env._("No erased company holds personal data again: nothing to do."),
            },
        }
