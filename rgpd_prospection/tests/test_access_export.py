import io
import json

from odoo.tests import new_test_user, tagged
from openpyxl import load_workbook

from .accountability_case import AccountabilityCase


@tagged("post_install", "-at_install")
class TestAccessExport(AccountabilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls._prospect(
            "Acme Access",
            email="info@acme-access.be",
            phone="+32 2 555 02 02",
            bce_extract_number=142,
            bce_snapshot_date="2025-06-01",
            rgpd_last_contact_date="2025-05-20",
        )
        cls.person = cls._person(cls.company, "Reception desk", email="desk@acme-access.be")
        cls.news = cls.env.ref("rgpd_prospection.rgpd_purpose_news")
        cls.Consent.create(
            {
                "partner_id": cls.person.id,
                "purpose_id": cls.news.id,
                "channel": "trade_fair",
                "proof": "Signed form at the Brussels fair",
            }
        )
        cls.company.message_post(body="Asked for a demo in June", subtype_xmlid="mail.mt_note")
        cls.dpo = new_test_user(
            cls.env,
            login="rgpd_access_dpo",
            groups="base.group_user,rgpd_prospection.group_rgpd_manager",
        )

    def _texts(self, workbook):
        return {
            sheet.title: " | ".join(
                str(value) for row in sheet.iter_rows(values_only=True) for value in row if value
            )
            for sheet in workbook.worksheets
        }

    def test_excel_holds_everything_on_the_company(self):
        action = self.person.with_user(self.dpo).action_rgpd_access_export()
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        self.assertEqual(attachment.res_id, self.company.id, "the file is about the company")
        texts = self._texts(load_workbook(io.BytesIO(attachment.raw)))
        self.assertIn("Acme Access", texts["Company"])
        self.assertIn(self.company.bce_number_display, texts["Company"])
        self.assertIn("info@acme-access.be", texts["Company"])
        self.assertIn("Legitimate interest", texts["Company"])
        self.assertIn(str(self.company.rgpd_retention_date), texts["Company"])
        self.assertIn("BCE/KBO open data", texts["Source"])
        self.assertIn("142", texts["Source"])
        self.assertIn("2025-06-01", texts["Source"])
        self.assertIn("desk@acme-access.be", texts["Contact persons"])
        self.assertIn(self.news.name, texts["Purposes"])
        self.assertIn("Signed form at the Brussels fair", texts["Consents"])
        self.assertIn("Asked for a demo in June", texts["Contact history"])

    def test_opposition_appears_in_the_file(self):
        self.Blacklist._add([self.company.bce_number], "phone", "Objected by phone")
        sections = self.env["rgpd.access.report"]._collect(self.company)
        opposition = next(s for s in sections if s["key"] == "opposition")
        self.assertEqual(len(opposition["rows"]), 1)
        self.assertIn("Objected by phone", opposition["rows"][0])

    def test_portability_request_gets_the_json_file(self):
        request = self.env["rgpd.request"].create(
            {
                "request_type": "portability",
                "requester_name": "Reception desk",
                "partner_id": self.person.id,
            }
        )
        request.action_export_access()
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "rgpd.request"), ("res_id", "=", request.id)]
        )
        self.assertEqual(attachment.mimetype, "application/json")
        data = json.loads(attachment.raw)
        self.assertEqual(
            {row["Field"]: row["Value"] for row in data["company"]}["Enterprise number"],
            self.company.bce_number_display,
        )
        self.assertEqual(data["contact_persons"][0]["Email"], "desk@acme-access.be")
        self.assertEqual(data["consents"][0]["Purpose"], self.news.name)
        self.assertIn(attachment, request.message_ids.attachment_ids)

    def test_access_request_gets_the_excel_file(self):
        request = self.env["rgpd.request"].create(
            {"request_type": "access", "requester_name": "Boss", "partner_id": self.company.id}
        )
        request.action_export_access()
        attachment = request.message_ids.attachment_ids
        self.assertEqual(len(attachment), 1)
        self.assertIn(
            "Acme Access", self._texts(load_workbook(io.BytesIO(attachment.raw)))["Company"]
        )
