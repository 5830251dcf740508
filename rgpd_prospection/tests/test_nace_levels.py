import shutil
import tempfile
from pathlib import Path

from odoo.addons.rgpd_prospection.bce_engine.codes import nace_level
from odoo.addons.rgpd_prospection.hooks import migrate_nace_levels
from odoo.addons.rgpd_prospection.models.bce_import.settings import PARAM
from odoo.tests import tagged

from .common import CODE_CSV, RgpdCase, plan_on_partner_copy


@tagged("post_install", "-at_install")
class TestNaceLevels(RgpdCase):
    """A NACE code has the level its spelling says, whoever creates it: the code
    table, an import meeting a code the table lacks, or a migrated database."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from .. import bce_synth

        cls.source = Path(tempfile.mkdtemp(prefix="rgpd_nace_levels_"))
        cls.addClassCleanup(shutil.rmtree, cls.source, True)
        code_csv = cls.source / "code.csv"
        code_csv.write_bytes(CODE_CSV)  # a few codes only: most activities are missing
        cls.full = bce_synth.generate_full(
            cls.source / "a/", enterprises=120, seed=4, code_csv_path=code_csv
        )

    def test_codes_an_import_meets_first_get_their_level(self):
        folder = Path(tempfile.mkdtemp(prefix="rgpd_nace_levels_folder_"))
        self.addCleanup(shutil.rmtree, folder, True)
        params = self.env["ir.config_parameter"]
        params.set_param(PARAM + "extract_folder", str(folder))
        params.set_param(PARAM + "postal_codes", "1000-9999")
        shutil.copy(self.full, folder / self.full.name)
        known = self.Nace.search([]).ids
        record = self.env["rgpd.bce.import"].run_pending_imports()
        self.assertEqual(record.state, "done", record.error_message)
        created = self.Nace.search([("id", "not in", known)])
        codes = set(created.mapped("code"))
        self.assertTrue(
            any(len(code) == 5 for code in codes), "the import creates missing subclasses"
        )
        self.assertTrue(any(len(code) == 7 for code in codes), "and missing national details")
        for nace in created:
            self.assertEqual(nace.level, nace_level(nace.code), nace.code)
        subclass = created.filtered(lambda nace: len(nace.code) == 5)[:1]
        self.assertEqual(subclass.level, 5)
        self.assertIn(subclass, self.Nace.search([("level", "=", 5)]), "the views filter on it")

    def test_migration_corrects_wrong_levels_only(self):
        self._load_small_code_table()
        section, division, subclass, detail = (
            self._nace("J"),
            self._nace("62"),
            self._nace("62010"),
            self._nace("6202001"),
        )
        self.assertEqual(
            [section.level, division.level, subclass.level, detail.level], [1, 2, 5, 6]
        )
        # what the former import wrote for codes the code table lacked: len(code) - 1
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE rgpd_nace SET level = CASE WHEN length(code) > 2 THEN length(code) - 1 "
            "ELSE 2 END WHERE id IN %s",
            [(section.id, subclass.id, detail.id)],
        )
        self.Nace.invalidate_model(["level"])
        self.assertEqual([section.level, subclass.level, detail.level], [2, 4, 6])
        other = self.Nace.search([("id", "not in", (section | subclass | detail).ids)])
        levels_before = {nace.id: nace.level for nace in other}
        migrate_nace_levels(self.env)
        self.assertEqual(
            [section.level, division.level, subclass.level, detail.level], [1, 2, 5, 6]
        )
        self.assertEqual({nace.id: nace.level for nace in other}, levels_before)
        for nace in self.Nace.search([]):
            self.assertEqual(nace.level, nace_level(nace.code), nace.code)


@tagged("post_install", "-at_install")
class TestSearchIndexes(RgpdCase):
    """The searches a national database runs often have their index."""

    def test_nace_search_uses_the_index_of_its_expression(self):
        self._load_small_code_table()
        Partner = self.Partner.with_context(active_test=False)
        Partner.create({"name": "Coders", "is_company": True, "bce_nace_codes": "2008:62010"})
        domain = Partner._search_bce_nace_ids("in", self._nace("62010").ids)
        subquery = domain[0][2]  # the overlap test runs in the id subquery
        sql = subquery.select("id")
        plan, index = plan_on_partner_copy(
            self.env.cr, sql.code, sql.params, "%string_to_array((bce_nace_codes)%"
        )
        self.assertIn(index, plan)
        self.assertTrue(Partner.search(domain))

    def test_retention_filter_on_last_contact_date_is_indexed(self):
        self.assertTrue(self.Partner._fields["rgpd_last_contact_date"].index)
        self.env.cr.execute(
            "SELECT 1 FROM pg_indexes WHERE tablename = 'res_partner' "
            "AND indexname = 'res_partner__rgpd_last_contact_date_index'"
        )
        self.assertTrue(self.env.cr.fetchone())
