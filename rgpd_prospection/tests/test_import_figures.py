import shutil
import tempfile
from pathlib import Path

from lxml import etree
from odoo.fields import Domain
from odoo.service.model import call_kw
from odoo.tests import new_test_user, tagged
from odoo.tools.misc import formatLang

from .common import RgpdCase
from .import_case import PARAM, load_generator
from .test_import_funnel import load_french_and_dutch


@tagged("post_install", "-at_install")
class TestImportFigures(RgpdCase):
    """An import's figures read in the reader's language, and each opens
    the contacts it counts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_french_and_dutch(cls.env)
        cls.Import = cls.env["rgpd.bce.import"]
        cls.manager = new_test_user(
            cls.env,
            login="rgpd_figures_manager",
            groups="base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_manager",
        )
        synth = load_generator()
        cls.source = Path(tempfile.mkdtemp(prefix="rgpd_bce_figures_"))
        cls.addClassCleanup(shutil.rmtree, cls.source, True)
        cls.full = synth.generate_full(cls.source / "a/", enterprises=300, seed=3)
        cls.update, _later = synth.generate_update(cls.full, cls.source / "b", seed=4)
        cls.folder = Path(tempfile.mkdtemp(prefix="rgpd_bce_figures_folder_"))
        cls.addClassCleanup(shutil.rmtree, cls.folder, True)
        cls.env["ir.config_parameter"].set_param(PARAM + "postal_codes", "1000-9999")
        cls.env["ir.config_parameter"].set_param(PARAM + "extract_folder", str(cls.folder))

    def _run(self, path):
        shutil.copy(path, self.folder / Path(path).name)
        record = self.Import.run_pending_imports()
        self.assertEqual(record.state, "done", record.error_message)
        return record

    def _opened(self, record, method):
        """The contacts the figure's button opens, clicked as the web client
        does."""
        action = call_kw(self.Import.with_user(self.manager), method, [record.ids], {})
        self.assertEqual(action["res_model"], "res.partner")
        Partner = self.Partner.with_user(self.manager).with_context(**action["context"])
        return Partner.search(Domain(action["domain"]))

    def test_each_figure_opens_what_it_counts(self):
        full = self._run(self.full)
        created = self._opened(full, "action_open_created")
        self.assertTrue(full.count_created)
        self.assertEqual(len(created), full.count_created)
        self.assertTrue(all(created.mapped("is_bce_prospect")))
        update = self._run(self.update)
        self.assertTrue(update.count_updated and update.count_archived, "the update changes some")
        for method, figure in (
            ("action_open_created", update.count_created),
            ("action_open_updated", update.count_updated),
            ("action_open_archived", update.count_archived),
        ):
            with self.subTest(method=method):
                self.assertEqual(len(self._opened(update, method)), figure)
        archived = self._opened(update, "action_open_archived")
        self.assertFalse(any(archived.mapped("active")))
        self.assertFalse(archived & self._opened(update, "action_open_updated"))
        self.assertEqual(len(self._opened(full, "action_open_created")), full.count_created)

    def test_rows_per_table_in_the_readers_language(self):
        record = self.Import.create(
            {
                "state": "done",
                "extract_type": "full",
                "extract_number": 150,
                "table_counts": {"enterprises": 11911, "addresses": 184458},
            }
        )
        english = record.with_context(lang="en_US").table_counts_summary
        self.assertEqual(english, "Enterprises: 11,911\nAddresses: 184,458")
        for lang, label in (("fr_BE", "Entreprises"), ("nl_BE", "Ondernemingen")):
            with self.subTest(lang=lang):
                summary = record.with_context(lang=lang).table_counts_summary
                number = formatLang(self.env(context={"lang": lang}), 184458, digits=0)
                self.assertIn(number, summary)
                self.assertNotIn("184,458", summary)
                self.assertNotIn("enterprises", summary.lower())
                self.assertIn(label, summary)

    def test_history_graph_opens_on_the_created_prospects(self):
        """Odoo's graph shows one measure, the last declared."""
        arch = self.Import.get_views([(False, "graph")])["views"]["graph"]["arch"]
        measures = etree.fromstring(arch).xpath("//field[@type='measure']/@name")
        self.assertEqual(measures[-1:], ["count_created"])
