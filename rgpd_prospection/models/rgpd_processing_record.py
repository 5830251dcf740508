import io

from odoo import api, fields, models
from odoo.tools import format_date
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from ..bce_engine.spreadsheet import append_text_row
from .res_partner_privacy import BULK_READ_LIMIT
from .rgpd_purpose_assessment import ASSESSMENT_PARTS

DPO_EMAIL_PARAM = "rgpd_prospection.dpo_email"
RECIPIENTS_PARAM = "rgpd_prospection.record_recipients"
SECURITY_PARAM = "rgpd_prospection.record_security"


class RgpdProcessingRecord(models.TransientModel):  # pylint: disable=no-wizard-in-models
    """The record of the prospecting processing (GDPR art. 30), built from the
    settings and the data each time it is opened, so it never goes stale."""

    _name = "rgpd.processing.record"
    _description = "Record of processing activities"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, readonly=True
    )
    date = fields.Date(default=fields.Date.context_today, readonly=True)
    body = fields.Html(compute="_compute_body", sanitize=False)

    @api.depends("company_id", "date")
    def _compute_body(self):
        for record in self:
            record.body = self.env["ir.qweb"]._render(
                "rgpd_prospection.rgpd_processing_record_sections", {"sections": record._sections()}
            )

    def _sections(self):
        """(title, lines) pairs: the headings art. 30.1 asks for."""
        self.ensure_one()
        params = self.env["ir.config_parameter"].sudo()
        company = self.company_id
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        months = self.env["rgpd.retention.run"]._retention_months()
        number, snapshot = self.env["rgpd.access.report"]._data_source()
        # every purpose (a few configuration records) is on the record
        purposes = self.env["rgpd.purpose"].sudo().search([])  # pylint: disable=no-search-all
        basis_labels = dict(purposes._fields["legal_basis"]._description_selection(self.env))
        contact = params.get_param(DPO_EMAIL_PARAM) or company.email or ""
        source = [
            self.env._("Open data of the Crossroads Bank for Enterprises (BCE/KBO), public data.")
        ]
        if number:
            source.append(
                self.env._(
                    "Last extract imported: number %(number)s of %(date)s.",
                    number=number,
                    date=format_date(self.env, snapshot) if snapshot else "",
                )
            )
        source.append(
            self.env._(
                "Reused under the licence of the BCE/KBO open data: source and date named in "
                "every file about prospects; no data of natural persons kept."
            )
        )
        return [
            (
                self.env._("Controller"),
                [
                    ", ".join(
                        filter(None, [company.name, company.street, company.zip, company.city])
                    ),
                    self.env._("Privacy contact: %(contact)s", contact=contact),
                ],
            ),
            (
                self.env._("Processing"),
                [
                    self.env._(
                        "Direct marketing to companies (B2B prospecting) from the BCE open data."
                    )
                ],
            ),
            (
                self.env._("Purposes and legal basis"),
                [f"{purpose.name}: {basis_labels[purpose.legal_basis]}" for purpose in purposes],
            ),
            (self.env._("Legitimate-interest assessments"), self._assessment_lines(purposes)),
            (
                self.env._("Who may be contacted"),
                self.env["rgpd.contact.policy"]._rule_descriptions(),
            ),
            (
                self.env._("Categories of data subjects"),
                [
                    self.env._(
                        "Companies (legal persons) and the contact persons who gave their "
                        "consent; enterprises of natural persons are excluded."
                    )
                ],
            ),
            (
                self.env._("Categories of data"),
                [
                    self.env._(
                        "Enterprise number, name, juridical form, NACE activities, postal code "
                        "and address of the seat, generic company e-mail and phone; nominative "
                        "e-mails only with consent; consents, oppositions and contact history."
                    )
                ],
            ),
            (self.env._("Source"), source),
            (
                self.env._("Recipients"),
                [
                    params.get_param(RECIPIENTS_PARAM)
                    or self.env._("The sales team of the controller.")
                ],
            ),
            (self.env._("Transfers outside the EU"), [self.env._("None.")]),
            (
                self.env._("Retention"),
                [
                    self.env._(
                        "%(months)s months after the last contact coming from the prospect "
                        "(or its import), then the personal data are removed; the enterprise "
                        "number of a company that objected is kept in the blacklist.",
                        months=months,
                    )
                ],
            ),
            (
                self.env._("Security measures"),
                [
                    params.get_param(SECURITY_PARAM) or "",
                    self.env._(
                        "Access limited to the GDPR prospecting roles; the roles do not grant "
                        "the export right; oppositions, erasures and retention runs are logged."
                    ),
                ],
            ),
            (
                self.env._("What each role may take out"),
                [
                    self.env._(
                        "GDPR prospecting / User (sales): reads the prospects one company at a "
                        "time; cannot take their e-mails and phones out in bulk (list export, "
                        "vCard, JSON routes and API, grouping by them, one read of more than "
                        "%(limit)s prospects), even with Odoo's export right; neither produces "
                        "nor opens the access and portability files; records oppositions but "
                        "cannot write the erasure log, lift an opposition or set the retention "
                        "dates.",
                        limit=BULK_READ_LIMIT,
                    ),
                    self.env._(
                        "GDPR prospecting / Manager (data protection officer): may export the "
                        "prospects' contact data (with Odoo's export right), produces and opens "
                        "the access and portability files, confirms erasures, lifts oppositions "
                        "and corrects the retention dates, each correction tracked in the chatter."
                    ),
                ],
            ),
            (
                self.env._("Current figures"),
                [
                    self.env._(
                        "%(prospects)s prospects, %(blacklisted)s enterprises in the blacklist, "
                        "%(consents)s consents given.",
                        prospects=Partner.search_count(
                            [("is_bce_prospect", "=", True), ("is_company", "=", True)]
                        ),
                        blacklisted=self.env["rgpd.blacklist"].sudo().search_count([]),
                        consents=self.env["rgpd.consent"]
                        .sudo()
                        .search_count([("state", "=", "given")]),
                    )
                ],
            ),
        ]

    def _assessment_lines(self, purposes):
        """For each purpose on legitimate interest, its current assessment
        (GDPR art. 6.1.f, 5.2), or what is still missing."""
        lines = []
        for purpose in purposes.filtered(lambda p: p.legal_basis == "legitimate_interest"):
            assessment = purpose.current_assessment_id
            if not assessment:
                lines.append(
                    self.env._(
                        "%(purpose)s: assessment not completed yet; mailings for this purpose "
                        "wait.",
                        purpose=purpose.name,
                    )
                )
                continue
            outcome = dict(assessment._fields["outcome"]._description_selection(self.env))
            lines += [
                self.env._(
                    "%(purpose)s: version %(version)s, completed on %(date)s by %(author)s; "
                    "outcome: %(outcome)s.",
                    purpose=purpose.name,
                    version=assessment.version,
                    date=format_date(self.env, assessment.date),
                    author=assessment.author_id.name or "",
                    outcome=outcome.get(assessment.outcome, ""),
                ),
                *(
                    f"{assessment._fields[fname].get_description(self.env)['string']}: "
                    f"{assessment[fname]}"
                    for fname in ASSESSMENT_PARTS
                    if fname != "outcome" and assessment[fname]
                ),
            ]
        return lines

    def _to_xlsx(self):
        self.ensure_one()
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = self.env._("Record of processing")[:31]
        append_text_row(sheet, [self.env._("Heading"), self.env._("Content")])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for title, lines in self._sections():
            append_text_row(sheet, [title, "\n".join(line for line in lines if line)])
        sheet.column_dimensions["A"].width = 30
        sheet.column_dimensions["B"].width = 100
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        stream = io.BytesIO()
        workbook.save(stream)
        return stream.getvalue()

    def action_export_xlsx(self):
        self.ensure_one()
        attachment = self.env["ir.attachment"].create(
            {
                "name": self.env._(
                    "Record of processing %(date)s.xlsx", date=self.date.isoformat()
                ),
                "raw": self._to_xlsx(),
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        return self.env["rgpd.access.report"]._download_action(attachment)

    def action_print(self):
        return self.env.ref("rgpd_prospection.rgpd_processing_record_report").report_action(self)
