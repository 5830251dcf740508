from odoo import api, fields, models
from odoo.tools import email_normalize

from ..bce_engine.numbers import format_enterprise_number

# Context key the module's actions and fields set where companies of the same
# name meet (prospect lists, requests, consents, oppositions): their display
# name then carries the enterprise number.
SHOW_NUMBER_KEY = "rgpd_show_bce_number"


class ResPartner(models.Model):
    _inherit = "res.partner"

    rgpd_source_extract_number = fields.Integer(
        string="Source extract",
        compute="_compute_rgpd_source",
        help="The BCE extract the company's data come from, for the information notice: "
        "its own, else the last applied one.",
    )
    rgpd_source_date = fields.Date(
        string="Source data date",
        compute="_compute_rgpd_source",
        help="Date of the BCE data of that extract, for the information notice.",
    )

    @api.depends("commercial_partner_id.bce_extract_number")
    def _compute_rgpd_source(self):
        last = (
            self.env["rgpd.bce.import"]
            .sudo()
            .search([("state", "=", "done")], order="extract_number desc, id desc", limit=1)
        )
        for partner in self:
            company = partner.commercial_partner_id
            if company.bce_extract_number:
                partner.rgpd_source_extract_number = company.bce_extract_number
                partner.rgpd_source_date = company.bce_snapshot_date
            else:
                partner.rgpd_source_extract_number = last.extract_number
                partner.rgpd_source_date = last.snapshot_date

    @api.depends_context(SHOW_NUMBER_KEY, "formatted_display_name", "show_vat", "show_address")
    @api.depends("bce_number")
    def _compute_display_name(self):  # pylint: disable=missing-return
        """``ALPHABUILD ‒ 0207.288.802`` while prospecting: four companies of
        one name are told apart in lists, dropdowns and breadcrumbs. Wherever
        a company is picked (every many2one dropdown asks for the formatted
        name) or Odoo shows the VAT, the enterprise number stands in for a VAT
        the prospect does not have."""
        super()._compute_display_name()
        context = self.env.context
        for partner in self:
            if not (partner.is_company and partner.bce_number):
                continue
            number = format_enterprise_number(partner.bce_number)
            if context.get("formatted_display_name"):
                partner.display_name = f"{partner.display_name} \t --{number}--"
            elif context.get(SHOW_NUMBER_KEY):
                partner.display_name = f"{partner.display_name} ‒ {number}"
            elif context.get("show_vat") and not partner.vat:
                separator = "\n" if context.get("show_address") else " - "
                partner.display_name = f"{partner.display_name}{separator}{number}"

    def _rgpd_reader_lang(self):
        """The language of the notes about this company: its salesperson's,
        else its own, else the installation's main language. A note is written
        once, so it does not follow the user who happened to trigger it."""
        self.ensure_one()
        installed = {code for code, _name in self.env["res.lang"].get_installed()}
        for lang in (self.user_id.lang, self.lang):
            if lang in installed:
                return lang
        return self._rgpd_main_lang()

    @api.model
    def _rgpd_main_lang(self):
        """The installation's main language: the main company's, else the
        administrator's. Notes that are not about one company (an import's,
        an assessment's) are written in it, whoever triggered them."""
        installed = {code for code, _name in self.env["res.lang"].get_installed()}
        company = self.env.ref("base.main_company", raise_if_not_found=False)
        admin = self.env.ref("base.user_admin", raise_if_not_found=False)
        for lang in (company and company.partner_id.lang, admin and admin.lang):
            if lang in installed:
                return lang
        return "en_US"

    def _rgpd_acknowledgement_recipient(self, email=False):
        """Whom the acknowledgement of an opposition goes to: the contact
        whose address objected, else the company, else a contact person."""
        self.ensure_one()
        candidates = (self | self.with_context(active_test=False).child_ids).filtered(
            "email_normalized"
        )
        normalized = email_normalize(email or "")
        own = candidates.filtered(lambda partner: partner.email_normalized == normalized)
        return (own or candidates)[:1]

    def _rgpd_unsubscribe(self, reason):
        """The notice's link acknowledges the opposition like every channel."""
        entry = super()._rgpd_unsubscribe(reason)
        if entry._name == "rgpd.blacklist":
            entry._acknowledge_opposition(email=self.email)
        return entry
