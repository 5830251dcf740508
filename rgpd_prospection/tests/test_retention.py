from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .accountability_case import AccountabilityCase


class RetentionCase(AccountabilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Run = cls.env["rgpd.retention.run"]
        today = fields.Date.context_today(cls.Partner)
        four_years_ago = today - relativedelta(years=4)
        cls.stale = cls._prospect(
            "Stale prospect",
            email="info@stale.be",
            phone="+32 2 555 01 01",
            rgpd_other_phone="+32 470 55 01 01",
            comment="Met at the fair",
            rgpd_last_contact_date=four_years_ago,
        )
        cls.stale_person = cls._person(cls.stale, "Stale buyer", phone="+32 2 555 01 02")
        cls.never_contacted = cls._prospect("Never contacted", email="hello@never.be")
        cls.recent = cls._prospect(
            "Recent prospect",
            email="info@recent.be",
            rgpd_last_contact_date=today - relativedelta(months=2),
        )
        cls.recent_person = cls._person(cls.recent, "Recent buyer")
        cls.customer = cls._prospect(
            "Customer", email="info@customer.be", rgpd_last_contact_date=four_years_ago
        )
        cls.customer.rgpd_legal_basis = "contract"
        cls.own_contact = cls.Partner.create(
            {"name": "Not from the BCE", "is_company": True, "email": "info@own.be"}
        )
        cls.env.cr.execute(
            "UPDATE res_partner SET create_date = %s WHERE id IN %s",
            (
                datetime.combine(today - relativedelta(years=5), datetime.min.time()),
                (cls.never_contacted.id, cls.own_contact.id, cls.stale.id),
            ),
        )
        cls.Partner.invalidate_model(["create_date"])
        for partner in (cls.stale, cls.stale_person, cls.recent, cls.customer):
            partner.message_post(body=f"Call notes about {partner.name}")
        cls.env["ir.attachment"].create(
            {
                "name": "card.txt",
                "raw": b"business card",
                "res_model": "res.partner",
                "res_id": cls.stale_person.id,
            }
        )
        cls.manager = new_test_user(
            cls.env,
            login="rgpd_retention_dpo",
            groups="base.group_user,rgpd_prospection.group_rgpd_manager",
        )
        cls.sales = new_test_user(
            cls.env,
            login="rgpd_retention_sales",
            groups="base.group_user,rgpd_prospection.group_rgpd_user",
        )

    def _messages(self, partners):
        return self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "in", partners.ids)]
        )

    def _attachments(self, partners):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)]
        )


