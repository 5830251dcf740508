import io
import zipfile

from odoo.tests import new_test_user, tagged
from openpyxl import load_workbook

from .accountability_case import AccountabilityCase

HYPERLINK = '=HYPERLINK("http://x","y")'


@tagged("post_install", "-at_install")
class TestSpreadsheetText(AccountabilityCase):
    """Values from outside are written to the workbooks as text: a company named like a
    formula stays a name when the file is opened."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dpo = new_test_user(
            cls.env,
            login="rgpd_sheet_dpo",
            groups="base.group_user,rgpd_prospection.group_rgpd_manager",
        )
        cls.company = cls._prospect(HYPERLINK, email="info@formula.be")
        cls.person = cls._person(cls.company, "+cmd", function="-2+3")

    def _attachment(self, action):
        return self.env["ir.attachment"].browse(
            int(action["url"].split("/web/content/")[1].split("?")[0])
        )

    def assertNoFormula(self, raw, texts):
        """Every cell holding one of ``texts`` is a string cell, and the file has no formula."""
        workbook = load_workbook(io.BytesIO(raw))
        found = {}
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value in texts:
                        found[cell.value] = cell.data_type
        self.assertEqual(found, dict.fromkeys(texts, "s"), "each value is a text cell")
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/"):
                    self.assertNotIn(b"<f>", archive.read(name), f"no formula in {name}")
                    self.assertNotIn(b"<f ", archive.read(name), f"no formula in {name}")

    def test_access_workbook_writes_names_as_text(self):
        action = self.company.with_user(self.dpo).action_rgpd_access_export()
        self.assertNoFormula(self._attachment(action).raw, {HYPERLINK, "+cmd", "-2+3"})

    def test_record_of_processing_writes_settings_as_text(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "rgpd_prospection.record_recipients", HYPERLINK
        )
        record = self.env["rgpd.processing.record"].with_user(self.dpo).create({})
        self.assertNoFormula(self._attachment(record.action_export_xlsx()).raw, {HYPERLINK})
