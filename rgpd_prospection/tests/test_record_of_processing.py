import io

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from openpyxl import load_workbook

from .accountability_case import AccountabilityCase


@tagged("post_install", "-at_install")
class TestRecordOfProcessing(AccountabilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales = new_test_user(
            cls.env,
            login="rgpd_record_sales",
            groups="base.group_user,rgpd_prospection.group_rgpd_user",
        )
        cls.dpo = new_test_user(
            cls.env,
            login="rgpd_record_dpo",
            groups="base.group_user,rgpd_prospection.group_rgpd_manager",
        )
        settings = cls.env["res.config.settings"].create(
            {
                "rgpd_retention_months": 24,
                "rgpd_record_recipients": "Sales team and Mailer Ltd (processor)",
                "rgpd_record_security": "Encrypted backups",
                "rgpd_dpo_email": "privacy@example.com",
            }
        )
        settings.execute()
        cls._prospect("Acme Record", bce_extract_number=157, bce_snapshot_date="2025-07-01")

    def _text(self, record):
        return "\n".join(f"{title}: {' '.join(lines)}" for title, lines in record._sections())

    def test_record_reflects_the_settings_and_purposes(self):
        record = self.env["rgpd.processing.record"].with_user(self.dpo).create({})
        text = self._text(record)
        self.assertIn("24 months", text)
        self.assertIn("Sales team and Mailer Ltd (processor)", text)
        self.assertIn("Encrypted backups", text)
        self.assertIn("privacy@example.com", text)
        self.assertIn("number 157", text)
        for purpose in self.Purpose.search([]):
            self.assertIn(purpose.name, text)
        self.env.ref("rgpd_prospection.rgpd_purpose_events").name = "Trade fairs and webinars"
        self.assertIn("Trade fairs and webinars", self._text(record))
        self.assertIn("Trade fairs and webinars", record.body)

    def test_record_exports_to_excel_and_prints(self):
        record = self.env["rgpd.processing.record"].with_user(self.dpo).create({})
        action = record.action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/web/content/")[1].split("?")[0])
        )
        sheet = load_workbook(io.BytesIO(attachment.raw)).active
        contents = dict(sheet.iter_rows(min_row=2, values_only=True))
        self.assertIn("24 months", contents["Retention"])
        self.assertIn("Mailer Ltd", contents["Recipients"])
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "rgpd_prospection.rgpd_processing_record_report", record.ids
        )
        self.assertIn(b"Mailer Ltd", html)
        self.assertIn(b"24 months", html)

    def test_only_managers_open_the_record(self):
        with self.assertRaises(AccessError):
            self.env["rgpd.processing.record"].with_user(self.sales).create({})

    def test_module_roles_do_not_grant_the_export_right(self):
        export = self.env.ref("base.group_allow_export")
        for xmlid in ("rgpd_prospection.group_rgpd_user", "rgpd_prospection.group_rgpd_manager"):
            group = self.env.ref(xmlid)
            self.assertNotIn(export, group.all_implied_ids)
        self.assertFalse(self.sales.has_group("base.group_allow_export"))
        self.assertFalse(self.dpo.has_group("base.group_allow_export"))
