from datetime import date

from dateutil.relativedelta import relativedelta
from lxml import etree
from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools import format_date

from .accountability_case import AccountabilityCase

OLD = date(2021, 3, 1)


@tagged("post_install", "-at_install")
class TestDailyTasks(AccountabilityCase):
    """The "Mark done" popup, the request reminder in its
    assignee's language, the retention run from its preview, the settings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in ("fr_BE", "nl_BE"):
            cls.env["res.lang"]._activate_lang(code)
        cls.env["ir.module.module"]._load_module_terms(["rgpd_prospection"], ["fr_BE", "nl_BE"])
        cls.company = cls._prospect("Acme Daily", email="info@acme-daily.be")
        cls.company.rgpd_last_contact_date = OLD
        cls.customer = cls.Partner.create({"name": "Not a prospect", "is_company": True})
        cls.manager = new_test_user(
            cls.env,
            login="h14_daily_manager",
            groups="base.group_user,rgpd_prospection.group_rgpd_manager",
            lang="nl_BE",
        )
        cls.sales = new_test_user(
            cls.env,
            login="h14_daily_sales",
            groups="base.group_user,rgpd_prospection.group_rgpd_user",
            lang="fr_BE",
        )

    # -- the "Mark done" popup

    def _store_data(self, activity):
        data = activity.with_user(self.sales).activity_format()
        return next(item for item in data["mail.activity"] if item["id"] == activity.id)

    def test_mark_done_popup_asks_on_calls_and_meetings_of_prospects(self):
        call = self.company.activity_schedule("mail.mail_activity_data_call", user_id=self.sales.id)
        meeting = self.company.activity_schedule(
            "mail.mail_activity_data_meeting", user_id=self.sales.id
        )
        todo = self.company.activity_schedule("mail.mail_activity_data_todo", user_id=self.sales.id)
        other = self.customer.activity_schedule(
            "mail.mail_activity_data_call", user_id=self.sales.id
        )
        self.assertTrue(self._store_data(call)["rgpd_can_be_inbound"])
        self.assertTrue(self._store_data(meeting)["rgpd_can_be_inbound"])
        self.assertFalse(self._store_data(todo)["rgpd_can_be_inbound"])
        self.assertFalse(self._store_data(other)["rgpd_can_be_inbound"])
        self.assertIn("rgpd_initiated_by_prospect", self._store_data(call))

    def test_ticking_the_box_then_done_moves_the_last_contact_date(self):
        """What the popup does: write the box, then mark done (as the user)."""
        call = self.company.activity_schedule("mail.mail_activity_data_call", user_id=self.sales.id)
        call.with_user(self.sales).write({"rgpd_initiated_by_prospect": True})
        call.with_user(self.sales).action_feedback(feedback="She called back")
        self.assertEqual(
            self.company.rgpd_last_contact_date, fields.Date.context_today(self.company)
        )

    # -- request reminder

    def test_reminder_written_in_the_assignees_language_and_follows_the_due_date(self):
        request = self.env["rgpd.request"].create(
            {
                "request_type": "access",
                "requester_name": "Jean",
                "received_date": fields.Date.context_today(self.sales) - relativedelta(days=11),
                "user_id": self.sales.id,
            }
        )
        reminder = request.activity_ids
        french = self.env(context={"lang": "fr_BE"})
        self.assertEqual(
            reminder.summary,
            "Répondre à la demande de la personne concernée avant le "
            + format_date(french, request.due_date),
        )
        request.write({"extension_months": 2, "extension_reason": "Many requests"})
        self.assertIn(
            format_date(french, request.received_date + relativedelta(months=3)), reminder.summary
        )
        request.user_id = self.manager
        self.assertIn(
            format_date(self.env(context={"lang": "nl_BE"}), request.due_date), reminder.summary
        )
        self.assertNotIn("Répondre", reminder.summary)

    # -- retention

    def test_manager_runs_the_retention_from_its_preview(self):
        stale = self._prospect(
            "Stale Daily",
            email="info@stale-daily.be",
            rgpd_last_contact_date=fields.Date.today() - relativedelta(years=5),
        )
        Run = self.env["rgpd.retention.run"]
        preview = Run.browse(Run.with_user(self.manager).action_preview()["res_id"])
        self.assertTrue(preview.dry_run)
        self.assertIn(stale, preview.company_ids)
        arch = Run.get_views([(False, "form")])["views"]["form"]["arch"]
        button = etree.fromstring(arch).xpath("//header/button[@name='action_run_now']")
        self.assertTrue(button and button[0].get("invisible") == "not dry_run")
        runs = Run.search_count([])
        with self.assertRaises(AccessError):
            preview.with_user(self.sales).action_run_now()
        self.assertEqual(Run.search_count([]), runs)
        self.assertFalse(stale.rgpd_expired)
        action = preview.with_user(self.manager).action_run_now()
        run = Run.browse(action["res_id"])
        self.assertFalse(run.dry_run)
        self.assertTrue(stale.rgpd_expired)

    # -- settings

    def test_retention_period_shows_its_unit(self):
        arch = self.env["res.config.settings"].get_views([(False, "form")])["views"]["form"]
        setting = etree.fromstring(arch["arch"]).xpath("//setting[@id='rgpd_retention']")[0]
        self.assertIn("months", " ".join(setting.itertext()))