@tagged("post_install", "-at_install")
class TestRetention(RetentionCase):
    def test_preview_equals_run(self):
        expired = self.stale | self.never_contacted
        preview = self.Run.run_retention(dry_run=True)
        self.assertTrue(preview.dry_run)
        self.assertEqual(preview.company_ids & (expired | self.recent | self.customer), expired)
        messages = self._messages(expired | self.stale_person)
        attachments = self._attachments(expired | self.stale_person)
        self.assertTrue(messages and attachments)
        self.assertTrue(self.stale_person.exists(), "a preview removes nothing")
        self.assertEqual(self.stale.email, "info@stale.be")

        run = self.Run.run_retention()
        self.assertFalse(run.dry_run)
        self.assertEqual(run.company_ids, preview.company_ids)
        counted = [
            "company_count",
            "contact_count",
            "message_count",
            "attachment_count",
            "activity_count",
            "consent_count",
            "email_count",
            "phone_count",
        ]
        self.assertEqual(
            {name: run[name] for name in counted}, {name: preview[name] for name in counted}
        )
        self.assertGreaterEqual(run.message_count, len(messages))
        self.assertGreaterEqual(run.attachment_count, len(attachments))

    def test_run_removes_personal_data_and_marks_expired(self):
        self.Run.run_retention()
        self.assertFalse(self.stale_person.exists())
        self.assertFalse(self._messages(self.stale | self.never_contacted))
        self.assertFalse(self._attachments(self.stale))
        for company in self.stale | self.never_contacted:
            self.assertTrue(company.rgpd_expired)
            self.assertEqual(company.rgpd_expired_date, fields.Date.context_today(company))
            self.assertFalse(
                company.email or company.phone or company.rgpd_other_phone or company.comment
            )
            self.assertTrue(company.bce_number, "the BCE data stay")
            self.assertFalse(company.rgpd_opted_out, "expiry is not an opposition")

    def test_run_spares_customers_recent_contacts_and_own_contacts(self):
        self.Run.run_retention()
        for company in self.recent | self.customer | self.own_contact:
            self.assertFalse(company.rgpd_expired)
            self.assertTrue(company.email)
        self.assertTrue(self.recent_person.exists())
        self.assertTrue(self._messages(self.recent))
        self.assertTrue(self._messages(self.customer))

    def test_expired_companies_are_not_purged_twice(self):
        first = self.Run.run_retention()
        self.assertIn(self.stale, first.company_ids)
        second = self.Run.run_retention(dry_run=True)
        self.assertFalse(second.company_ids & first.company_ids)

    def test_retention_period_is_configurable(self):
        self.env["ir.config_parameter"].set_param("rgpd_prospection.retention_months", "60")
        preview = self.Run.run_retention(dry_run=True)
        self.assertEqual(preview.retention_months, 60)
        self.assertNotIn(self.stale, preview.company_ids, "4 years < 5 years")
        self.assertNotIn(self.never_contacted, preview.company_ids, "created 5 years ago today")
        self.env["ir.config_parameter"].set_param("rgpd_prospection.retention_months", "1")
        self.assertIn(self.recent, self.Run.run_retention(dry_run=True).company_ids)
        self.assertEqual(
            self.stale.rgpd_retention_date,
            self.stale.rgpd_last_contact_date + relativedelta(months=1),
        )

    def test_a_wrong_stored_period_stops_the_run_and_says_why(self):
        """Values written around the settings' bounds are reported in words,
        never silently read as another period."""
        ICP = self.env["ir.config_parameter"]
        for value in ("abc", "100000", "-5", "0"):
            with self.subTest(value=value):
                ICP.set_param("rgpd_prospection.retention_months", value)
                before = (self.Run.search_count([]), self.stale.read(["email", "rgpd_expired"]))
                with self.assertRaises(UserError) as refusal:
                    self.Run.with_user(self.manager).action_preview()
                self.assertIn(f"“{value}”", str(refusal.exception))
                self.Run._cron_run_retention()  # the scheduler: nothing removed, no failure
                after = (self.Run.search_count([]), self.stale.read(["email", "rgpd_expired"]))
                self.assertEqual(after, before)
                settings = self.env["res.config.settings"].create({})  # as the admin opens it
                self.assertIn(f"“{value}”", settings.rgpd_retention_problem)
        ICP.set_param("rgpd_prospection.retention_months", "36")
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.rgpd_retention_problem)
        self.Run._cron_run_retention()
        self.assertTrue(self.stale.rgpd_expired)

    def test_imports_do_not_bring_expired_data_back(self):
        self.Run.run_retention()
        excluded = self.env["rgpd.bce.import"]._excluded_numbers()
        self.assertIn(self.stale.bce_number, excluded)
        self.assertNotIn(self.recent.bce_number, excluded)

    def test_manager_requalifies_and_only_managers_run(self):
        self.Run.run_retention()
        with self.assertRaises(AccessError):
            self.stale.with_user(self.sales).action_rgpd_requalify()
        with self.assertRaises(AccessError):
            self.Run.with_user(self.sales).action_preview()
        self.stale.with_user(self.manager).action_rgpd_requalify()
        self.assertFalse(self.stale.rgpd_expired)
        action = self.Run.with_user(self.manager).action_preview()
        self.assertTrue(self.Run.browse(action["res_id"]).dry_run)

    def test_cron_runs_and_logs(self):
        before = self.Run.search_count([])
        self.Run._cron_run_retention()
        self.assertEqual(self.Run.search_count([]), before + 1)
        self.assertTrue(self.stale.rgpd_expired)
        self.assertIsInstance(self.stale.rgpd_expired_date, date)
