import shutil
import tempfile
from pathlib import Path

from odoo.tests import tagged

from .common import RgpdCase
from .test_bce_import import PARAM, _load_generator


@tagged("post_install", "-at_install")
class TestSettingsRead(RgpdCase):
    """A setting put straight into the parameters with a value the settings would refuse is
    told in words as a failed import, never silently replaced, never an "unexpected error"."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Import = cls.env["rgpd.bce.import"]
        cls.source = Path(tempfile.mkdtemp(prefix="rgpd_bce_settings_"))
        cls.addClassCleanup(shutil.rmtree, cls.source, True)
        cls.full = _load_generator().generate_full(cls.source / "a/", enterprises=30, seed=1)
        cls.env["ir.config_parameter"].set_param(PARAM + "postal_codes", "1000-9999")

    def setUp(self):
        super().setUp()
        self.folder = Path(tempfile.mkdtemp(prefix="rgpd_bce_folder_"))
        self.addCleanup(shutil.rmtree, self.folder, True)
        self.env["ir.config_parameter"].set_param(PARAM + "extract_folder", str(self.folder))
        shutil.copy(self.full, self.folder / self.full.name)

    def assertFailsInWords(self, key, value, *words):
        self.env["ir.config_parameter"].set_param(PARAM + key, value)
        record = self.Import.run_pending_imports()
        self.assertEqual(record.state, "failed")
        self.assertNotIn("unexpected error", record.error_message)
        for word in (value, *words):
            self.assertIn(word, record.error_message)
        self.assertFalse(
            self.Partner.with_context(active_test=False).search([("is_bce_prospect", "=", True)])
        )
        self.assertEqual(self.env["ir.config_parameter"].get_param(PARAM + key), value)
        # the file is set aside: the scheduled import does not report it again
        self.Import.run_pending_imports()
        self.assertEqual(self.Import.search_count([("state", "=", "failed")]), 1)

    def test_shared_contact_limit_not_a_number(self):
        self.assertFailsInWords("max_shared_contacts", "x", "Shared contact limit", "whole number")

    def test_shared_contact_limit_below_one(self):
        self.assertFailsInWords("max_shared_contacts", "0", "Shared contact limit")

    def test_name_language_unknown(self):
        self.assertFailsInWords("name_language", "xx", "Preferred name language", "fr, nl or de")

    def test_good_settings_apply(self):
        self.env["ir.config_parameter"].set_param(PARAM + "max_shared_contacts", "5")
        self.env["ir.config_parameter"].set_param(PARAM + "name_language", "nl")
        record = self.Import.run_pending_imports()
        self.assertEqual(record.state, "done", record.error_message)
