from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import email_normalize


class RgpdOppositionMixin(models.AbstractModel):
    """Opposition (GDPR art. 21): a company whose enterprise number is on the
    blacklist is opted out, with every contact person of it; its addresses
    feed Odoo's mail and phone blacklists; ``rgpd.contact.policy`` refuses
    every message to it.
    Mixed into ``res.partner``; the guards on its writes are in
    ``res_partner_opposition.py``."""

    _name = "rgpd.opposition.mixin"
    _description = "GDPR opposition of a company"

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
