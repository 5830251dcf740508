import datetime
import io
import json

from odoo import api, fields, models
from odoo.tools import html2plaintext
from openpyxl import Workbook
from openpyxl.styles import Font

from ..bce_engine.spreadsheet import append_text_row

COMPANY_FIELDS = [
    "name",
    "bce_number_display",
    "bce_juridical_form_id",
    "bce_start_date",
    "bce_main_nace_id",
    "bce_nace_ids",
    "street",
    "street2",
    "zip",
    "city",
    "country_id",
    "email",
    "phone",
    "rgpd_other_phone",
    "website",
    "lang",
    "comment",
    "is_bce_prospect",
    "rgpd_legal_basis",
    "rgpd_purpose_ids",
    "rgpd_last_contact_date",
    "rgpd_retention_date",
    "rgpd_expired",
    "rgpd_expired_date",
    "rgpd_notice_date",
    "rgpd_opted_out",
    "rgpd_anonymized",
    "create_date",
]
PERSON_FIELDS = [
    "name",
    "function",
    "email",
    "phone",
    "rgpd_other_phone",
    "lang",
    "rgpd_has_consent",
]
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RgpdAccessReport(models.AbstractModel):
    """Everything the database holds on one company, for the right of access
    (GDPR art. 15) and portability (art. 20). One collection feeds both the
    Excel file and the JSON file, so they never disagree."""

    _name = "rgpd.access.report"
    _description = "Data subject access report"

    @api.model
    def _collect(self, company):
        """Sections in reading order: each a key, a title, column names and
        rows of plain values (text, numbers, booleans, ISO dates). Gathered
        as superuser (the opposition, the consents, the history): for managers
        only, who may read all of it."""
        self.env["res.partner"]._rgpd_check_manager(self.env._("produce a personal data file"))
        company = company.sudo().with_context(active_test=False)
        persons = company.child_ids
        partners = company | persons
        sections = [
            self._section(
                "company",
                self.env._("Company"),
                [self.env._("Field"), self.env._("Value")],
                [
                    [
                        company._fields[f].get_description(self.env)["string"],
                        self._value(company, f),
                    ]
                    for f in COMPANY_FIELDS
                    if f in company._fields
                ],
            ),
            self._section(
                "source",
                self.env._("Source"),
                [self.env._("Field"), self.env._("Value")],
                [
                    [
                        self.env._("Source of the data"),
                        self.env._("BCE/KBO open data (Crossroads Bank for Enterprises)"),
                    ],
                    [self.env._("BCE extract number"), company.bce_extract_number],
                    [self.env._("BCE snapshot date"), company.bce_snapshot_date],
                    [self.env._("Last BCE sync"), company.bce_last_sync],
                    *self._source_rows(),
                ],
            ),
            self._section(
                "purposes",
                self.env._("Purposes"),
                [self.env._("Purpose"), self.env._("Legal basis"), self.env._("Description")],
                [
                    [
                        purpose.name,
                        self._selection_label(company, "rgpd_legal_basis"),
                        purpose.description,
                    ]
                    for purpose in company.rgpd_purpose_ids
                ],
            ),
            self._section(
                "contact_persons",
                self.env._("Contact persons"),
                [persons._fields[f].get_description(self.env)["string"] for f in PERSON_FIELDS],
                [[self._value(person, f) for f in PERSON_FIELDS] for person in persons],
            ),
            self._section(
                "consents",
                self.env._("Consents"),
                [
                    self.env._("Given by"),
                    self.env._("Purpose"),
                    self.env._("State"),
                    self.env._("Date"),
                    self.env._("Withdrawn on"),
                    self.env._("Channel"),
                    self.env._("Proof"),
                ],
                [
                    [
                        c.partner_id.name,
                        c.purpose_id.name,
                        self._value(c, "state"),
                        c.date,
                        c.withdrawal_date,
                        self._value(c, "channel"),
                        c.proof,
                    ]
                    for c in self.env["rgpd.consent"]
                    .sudo()
                    .search([("company_partner_id", "=", company.id)])
                ],
            ),
            self._section(
                "opposition",
                self.env._("Opposition"),
                [
                    self.env._("Active"),
                    self.env._("Date"),
                    self.env._("Channel"),
                    self.env._("Reason"),
                ],
                [
                    [entry.active, entry.date, self._value(entry, "channel"), entry.reason]
                    for entry in self.env["rgpd.blacklist"]
                    .sudo()
                    .with_context(active_test=False)
                    .search([("bce_number", "=", company.bce_number or False)])
                ],
            ),
            self._section(
                "contact_history",
                self.env._("Contact history"),
                [
                    self.env._("Date"),
                    self.env._("Type"),
                    self.env._("Author"),
                    self.env._("Subject"),
                    self.env._("Content"),
                ],
                [
                    [
                        m.date,
                        self._value(m, "message_type"),
                        m.author_id.name or m.email_from,
                        m.subject,
                        html2plaintext(m.body or ""),
                    ]
                    for m in self.env["mail.message"]
                    .sudo()
                    .search(
                        [("model", "=", "res.partner"), ("res_id", "in", partners.ids)],
                        order="date, id",
                    )
                ],
            ),
            self._section(
                "requests",
                self.env._("Requests"),
                [
                    self.env._("Reference"),
                    self.env._("Type"),
                    self.env._("Received"),
                    self.env._("Due"),
                    self.env._("State"),
                ],
                [
                    [
                        r.name,
                        self._value(r, "request_type"),
                        r.received_date,
                        r.due_date,
                        self._value(r, "state"),
                    ]
                    for r in self.env["rgpd.request"]
                    .sudo()
                    .search([("partner_id", "in", partners.ids)])
                ],
            ),
        ]
        return sections

    @api.model
    def _data_source(self):
        """(extract number, snapshot date) of the BCE data the database holds:
        the last import applied, else the newest extract a prospect came from."""
        last = self.env["rgpd.bce.import"].sudo()._last_done()
        if last:
            return last.extract_number, last.snapshot_date
        newest = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("bce_extract_number", "!=", 0)], order="bce_extract_number desc", limit=1)
        )
        return newest.bce_extract_number, newest.bce_snapshot_date

    @api.model
    def _source_rows(self):
        """The source and the date of the data, as the BCE licence asks every
        file made from them to name."""
        number, snapshot = self._data_source()
        return [
            [self.env._("Last BCE extract applied"), number or ""],
            [self.env._("Its snapshot date"), snapshot or ""],
            [
                self.env._("Licence"),
                self.env._(
                    "BCE/KBO open data, reused under its licence: source and date named; no "
                    "data of natural persons kept."
                ),
            ],
        ]

    @api.model
    def _section(self, key, title, columns, rows):
        return {
            "key": key,
            "title": title,
            "columns": columns,
            "rows": [[self._plain(value) for value in row] for row in rows],
        }

    @api.model
    def _value(self, record, fname):
        """A field's value as the user reads it: selections by their label."""
        if record._fields[fname].type == "selection":
            return self._selection_label(record, fname)
        return record[fname]

    @api.model
    def _selection_label(self, record, fname):
        return dict(record._fields[fname]._description_selection(self.env)).get(record[fname])

    @api.model
    def _plain(self, value):
        """A value openpyxl and JSON both take: text for records and dates."""
        if isinstance(value, models.BaseModel):
            return ", ".join(value.mapped("display_name"))
        if isinstance(value, (datetime.date, datetime.datetime)):
            return value.isoformat()
        if value is False or value is None:
            return ""
        return value

    @api.model
    def _to_xlsx(self, sections):
        workbook = Workbook()
        workbook.remove(workbook.active)
        for section in sections:
            sheet = workbook.create_sheet(title=section["title"][:31])
            append_text_row(sheet, section["columns"])
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            for row in section["rows"]:
                append_text_row(sheet, row)
        stream = io.BytesIO()
        workbook.save(stream)
        return stream.getvalue()

    @api.model
    def _to_json(self, sections):
        data = {
            section["key"]: [
                dict(zip(section["columns"], row, strict=True)) for row in section["rows"]
            ]
            for section in sections
        }
        return json.dumps(data, ensure_ascii=False, indent=2).encode()

    @api.model
    def _attach_export(self, company, file_format, record):
        """Build the file in ``file_format`` (xlsx or json) and attach it to
        ``record`` (the company or the request), so the answer is kept; the
        file is marked so that only managers may open it, wherever it goes."""
        self.env["res.partner"]._rgpd_check_manager(self.env._("produce a personal data file"))
        record.check_access("read")
        sections = self._collect(company)
        if file_format == "xlsx":
            raw, mimetype = self._to_xlsx(sections), XLSX_MIMETYPE
        else:
            raw, mimetype = self._to_json(sections), "application/json"
        name = self.env._(
            "Personal data of %(company)s %(date)s.%(ext)s",
            company=company.bce_number or company.id,
            date=fields.Date.context_today(self).isoformat(),
            ext=file_format,
        )
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name,
                    "raw": raw,
                    "mimetype": mimetype,
                    "res_model": record._name,
                    "res_id": record.id,
                    "rgpd_personal_data": True,
                }
            )
        )

    @api.model
    def _download_action(self, attachment):
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }
