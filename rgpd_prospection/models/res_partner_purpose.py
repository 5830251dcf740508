from markupsafe import Markup, escape
from odoo import api, fields, models
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
        purposes = self.env["rgpd.purpose"].sudo().search([])  # pylint: disable=no-search-all
        basis_labels = dict(purposes._fields["legal_basis"]._description_selection(self.env))
        for partner in self:
            company = partner.commercial_partner_id
            if not company.is_bce_prospect:
                partner.rgpd_contactable_summary = False
                continue
            rows = [
                Markup("<tr><td>%s</td><td>%s</td><td>%s</td></tr>")
                % (
                    purpose.name,
                    self.env._("Yes") if allowed else self.env._("No"),
                    reason,
                )
                for purpose in purposes
                for allowed, reason in [company._rgpd_purpose_reason(purpose, basis_labels)]
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

    def _rgpd_purpose_reason(self, purpose, basis_labels):
        """(allowed, reason) for one company and one purpose, in words."""
        self.ensure_one()
        company = self.sudo()
        if company.rgpd_opted_out:
            return False, self.env._("The company objected to prospecting.")
        if purpose not in company.rgpd_purpose_ids:
            return False, self.env._("Not one of the company's purposes.")
        if company._rgpd_needs_consent_for(purpose):
            consent = company._rgpd_consents_for(purpose)[:1]
            if consent.state == "given":
                return True, self.env._(
                    "Consent given on %(date)s (%(channel)s).",
                    date=consent.date,
                    channel=dict(consent._fields["channel"]._description_selection(self.env))[
                        consent.channel
                    ],
                )
            if consent:
                return False, self.env._(
                    "Consent withdrawn on %(date)s.", date=consent.withdrawal_date or ""
                )
            return False, self.env._("Consent needed, none recorded.")
        basis = purpose.legal_basis if purpose.legal_basis != "consent" else "legitimate_interest"
        reason = basis_labels.get(basis, "")
        if basis == "legitimate_interest":
            problem = purpose._assessment_problem()
            current = purpose.sudo().current_assessment_id
            if current:
                reason = self.env._(
                    "%(basis)s (assessment version %(version)s of %(date)s)",
                    basis=reason,
                    version=current.version,
                    date=current.date,
                )
            if problem:
                return False, escape(reason) + Markup("<br/>") + problem
        return True, reason

    def _rgpd_needs_consent_for(self, purpose):
        self.ensure_one()
        return purpose.legal_basis == "consent" or self.rgpd_legal_basis == "consent"

    def _rgpd_consents_for(self, purpose):
        """The consents of the company and its contact persons for ``purpose``,
        given ones first."""
        consents = (
            self.env["rgpd.consent"]
            .sudo()
            .search([("company_partner_id", "in", self.ids), ("purpose_id", "=", purpose.id)])
        )
        return consents.sorted(lambda c: (c.state != "given", c.id))

    def _rgpd_contactable_for(self, purpose):
        """Among these prospect companies, those a mailing for ``purpose``
        may reach: the purpose is one of theirs (the default purposes for
        those that follow them), they did not object, and where consent is
        the basis it is given and not withdrawn. No purpose, no prospect."""
        companies = self.sudo().with_context(active_test=False)
        if not purpose or not companies:
            return self.browse()
        allowed = companies.search(
            [
                ("id", "in", companies.ids),
                ("rgpd_purpose_ids", "in", purpose.ids),
                ("rgpd_opted_out", "=", False),
            ]
        )
        needs_consent = allowed.filtered(lambda c: c._rgpd_needs_consent_for(purpose))
        if needs_consent:
            consenting = (
                self.env["rgpd.consent"]
                .sudo()
                .search(
                    [
                        ("company_partner_id", "in", needs_consent.ids),
                        ("purpose_id", "=", purpose.id),
                        ("state", "=", "given"),
                    ]
                )
                .company_partner_id
            )
            allowed -= needs_consent - consenting
        return self.browse(allowed.ids)

    @api.model
    def _rgpd_prospects_by_record(self, records):
        """For each record a mailing targets, the BCE prospect companies it
        reaches: a contact through its company; a mailing contact, a lead or
        any record with a ``partner_id`` through that partner, else through
        its e-mail or phone matched to contacts."""
        records = records.sudo().with_context(active_test=False)
        Partner = self.sudo().with_context(active_test=False)
        partners = {}
        if records._name == "res.partner":
            partners = {record.id: record for record in records}
        else:
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
            matched = Partner.search(
                [
                    ("commercial_partner_id.is_bce_prospect", "=", True),
                    "|",
                    ("email_normalized", "in", [e for e in emails.values() if e] or [""]),
                    ("phone_sanitized", "in", list(phones.values()) or [""]),
                ]
            )
            by_email, by_phone = {}, {}
            for partner in matched:
                if partner.email_normalized:
                    by_email.setdefault(partner.email_normalized, Partner)
                    by_email[partner.email_normalized] |= partner
                if partner.phone_sanitized:
                    by_phone.setdefault(partner.phone_sanitized, Partner)
                    by_phone[partner.phone_sanitized] |= partner
            for record in pending:
                found = by_email.get(emails.get(record.id), Partner) | by_phone.get(
                    phones.get(record.id), Partner
                )
                if found:
                    partners[record.id] = found
        return {
            res_id: found.commercial_partner_id.filtered("is_bce_prospect")
            for res_id, found in partners.items()
            if found.commercial_partner_id.filtered("is_bce_prospect")
        }

    @api.model
    def _rgpd_record_email(self, record):
        if "email_normalized" in record._fields:
            return record.email_normalized
        for fname in ("email", "email_from"):
            if fname in record._fields and record[fname]:
                return email_normalize(record[fname])
        return False
