"""Opposition (GDPR art. 21): a company whose enterprise number is on the
blacklist is opted out, with every contact person of it; its addresses feed
Odoo's mail and phone blacklists; ``rgpd.contact.policy`` refuses every
message to it. And the doors around an opposition: a company typed again by
hand, a search that must find the opposed company even archived."""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import email_normalize

from ..bce_engine.numbers import enterprise_number_or_none, format_enterprise_number
from ..tools import is_rgpd_manager

OPPOSITION_MATCH = "rgpd_opposition_match"


def number_from_vat(vat):
    """The enterprise number of a Belgian VAT number (BE + the 10 digits),
    ``False`` for another country's or an invalid one."""
    vat = (vat or "").strip()
    if not vat.upper().startswith("BE"):
        return False
    return enterprise_number_or_none(vat) or False


class ResPartner(models.Model):
    _inherit = "res.partner"

    rgpd_opted_out = fields.Boolean(
        string="Opted out",
        compute="_compute_rgpd_opted_out",
        search="_search_rgpd_opted_out",
        help="The company's enterprise number is in the prospecting blacklist: it objected to "
        "prospecting and must not be contacted.",
    )

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
            raise UserError(self.env._("Search opted-out contacts with “is set” or “is not set”."))
        opted_out = [
            (
                "commercial_partner_id.bce_number",
                "in",
                self.env["rgpd.blacklist"]._blacklisted_numbers_sql(),
            )
        ]
        return opted_out if (operator == "=") == value else ~Domain(opted_out)

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
        """Every phone number in E.164, as ``phone.blacklist`` stores
        them; Belgium is assumed when the contact has no country."""
        belgium = self.env.ref("base.be", raise_if_not_found=False)
        numbers = set()
        for partner in self:
            for number in (partner.phone, partner.rgpd_other_phone):
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

    def action_rgpd_record_opposition(self):
        self.env["rgpd.blacklist"].check_access("create")
        return self._rgpd_open_wizard("rgpd.opposition.wizard", self.env._("Record an opposition"))

    rgpd_opposition_match = fields.Char(
        string="Opposed company (number, VAT, e-mail)",
        compute="_compute_rgpd_opposition_match",
        search="_search_rgpd_opposition_match",
        help="Search helper: an enterprise number, a VAT number or an e-mail address finds the "
        "companies that objected to prospecting and their contact persons, archived ones "
        "included.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        if any(vals.get("vat") for vals in vals_list):
            partners._rgpd_fill_bce_number_from_vat()
        return partners

    def write(self, vals):
        self._rgpd_check_keeps_opposition(vals)
        result = super().write(vals)
        if vals.get("vat"):
            self._rgpd_fill_bce_number_from_vat()
        return result

    def _rgpd_check_keeps_opposition(self, vals):
        """The opposition is keyed by the company's number and covers its
        contact persons: only a manager may change the number of an opposed
        company or take a contact person out of it."""
        if not {"bce_number", "bce_number_display", "parent_id"} & set(vals):
            return
        if is_rgpd_manager(self.env):
            return
        normalize = self._normalize_bce_number
        for partner in self.sudo().filtered("rgpd_opted_out"):
            number_changed = partner.is_company and any(
                fname in vals and normalize(vals[fname]) != partner.bce_number
                for fname in ("bce_number", "bce_number_display")
            )
            parent_changed = "parent_id" in vals and vals["parent_id"] != partner.parent_id.id
            if number_changed or (parent_changed and partner.parent_id):
                raise UserError(
                    self.env._(
                        "%(company)s objected to prospecting: only a GDPR prospecting manager "
                        "may change its enterprise number or take a contact person out of it.",
                        company=partner.commercial_partner_id.name,
                    )
                )

    def _rgpd_fill_bce_number_from_vat(self):
        """A Belgian VAT number is BE and the enterprise number: a company typed
        with its VAT only gets its number, so that an opposition (and the one
        company per number rule) holds for it at once, whoever created it."""
        for partner in self.filtered(lambda p: p.vat and not p.bce_number and not p.parent_id):
            number = number_from_vat(partner.vat)
            if number:
                partner.write({"bce_number": number})

    def _compute_rgpd_opposition_match(self):
        self.rgpd_opposition_match = False

    @api.model
    def _rgpd_opposed_partners_matching(self, value):
        """Contacts of opposed companies, archived ones included, whose
        enterprise number, VAT number or e-mail address is ``value``."""
        if not isinstance(value, str) or not value.strip():
            return self.browse()
        value = value.strip()
        literal = value.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
        leaves = [[("vat", "=ilike", literal)]]
        number = number_from_vat(value) or enterprise_number_or_none(value)
        if number:
            leaves += [
                [("commercial_partner_id.bce_number", "=", number)],
                [("commercial_partner_id.vat", "=ilike", f"BE{number}")],
            ]
        email = email_normalize(value)
        if email:
            leaves.append([("email_normalized", "=", email)])
        partners = (
            self.sudo()
            .with_context(active_test=False)
            .search(Domain.AND([[("rgpd_opted_out", "=", True)], Domain.OR(leaves)]))
        )
        return self.browse(partners.ids)

    def _search_rgpd_opposition_match(self, operator, value):
        if operator not in ("=", "ilike"):
            raise UserError(self.env._("Search opposed companies by their number, VAT or e-mail."))
        return [("id", "in", self._rgpd_opposed_partners_matching(value).ids)]

    def _search(self, domain, offset=0, limit=None, order=None, *, active_test=True, **kwargs):
        """Searching an opposed company by its number, VAT or e-mail finds it
        even archived: a sales user who finds nothing would create it again."""
        domain = Domain(domain)
        conditions = list(domain.iter_conditions())
        matches = [c for c in conditions if c.field_expr == OPPOSITION_MATCH]
        if (
            matches
            and self._active_name
            and active_test
            and self.env.context.get("active_test", True)
            and not any(c.field_expr == self._active_name for c in conditions)
        ):
            domain &= Domain(self._active_name, "=", True) | Domain.OR(matches)
        return super()._search(
            domain, offset=offset, limit=limit, order=order, active_test=active_test, **kwargs
        )

    @api.onchange("bce_number_display", "vat", "email")
    def _onchange_rgpd_opposition_warning(self):
        """Warn while typing a company that objected to prospecting (the save
        flags it as opposed): its number, VAT or e-mail address is known."""
        values = {
            self.bce_number_display,
            number_from_vat(self.vat),
            self.email,
        } - {False, None, ""}
        opposed = self.browse()
        for value in values:
            opposed |= self._rgpd_opposed_partners_matching(value)
        opposed = opposed.sudo().commercial_partner_id - self._origin
        email = email_normalize(self.email or "")
        blacklisted_email = email and self.env["mail.blacklist"].sudo().search_count(
            [("email", "=", email)], limit=1
        )
        if not opposed and not blacklisted_email:
            return None
        lines = [
            self.env._(
                "%(company)s (enterprise number %(number)s, %(state)s) objected to prospecting: "
                "do not create it again, do not mail or call it.",
                company=company.name,
                number=format_enterprise_number(company.bce_number) if company.bce_number else "-",
                state=self.env._("archived") if not company.active else self.env._("active"),
            )
            for company in opposed[:5]
        ]
        if blacklisted_email:
            lines.append(
                self.env._(
                    "%(email)s is on the e-mail blacklist: no prospecting mail will be sent to it.",
                    email=email,
                )
            )
        return {
            "warning": {"title": self.env._("Opposed to prospecting"), "message": "\n".join(lines)},
        }

    def _rgpd_notice_missing_values(self):
        """What the information notice would print empty for this contact."""
        self.ensure_one()
        company = self.commercial_partner_id
        checks = [
            (company.name and company.name.strip(), self.env._("the company's name")),
            (company.bce_number, self.env._("the enterprise number")),
            (self.email_normalized, self.env._("the e-mail address")),
            (company.rgpd_purpose_ids, self.env._("at least one purpose")),
            (self.rgpd_privacy_contact, self.env._("the privacy contact (settings)")),
            (self.env.company.name, self.env._("your company's name")),
        ]
        return [label for value, label in checks if not value]

    def _rgpd_acknowledgement_missing_values(self):
        self.ensure_one()
        company = self.commercial_partner_id
        checks = [
            (company.name and company.name.strip(), self.env._("the company's name")),
            (company.bce_number, self.env._("the enterprise number")),
        ]
        return [label for value, label in checks if not value]

    def _rgpd_check_template_values(self, missing_method):
        """Refuse to send a template of the module that would print an empty
        required value ("your enterprise number is .")."""
        for partner in self.sudo():
            missing = getattr(partner, missing_method)()
            if missing:
                raise UserError(
                    self.env._(
                        "The mail to %(partner)s is not sent: %(missing)s is missing. Fill it in "
                        "first.",
                        partner=partner.display_name,
                        missing=", ".join(missing),
                    )
                )
