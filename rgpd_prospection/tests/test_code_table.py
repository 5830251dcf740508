import base64

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import CODE_CSV, RgpdCase


@tagged("post_install", "-at_install")
class TestCodeTable(RgpdCase):
    def test_before_any_load_codes_work_without_labels(self):
        nace = self.Nace.create({"code": "62010", "version": "2008"})
        self.assertFalse(nace.name)
        self.assertEqual(nace.display_name, "62.010 (2008)")
        form = self.env["rgpd.juridical.form"].create({"code": "014"})
        self.assertEqual(form.display_name, "014")
        company = self.Partner.create(
            {"name": "Unlabelled", "is_company": True, "bce_main_nace_id": nace.id}
        )
        self.assertEqual(company.bce_main_nace_id.display_name, "62.010 (2008)")

    def test_load_builds_levels_labels_and_parents(self):
        counts = self._load_small_code_table()
        self.assertEqual(counts["rgpd.nace"]["created"], 12)
        self.assertEqual(counts["rgpd.juridical.form"]["created"], 1)
        self.assertFalse(self.Nace.search([("code", "=", "7220")]), "NACE 2003 is not kept")
        class_ = self._nace("62010")
        self.assertEqual(class_.level, 5)
        self.assertEqual(class_.parent_id, self._nace("6201"))
        self.assertEqual(class_.parent_id.parent_id.parent_id, self._nace("62"))
        self.assertEqual(self._nace("J").level, 1)
        self.assertEqual(self._nace("62").parent_id, self._nace("J"))
        self.assertFalse(self._nace("47").parent_id, "section G is not in the table")
        self.assertEqual(
            self._nace("62", "2025").parent_id, self._nace("K", "2025"), "2025 split section J"
        )
        self.assertEqual(class_.name_fr, "Programmation informatique")
        self.assertEqual(class_.name_nl, "Ontwerpen en programmeren van computerprogramma's")
        self.assertEqual(class_.display_name, "62.010 (2008) – Programmation informatique")
        self.assertEqual(
            class_.with_context(lang="nl_BE").name,
            "Ontwerpen en programmeren van computerprogramma's",
        )
        self.assertEqual(self._nace("6210", "2025").parent_id, self._nace("62", "2025"))
        self.assertNotEqual(self._nace("62", "2025"), self._nace("62"))

    def test_missing_level_hangs_under_nearest_ancestor(self):
        self._load_small_code_table()
        self.assertEqual(self._nace("6202001").parent_id, self._nace("6202"))
        self.assertEqual(self._nace("6202001").level, 6)
        self.assertEqual(self._nace("4762").parent_id, self._nace("47"))

    def test_reload_updates_labels_and_creates_nothing(self):
        self._load_small_code_table()
        self._nace("6201").name_fr = "Ancien libellé"
        counts = self._load_small_code_table()
        self.assertEqual(counts["rgpd.nace"], {"created": 0, "updated": 1})
        self.assertEqual(self._nace("6201").name_fr, "Programmation informatique")

    def test_juridical_form_labels(self):
        self._load_small_code_table()
        form = self.env["rgpd.juridical.form"].search([("code", "=", "014")])
        self.assertEqual(form.name_de, "Aktiengesellschaft")
        self.assertEqual(form.with_context(lang="de_DE").name, "Aktiengesellschaft")
        self.assertEqual(form.with_context(lang="nl_BE").display_name, "Naamloze vennootschap")

    def test_hierarchy_search(self):
        self._load_small_code_table()
        below_62 = self.Nace.search([("id", "child_of", self._nace("62").ids)])
        self.assertEqual(
            set(below_62.mapped("code")), {"62", "620", "6201", "62010", "6202", "6202001"}
        )
        above = self.Nace.search([("id", "parent_of", self._nace("62010").ids)])
        self.assertEqual(set(above.mapped("code")), {"J", "62", "620", "6201", "62010"})
        below_j = self.Nace.search([("id", "child_of", self._nace("J").ids)])
        self.assertEqual(below_j, below_62 | self._nace("J"))

    def test_name_search_accepts_dotted_codes(self):
        self._load_small_code_table()
        found = self.Nace.search([("display_name", "ilike", "62.01")])
        self.assertEqual(set(found.mapped("code")), {"6201", "62010"})
        self.assertIn(self._nace("4762"), self.Nace.search([("display_name", "ilike", "kranten")]))

    def test_wizard_loads_an_uploaded_file(self):
        with Form(self.env["rgpd.code.import.wizard"]) as form:
            form.code_file = base64.b64encode(CODE_CSV)
        action = form.record.action_load()
        self.assertEqual(action["params"]["type"], "success")
        self.assertIn("12 created", action["params"]["message"])
        self.assertTrue(self._nace("62010"))

    def test_wizard_reports_a_bad_file_with_its_line(self):
        bad = CODE_CSV + b'"Nace2008","99"\n'
        wizard = self.env["rgpd.code.import.wizard"].create(
            {"code_file": base64.b64encode(bad), "code_filename": "code.csv"}
        )
        with self.assertRaises(UserError) as caught:
            wizard.action_load()
        line = CODE_CSV.count(b"\n") + 1
        self.assertIn(f"code.csv, line {line}", str(caught.exception))
        self.assertFalse(self._nace("62010"), "nothing is loaded from a bad file")
