from pathlib import Path

from odoo.tests import tagged

from .import_case import PARAM, ImportCase


@tagged("post_install", "-at_install")
class TestSettingsRead(ImportCase):
    """A setting put straight into the parameters with a value the settings would refuse is
    told in words as a failed import, never silently replaced, never an "unexpected error"."""

    extract_enterprises = 30

    def setUp(self):
        super().setUp()
        self.put(self.full)

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

    # the checks' limits, the tick boxes and the days failed files are kept

    def test_check_limits_not_numbers_or_out_of_bounds(self):
        for key, value, label in (
            ("sanity_full_percent", "abc", "Archives allowed in a full extract"),
            ("sanity_shrink_percent", "-5", "Tables may shrink by"),
            ("sanity_update_percent", "1000", "Archives allowed in an update"),
            ("sanity_min_prospects", "x", "Archives checked from"),
        ):
            with self.subTest(key=key, value=value), self.env.cr.savepoint() as savepoint:
                self.assertFailsInWords(key, value, label, "a number from")
                savepoint.rollback()

    def test_tick_boxes_neither_true_nor_false(self):
        for key, value, label in (
            ("keep_municipality", "maybe", "Keep the municipality"),
            ("drop_flagged", "yes", "Drop what may identify a person"),
        ):
            with self.subTest(key=key), self.env.cr.savepoint() as savepoint:
                self.assertFailsInWords(key, value, label, "True or False")
                savepoint.rollback()

    def test_failed_files_kept_while_their_days_cannot_be_read(self):
        """Files that failed are deleted after the days of the settings: a
        stored value the settings refuse deletes nothing, and says why."""
        self.env["ir.config_parameter"].set_param(PARAM + "max_shared_contacts", "x")
        failed = self.Import.run_pending_imports()
        self.assertEqual(failed.state, "failed")
        self.env["ir.config_parameter"].set_param(PARAM + "max_shared_contacts", "3")
        failed.date_end = "2020-01-01 00:00:00"
        path = Path(failed.file_path)
        for value in ("abc", "-5", "100000"):
            with self.subTest(value=value):
                self.env["ir.config_parameter"].set_param(PARAM + "set_aside_days", value)
                self.Import._remove_old_set_aside_files()
                self.assertTrue(path.exists(), "nothing deleted on a guess")
                self.assertFalse(failed.file_removed)
                banner = self.env["res.config.settings"].create({}).rgpd_bce_settings_problem
                self.assertIn("Delete failed files after (days)", banner)
                self.assertIn(value, banner)
        self.env["ir.config_parameter"].set_param(PARAM + "set_aside_days", "30")
        self.assertFalse(self.env["res.config.settings"].create({}).rgpd_bce_settings_problem)
        self.Import._remove_old_set_aside_files()
        self.assertFalse(path.exists())
        self.assertTrue(failed.file_removed)

    def test_the_settings_banner_names_each_bad_value(self):
        self.env["ir.config_parameter"].set_param(PARAM + "name_language", "xx")
        self.env["ir.config_parameter"].set_param(PARAM + "sanity_full_percent", "abc")
        banner = self.env["res.config.settings"].create({}).rgpd_bce_settings_problem
        self.assertIn("Preferred name language", banner)
        self.assertIn("Archives allowed in a full extract", banner)
        self.assertEqual(
            self.env["ir.config_parameter"].get_param(PARAM + "sanity_full_percent"), "abc"
        )
