from markupsafe import Markup
from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import email_normalize


class ResPartner(models.Model):
    """Which purposes a prospect may be contacted for, and why: the rule
    mailings and activities apply, and what the prospect's form shows."""

    _inherit = "res.partner"

    rgpd_contactable_summary = fields.Html(
        string="May be contacted for",
        compute="_compute_rgpd_contactable_summary",
        sanitize=False,
        help="For each purpose, whether the company may be contacted for it, and on which "
        "ground: the legal basis, or the consent recorded.",
    )

    rgpd_legitimate_interests = fields.Text(
        string="Legitimate interests pursued",
        compute="_compute_rgpd_legitimate_interests",
        help="The interests pursued by the company's purposes on legitimate interest, as their "
        "current assessments state them, for the information notice (GDPR art. 14.2.b).",
    )

    @api.depends_context("lang")
    @api.depends("commercial_partner_id.rgpd_purpose_ids")
    def _compute_rgpd_legitimate_interests(self):
        for partner in self:
            purposes = partner.commercial_partner_id.sudo().rgpd_purpose_ids
            interests = [
                purpose.current_assessment_id.interest
                for purpose in purposes
                if purpose.legal_basis == "legitimate_interest"
                and purpose.current_assessment_id.interest
            ]
            partner.rgpd_legitimate_interests = "\n".join(dict.fromkeys(interests)) or False

    @api.depends_context("lang")
    @api.depends(
        "commercial_partner_id.rgpd_purpose_ids",
        "commercial_partner_id.rgpd_legal_basis",
        "commercial_partner_id.is_bce_prospect",
        "commercial_partner_id.rgpd_consent_ids.state",
    )
    def _compute_rgpd_contactable_summary(self):
        """The policy's answer for each purpose, as a mailing would get it."""
        purposes = self.env["rgpd.purpose"].sudo().search([])  # pylint: disable=no-search-all
        companies = self.commercial_partner_id.filtered("is_bce_prospect")
        policy = self.env["rgpd.contact.policy"]
        decisions = {purpose: policy.decide(companies, "email", purpose) for purpose in purposes}
        for partner in self:
            company = partner.commercial_partner_id
            if company not in companies:
                partner.rgpd_contactable_summary = False
                continue
            rows = [
                Markup("<tr><td>%s</td><td>%s</td><td>%s</td></tr>")
                % (
                    purpose.name,
                    self.env._("Yes") if decision.allowed else self.env._("No"),
                    decision.reason,
                )
                for purpose in purposes
                for decision in [decisions[purpose][company.id]]
            ]
            partner.rgpd_contactable_summary = Markup(
                '<table class="table table-sm o_rgpd_contactable"><thead><tr>'
                "<th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>%s</tbody></table>"
            ) % (
                self.env._("Purpose"),
                self.env._("May be contacted"),
                self.env._("Why"),
                Markup("").join(rows),
            )

    @api.model
    def _rgpd_partners_by_record(self, records):
        """For each record a mailing targets, the contacts the contact policy
        decides for: the record's ``partner_id`` (a lead's, an order's), else
        the contacts whose e-mail or phone is the record's. Any contact, not
        only prospects: a company typed by hand may be an opposed company's
        twin, which the policy recognises."""
        records = records.sudo().with_context(active_test=False)
        Partner = self.sudo().with_context(active_test=False)
        partners = {}
        field = records._fields.get("partner_id")
        if field and field.type == "many2one" and field.comodel_name == "res.partner":
            partners = {record.id: record.partner_id for record in records if record.partner_id}
        pending = records.filtered(lambda r: r.id not in partners)
        emails = {record.id: self._rgpd_record_email(record) for record in pending}
        phones = {
            record.id: record.phone_sanitized
            for record in pending
            if "phone_sanitized" in record._fields and record.phone_sanitized
        }
        if not any(emails.values()) and not phones:
            return partners
        matched = Partner.search(
            Domain("email_normalized", "in", [e for e in emails.values() if e])
            | Domain("phone_sanitized", "in", list(phones.values()))
            | Domain("rgpd_other_phone_sanitized", "in", list(phones.values()))
        )
        by_key = {}
        for partner in matched:
            for key in (
                partner.email_normalized,
                partner.phone_sanitized,
                partner.rgpd_other_phone_sanitized,
            ):
                if key:
                    by_key[key] = by_key.get(key, Partner) | partner
        for record in pending:
            found = by_key.get(emails.get(record.id), Partner) | by_key.get(
                phones.get(record.id), Partner
            )
            if found:
                partners[record.id] = found
        return partners

    @api.model
    def _rgpd_record_email(self, record):
        if "email_normalized" in record._fields:
            return record.email_normalized
        for fname in ("email", "email_from"):
            if fname in record._fields and record[fname]:
                return email_normalize(record[fname])
        return False
