import base64
import os
import tempfile
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .accountability_case import AccountabilityCase

SALES_GROUPS = "base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_user"
MANAGER_GROUPS = "base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_manager"


@tagged("post_install", "-at_install")
class TestDncm(AccountabilityCase):
    """The Do Not Call Me list: loads through the wizard and the folder, the
    flags, and the call decisions through every door of an activity."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Load = cls.env["rgpd.dncm.load"]
        cls.Load.sudo().search([]).unlink()  # the shared case's empty list: none here
        cls.today = fields.Date.context_today(cls.Load)
        cls.call_type = cls.env["mail.activity.type"].create(
            {"name": "DNCM test call", "category": "phonecall"}
        )
        cls.env.company.country_id = cls.env.ref("base.be")
        cls.listed_co = cls._prospect("Listed Calls SA", phone="0470 12 34 56")
        cls.person_co = cls._prospect("Person Listed SRL", phone="02 555 12 30")
        cls.person = cls._person(cls.person_co, "Anna Listed", phone="+32 478 11 22 33")
        cls.clear_co = cls._prospect("Clear Calls NV", phone="09 222 22 22")
        cls.customer = cls.Partner.create({"name": "Not A Prospect", "phone": "0470123456"})
        cls.purpose = cls.env["rgpd.purpose"].search([], limit=1)
        cls.sales = new_test_user(cls.env, login="dncm_sales", groups=SALES_GROUPS)
        cls.manager = new_test_user(cls.env, login="dncm_manager", groups=MANAGER_GROUPS)
        cls.internal = new_test_user(cls.env, login="dncm_internal", groups="base.group_user")
        cls.portal = new_test_user(cls.env, login="dncm_portal", groups="base.group_portal")

    def _text(self, *lines):
        return ("\n".join(lines) + "\n").encode()

    def _wizard_load(self, data, name="dncm.txt", user=None, downloaded_on=None):
        wizard = (
            self.env["rgpd.dncm.load.wizard"]
            .with_user(user or self.manager)
            .create(
                {
                    "list_file": base64.b64encode(data),
                    "list_filename": name,
                    "downloaded_on": downloaded_on or self.today,
                }
            )
        )
        action = wizard.action_load()
        return self.Load.browse(action["res_id"])

    def _standard_list(self, name="dncm.txt", downloaded_on=None):
        return self._wizard_load(
            self._text(
                "0470 12 34 56;2024-01-10",  # the listed company
                "+32478112233;10/01/2024",  # the listed contact person
                "0032471000001;2024-01-10",
                "32471000002;2024-01-10",
                "02/555.12.34;2024-01-10",
                "hello;2024-01-10",
                "0471000003;2024-02-30",
            ),
            name=name,
            downloaded_on=downloaded_on,
        )

    def _schedule(self, partner, user=None, **values):
        return (
            self.env["mail.activity"]
            .with_user(user or self.sales)
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": partner.id,
                    "activity_type_id": self.call_type.id,
                    "user_id": (user or self.sales).id,
                    "summary": "Prospecting call",
                    **values,
                }
            )
        )

    # -- loading ------------------------------------------------------------

    def test_wizard_load_reads_every_spelling_and_names_bad_lines(self):
        load = self._standard_list()
        self.assertEqual(load.state, "done")
        self.assertEqual(load.numbers_count, 5)
        self.assertEqual(load.lines_refused, 2)
        self.assertIn("6: hello;2024-01-10", load.refused_sample)
        self.assertIn("7: 0471000003;2024-02-30", load.refused_sample)
        numbers = self.env["rgpd.dncm.number"].with_user(self.manager).search([])
        self.assertEqual(
            set(numbers.mapped("number")),
            {"+32470123456", "+32478112233", "+32471000001", "+32471000002", "+3225551234"},
        )
        self.assertEqual(load.list_date, self.today)
        self.assertEqual(load.list_date_origin, "download")
        self.assertTrue(self.listed_co.rgpd_dncm_listed)
        self.assertTrue(self.person.rgpd_dncm_listed)
        self.assertTrue(self.person_co.rgpd_dncm_listed, "a company with a listed contact person")
        self.assertFalse(self.person_co.rgpd_dncm_own_listed)
        self.assertFalse(self.clear_co.rgpd_dncm_listed)
        prospects = self.listed_co | self.person_co | self.person | self.clear_co
        listed = self.Partner.search([("rgpd_dncm_listed", "=", True), ("id", "in", prospects.ids)])
        self.assertEqual(listed, self.listed_co | self.person_co | self.person)

    def test_the_next_list_replaces_the_previous_one(self):
        self._standard_list()
        second = self._wizard_load(self._text("+32478112233;2024-01-10", "09 222 22 22;2024-03-01"))
        self.assertEqual(second.state, "done")
        self.assertEqual(self.env["rgpd.dncm.number"].sudo().search_count([]), 2)
        self.assertFalse(self.listed_co.rgpd_dncm_listed, "its number left the list")
        self.assertTrue(self.clear_co.rgpd_dncm_listed)
        self.assertEqual(second.newly_listed, 1)
        self.assertEqual(second.released, 2)  # the company and the customer of the same number
        self._schedule(self.listed_co)  # no longer blocked

    def test_an_older_list_is_refused_and_kept_in_the_history(self):
        self._standard_list(name=f"dncm_{self.today.isoformat()}.txt")
        older = self._wizard_load(
            self._text("09 222 22 22;2024-03-01"),
            name=f"dncm_{(self.today - timedelta(days=1)).isoformat()}.txt",
        )
        self.assertEqual(older.state, "refused")
        self.assertIn("Older than the list in force", older.refusal)
        self.assertFalse(self.clear_co.rgpd_dncm_listed)
        self.assertTrue(self.listed_co.rgpd_dncm_listed)

    def test_the_folder_is_read_by_the_scheduler(self):
        with tempfile.TemporaryDirectory() as folder:
            self.env["ir.config_parameter"].set_param("rgpd_prospection.dncm_folder", folder)
            self.env["ir.config_parameter"].set_param("rgpd_prospection.dncm_separator", ",")
            self.env["ir.config_parameter"].set_param(
                "rgpd_prospection.dncm_column_order", "date_number"
            )
            day = self.today - timedelta(days=1)
            with open(os.path.join(folder, f"DNCM-{day:%Y%m%d}.txt"), "w") as stream:
                stream.write("10/01/2024,0470 12 34 56\n2024-01-10,bad\n")
            with open(os.path.join(folder, "notes.pdf"), "w") as stream:
                stream.write("not a list")
            cron = self.env.ref("rgpd_prospection.ir_cron_rgpd_dncm_load")
            self.run_cron(cron)
            load = self.Load.search([])
            self.assertEqual(len(load), 1)
            self.assertEqual(load.source, "folder")
            self.assertEqual((load.list_date, load.list_date_origin), (day, "name"))
            self.assertEqual((load.numbers_count, load.lines_refused), (1, 1))
            self.assertTrue(self.listed_co.rgpd_dncm_listed)
            self.run_cron(cron)
            self.assertEqual(len(self.Load.search([])), 1, "a file is loaded once")

    def test_only_managers_load_and_read_the_list(self):
        self._standard_list()
        for user in (self.sales, self.internal, self.portal):
            with self.assertRaises(AccessError):
                self.env["rgpd.dncm.number"].with_user(user).search([])
            with self.assertRaises(AccessError):
                self.Load.with_user(user).search([])
            with self.assertRaises(AccessError):
                self._wizard_load(self._text("0470123456"), user=user)
        # the sales user sees the flag on the prospects it reads
        self.assertTrue(self.listed_co.with_user(self.sales).rgpd_dncm_listed)

    # -- calls ---------------------------------------------------------------

    def _snapshot(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT count(*), max(id) FROM mail_activity")
        return self.env.cr.fetchone()

    def test_no_list_or_a_stale_list_refuses_every_prospecting_call(self):
        before = self._snapshot()
        with (
            self.assertRaisesRegex(UserError, "No Do Not Call Me list is loaded"),
            self.env.cr.savepoint(),
        ):
            self._schedule(self.clear_co)
        self.assertEqual(self._snapshot(), before)
        self.assertIn("No Do Not Call Me list", self.clear_co.rgpd_dncm_banner)
        self._standard_list(downloaded_on=self.today - timedelta(days=6))
        since = self.today
        self.clear_co.invalidate_recordset(["rgpd_dncm_banner"])
        self.assertIn(str(since), self.clear_co.rgpd_dncm_banner)
        with self.assertRaisesRegex(UserError, "more than 5 days old"):
            self._schedule(self.clear_co)
        self._wizard_load(
            self._text("0470123456;2024-01-01"), downloaded_on=self.today - timedelta(5)
        )
        self.clear_co.invalidate_recordset(["rgpd_dncm_banner"])
        self.assertFalse(self.clear_co.rgpd_dncm_banner)
        self._schedule(self.clear_co)
        # not a prospect: the module does not decide
        self._schedule(self.customer)

    def test_scheduling_to_a_listed_number_is_refused_with_the_reason(self):
        self._standard_list()
        before = self._snapshot()
        for user in (self.sales, self.manager):
            with (
                self.assertRaisesRegex(UserError, r"\+32470123456 of Listed Calls SA"),
                self.env.cr.savepoint(),
            ):
                self._schedule(self.listed_co, user=user)
        # through the activity form, as the dialog does
        with (
            self.assertRaises(UserError),
            Form(
                self.env["mail.activity"]
                .with_user(self.sales)
                .with_context(default_res_model="res.partner", default_res_id=self.listed_co.id)
            ) as form,
        ):
            form.activity_type_id = self.call_type
            form.rgpd_purpose_id = self.env.ref("rgpd_prospection.rgpd_purpose_news")
        # through activity_schedule, as the chatter does
        with self.assertRaises(UserError), self.env.cr.savepoint():
            self.listed_co.with_user(self.sales).activity_schedule(
                activity_type_id=self.call_type.id, summary="call"
            )
        self.assertEqual(self._snapshot(), before)
        # moving an allowed call onto a listed prospect is refused too
        activity = self._schedule(self.clear_co)
        with self.assertRaises(UserError):
            activity.with_user(self.sales).write({"res_id": self.listed_co.id})
        # an e-mail is not a call: the DNCM does not cover it
        email = self.env.ref("mail.mail_activity_data_email")
        self._schedule(self.listed_co, activity_type_id=email.id)

    def test_the_contact_policy_gives_the_same_answer_for_calls(self):
        """The policy's call channel and the activity's own check agree; the
        list covers calls only."""
        self._standard_list()
        policy = self.env["rgpd.contact.policy"].with_user(self.sales)
        companies = self.listed_co | self.clear_co
        calls = policy.decide(companies, "call")
        self.assertFalse(calls[self.listed_co.id].allowed)
        self.assertEqual(calls[self.listed_co.id].fact, "do_not_call")
        self.assertIn("+32470123456", calls[self.listed_co.id].reason)
        self.assertTrue(calls[self.clear_co.id].allowed)
        self.assertTrue(policy.decide(self.listed_co, "email")[self.listed_co.id].allowed)
        descriptions = " ".join(self.env["rgpd.contact.policy"]._rule_descriptions())
        self.assertIn("Do Not Call Me", descriptions)

    def test_a_contact_persons_number_needs_its_own_consent(self):
        self._standard_list()
        with self.assertRaisesRegex(UserError, "Anna Listed"):
            self._schedule(self.person_co)
        with self.assertRaises(UserError):
            self._schedule(self.person)
        self.Consent.create(
            {"partner_id": self.person_co.id, "purpose_id": self.purpose.id, "channel": "phone"}
        )
        with self.assertRaises(UserError, msg="a company's consent does not cover a person"):
            self._schedule(self.person)
        self.Consent.create(
            {"partner_id": self.person.id, "purpose_id": self.purpose.id, "channel": "phone"}
        )
        decisions = self.Load._call_decisions(self.person | self.person_co)
        self.assertEqual(decisions[self.person.id].fact, "consent")
        self.assertTrue(decisions[self.person.id].allowed)
        self._schedule(self.person)
        self._schedule(self.person_co)

    def test_a_consent_before_the_registration_does_not_count(self):
        self._wizard_load(self._text(f"0470 12 34 56;{self.today.isoformat()}"))
        self.Consent.create(
            {"partner_id": self.listed_co.id, "purpose_id": self.purpose.id, "channel": "phone"}
        )
        with self.assertRaises(UserError):
            self._schedule(self.listed_co)

    def _log_done_call(self, company):
        """A call that happened, logged as done from the schedule dialog."""
        wizard = (
            self.env["mail.activity.schedule"]
            .with_user(self.sales)
            .create(
                {
                    "res_model": "res.partner",
                    "res_ids": str(company.ids),
                    "activity_type_id": self.call_type.id,
                }
            )
        )
        wizard.action_schedule_activities_done()
        logged = (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search([("res_id", "=", company.id), ("res_model", "=", "res.partner")])
        )
        self.assertEqual(len(logged), 1)
        return logged

    def test_a_call_answering_the_companys_own_request_is_not_prospecting(self):
        self._standard_list()
        # the company called us: logged as done, initiated by the prospect
        inbound = self._log_done_call(self.listed_co)
        inbound.rgpd_initiated_by_prospect = True
        answer = self._schedule(self.listed_co, rgpd_dncm_event_id=inbound.id)
        self.assertFalse(answer.rgpd_dncm_warning)
        # an event of another company exempts nothing
        other = self._schedule(self.clear_co)
        with self.assertRaises(UserError):
            self._schedule(self.listed_co, rgpd_dncm_event_id=other.id)
        # a call nobody asked for is not exempted by ticking anything
        inbound.rgpd_initiated_by_prospect = False
        with self.assertRaises(UserError):
            self._schedule(self.listed_co, rgpd_dncm_event_id=inbound.id)

    def test_a_call_that_happened_is_logged_with_a_breach_flag(self):
        self._standard_list()
        logged = self._log_done_call(self.listed_co)
        self.assertFalse(logged.active)
        self.assertTrue(logged.rgpd_dncm_breach)
        self.assertEqual(logged.rgpd_dncm_list_date, self.today)
        # the managers see it
        action = self.env.ref("rgpd_prospection.rgpd_dncm_breach_action")
        found = (
            self.env["mail.activity"]
            .with_user(self.manager)
            .with_context(active_test=False)
            .search([("rgpd_dncm_breach", "=", True)])
        )
        self.assertIn(logged, found)
        self.assertIn("rgpd_dncm_breach", action.domain)
        # a call scheduled before the number was listed, then marked done
        clear_call = self._schedule(self.clear_co)
        self._wizard_load(self._text("09 222 22 22;2024-01-10"))
        clear_call.with_user(self.sales).action_done()
        self.assertTrue(clear_call.rgpd_dncm_breach)
        # an allowed call keeps the list it was checked against, unflagged
        self._wizard_load(self._text("0470000000;2024-01-10"))
        fine = self._schedule(self.clear_co)
        fine.with_user(self.sales).action_done()
        self.assertFalse(fine.rgpd_dncm_breach)
        self.assertEqual(fine.rgpd_dncm_list_date, self.today)

    def test_forged_logging_context_does_not_bypass_the_check(self):
        self._standard_list()
        with self.assertRaises(UserError):
            self.env["mail.activity"].with_user(self.sales).with_context(
                rgpd_dncm_logging=True
            ).create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": self.listed_co.id,
                    "activity_type_id": self.call_type.id,
                }
            )

    def test_record_of_processing_and_access_file_name_the_check(self):
        self._standard_list()
        record = self.env["rgpd.processing.record"].create({})
        titles = [title for title, _lines in record._sections()]
        self.assertIn("Do Not Call Me check", titles)
        sections = self.env["rgpd.access.report"]._collect(self.listed_co)
        dncm = next(s for s in sections if s["key"] == "dncm")
        self.assertTrue(any(row[1] is True for row in dncm["rows"]))

    def test_a_phone_edited_after_the_load_is_matched(self):
        self._standard_list()
        self.clear_co.phone = "0471 00 00 01"
        self.assertTrue(self.clear_co.rgpd_dncm_listed)
        self.listed_co.phone = "09 333 33 33"
        self.assertFalse(self.listed_co.rgpd_dncm_listed)

    def test_nobody_rewrites_the_proof_or_moves_a_consent(self):
        self._standard_list()
        call = self._schedule(self.clear_co)
        call.with_user(self.sales).action_done()
        for user in (self.sales, self.manager):
            with self.assertRaises(AccessError):
                call.with_user(user).write({"rgpd_dncm_breach": True})
            with self.assertRaises(AccessError):
                self._schedule(self.clear_co, user=user, rgpd_dncm_list_date=self.today)
        consent = self.Consent.create(
            {"partner_id": self.person_co.id, "purpose_id": self.purpose.id, "channel": "phone"}
        )
        with self.assertRaises(UserError):
            consent.with_user(self.sales).write({"partner_id": self.person.id})
        with self.assertRaises(UserError):
            self._schedule(self.person)
