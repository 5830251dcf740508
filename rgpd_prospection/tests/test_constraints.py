"""Every rule the database must enforce exists on Odoo 19 (models.Constraint,
models.UniqueIndex, models.Index), and PostgreSQL refuses what breaks it:
each is tried by writing a copy of an existing row straight in SQL, the way no
ORM guard can stop."""

import psycopg2
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import RgpdCase


@tagged("post_install", "-at_install")
class TestConstraints(RgpdCase):
    def _copy_row_refused(self, record, overrides=None):
        """Insert a copy of ``record``'s row (its other columns as they are)
        and expect PostgreSQL to refuse it as a duplicate."""
        self.env.flush_all()
        table = record._table
        cr = self.env.cr
        cr.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = %s AND column_name != 'id'",
            [table],
        )
        columns = [row[0] for row in cr.fetchall()]
        overrides = overrides or {}
        select = ", ".join("%s" if column in overrides else f'"{column}"' for column in columns)
        names = ", ".join(f'"{column}"' for column in columns)
        query = f'INSERT INTO "{table}" ({names}) SELECT {select} FROM "{table}" WHERE id = %s'
        params = [overrides[c] for c in columns if c in overrides] + [record.id]
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation),
            mute_logger("odoo.sql_db"),
            cr.savepoint(),
        ):
            cr.execute(query, params)

    def test_a_blacklisted_number_exists_once(self):
        entry = self.Blacklist._add(["0403170701"], "phone")
        self._copy_row_refused(entry)
        # the ORM's door says it in words, and the entry stays single
        self.Blacklist._add(["BE 0403.170.701"], "request")
        self.assertEqual(
            self.Blacklist.with_context(active_test=False).search_count(
                [("bce_number", "=", "0403170701")]
            ),
            1,
        )

    def test_a_purpose_name_a_consent_per_purpose_codes_exist_once(self):
        purpose = self.env["rgpd.purpose"].create({"name": "Constraint webinars"})
        self._copy_row_refused(purpose)
        company = self.Partner.create({"name": "Constraint SA", "is_company": True})
        consent = self.env["rgpd.consent"].create(
            {"partner_id": company.id, "purpose_id": purpose.id}
        )
        self._copy_row_refused(consent)
        self._load_small_code_table()
        self._copy_row_refused(self._nace("62010"))
        form = self.env["rgpd.juridical.form"].search([("code", "=", "014")])
        self.assertTrue(form)
        self._copy_row_refused(form)

    def test_one_import_under_way(self):
        Import = self.env["rgpd.bce.import"].sudo()
        running = Import.create({"state": "running", "file_name": "one.zip"})
        self._copy_row_refused(running, {"file_name": "two.zip"})
        # a finished import may be followed by another
        self.env.cr.execute("UPDATE rgpd_bce_import SET state = 'done' WHERE id = %s", [running.id])
        Import.create({"state": "running", "file_name": "three.zip"})

    def test_the_indexes_of_the_searches_exist(self):
        cr = self.env.cr
        for table, index in (
            ("res_partner", "res_partner_bce_nace_codes_tokens_index"),
            ("rgpd_bce_import", "rgpd_bce_import_one_under_way"),
        ):
            with self.subTest(index=index):
                cr.execute(
                    "SELECT 1 FROM pg_indexes WHERE tablename = %s AND indexname = %s",
                    [table, index],
                )
                self.assertTrue(cr.fetchone())
        for table, constraint in (
            ("rgpd_blacklist", "rgpd_blacklist_bce_number_uniq"),
            ("rgpd_purpose", "rgpd_purpose_name_uniq"),
            ("rgpd_consent", "rgpd_consent_partner_purpose_uniq"),
            ("rgpd_nace", "rgpd_nace_code_version_uniq"),
            ("rgpd_juridical_form", "rgpd_juridical_form_code_uniq"),
        ):
            with self.subTest(constraint=constraint):
                cr.execute(
                    "SELECT 1 FROM pg_constraint WHERE conname = %s AND conrelid = %s::regclass",
                    [constraint, table],
                )
                self.assertTrue(cr.fetchone(), "the name 18.0 gave it, kept on upgrade")
