from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.sms.tests.common import MockSMS
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import email_normalize_all

from .accountability_case import AccountabilityCase

PURPOSE_FAILURE = "rgpd_purpose"


class PurposeWorld(AccountabilityCase):
    """Prospects with and without the mailing's purpose, on legitimate
    interest or on consent, their contact persons, and an own customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.marketer = new_test_user(
            cls.env,
            login="rgpd_purpose_marketer",
            groups="base.group_user,mass_mailing.group_mass_mailing_user",
        )
        cls.purpose = cls.Purpose.create(
            {
                "name": "Cloud webinars",
                "description": "Inviting companies to our cloud webinars.",
                "is_default": False,
            }
        )
        cls.assessment = cls.purpose.assessment_ids
        cls.assessment.write({"outcome": "favourable", "conclusion": "B2B offers only."})
        cls.assessment.action_complete()
        cls.other_purpose = cls.Purpose.create({"name": "Unrelated offers", "is_default": False})
        with_purpose = [(6, 0, cls.purpose.ids)]
        cls.willing = cls._prospect(
            "Willing Cloud",
            email="info@willing-cloud.example",
            phone="+32 470 10 00 01",
            rgpd_purpose_ids=with_purpose,
        )
        cls.willing_person = cls._person(
            cls.willing, "Desk Willing", email="desk@willing-cloud.example"
        )
        cls.defaults = cls._prospect(
            "Defaults Only", email="info@defaults-only.example", phone="+32 470 10 00 02"
        )
        cls.defaults_person = cls._person(
            cls.defaults, "Desk Defaults", email="desk@defaults-only.example"
        )
        cls.withdrawn = cls._prospect(
            "Withdrawn Consent",
            email="info@withdrawn.example",
            phone="+32 470 10 00 03",
            rgpd_legal_basis="consent",
            rgpd_purpose_ids=[(6, 0, (cls.purpose | cls.other_purpose).ids)],
        )
        cls.consenting = cls._prospect(
            "Consenting Corp",
            email="info@consenting.example",
            phone="+32 470 10 00 04",
            rgpd_legal_basis="consent",
            rgpd_purpose_ids=with_purpose,
        )
        cls.customer = cls.Partner.create(
            {
                "name": "Own Customer",
                "is_company": True,
                "email": "info@own-customer.example",
                "phone": "+32 470 10 00 05",
            }
        )
        cls.Consent.create(
            [
                {"partner_id": cls.consenting.id, "purpose_id": cls.purpose.id},
                {"partner_id": cls.withdrawn.id, "purpose_id": cls.purpose.id},
                {"partner_id": cls.willing.id, "purpose_id": cls.purpose.id},
                {"partner_id": cls.defaults.id, "purpose_id": cls.other_purpose.id},
            ]
        )
        cls.Consent.search([("partner_id", "=", cls.withdrawn.id)]).action_withdraw()
        # the withdrawal drops the purpose (another one is left, so no opposition);
        # give it back to test the consent rule alone
        assert not cls.withdrawn.rgpd_opted_out
        cls.withdrawn.rgpd_purpose_ids = with_purpose

    @classmethod
    def _mailing(cls, model, purpose, **values):
        return cls.env["mailing.mailing"].create(
            {
                "subject": "Cloud webinar",
                "body_html": "<p>Join us</p>",
                "body_plaintext": "Join us",
                "mailing_type": "mail",
                "email_from": "sales@seller.example",
                "mailing_model_id": cls.env["ir.model"]._get_id(model),
                "rgpd_purpose_id": purpose.id,
                **values,
            }
        )

    def _traces(self, mailing):
        return {
            trace.res_id: (trace.trace_status, trace.failure_type or False)
            for trace in mailing.mailing_trace_ids
        }


class MailingPurposeCase(PurposeWorld, MockEmail):
    """Real e-mail mailings, sent through Odoo's mocked gateway."""

    def _sent_to(self):
        return {
            email
            for mail in self._mails
            for email in email_normalize_all(",".join(mail["email_to"]))
        }


@tagged("post_install", "-at_install")
class TestMailingPurpose(MailingPurposeCase):
    def test_mailing_on_contacts_reaches_only_the_right_prospects(self):
        partners = (
            self.willing
            | self.willing_person
            | self.defaults
            | self.defaults_person
            | self.withdrawn
            | self.consenting
            | self.customer
        )
        mailing = self._mailing(
            "res.partner", self.purpose, mailing_domain=repr([("id", "in", partners.ids)])
        )
        with self.mock_mail_gateway():
            mailing.with_user(self.marketer).action_send_mail()
        self.assertEqual(
            self._sent_to(),
            {
                "info@willing-cloud.example",
                "desk@willing-cloud.example",
                "info@consenting.example",
                "info@own-customer.example",
            },
        )
        cancelled = ("cancel", PURPOSE_FAILURE)
        self.assertEqual(
            {res_id for res_id, status in self._traces(mailing).items() if status == cancelled},
            set((self.defaults | self.defaults_person | self.withdrawn).ids),
        )
        # Odoo 19 keeps a trace of a cancelled recipient, and no mail
        mails = self.env["mail.mail"].sudo().search([("mailing_id", "=", mailing.id)])
        self.assertFalse(set(mails.mapped("res_id")) & set(self.defaults.ids))
        self.assertEqual(mailing.canceled, 3)
        self.assertEqual(mailing.rgpd_purpose_canceled, 3)
        self.assertEqual(mailing.sent, 4)
        self.assertEqual(mailing.rgpd_assessment_id, self.assessment)

        # what the mailing was sent for and under stays as it was sent
        for values in (
            {"rgpd_purpose_id": self.other_purpose.id},
            {"rgpd_assessment_id": False},
        ):
            with self.subTest(values=values), self.assertRaises(UserError):
                mailing.with_user(self.marketer).write(values)
        self.assertEqual(
            (mailing.rgpd_purpose_id, mailing.rgpd_assessment_id), (self.purpose, self.assessment)
        )

    def test_the_marketer_cannot_forge_the_assessment_of_a_draft(self):
        mailing = self._mailing("res.partner", self.purpose)
        with self.assertRaises(UserError):
            mailing.with_user(self.marketer).write({"rgpd_assessment_id": self.assessment.id})
        self.assertFalse(mailing.rgpd_assessment_id)
        mailing.with_user(self.marketer).rgpd_purpose_id = self.other_purpose
        self.assertEqual(mailing.rgpd_purpose_id, self.other_purpose, "a draft may change")

    def test_default_purposes_count_without_stored_rows(self):
        default_purpose = self.Purpose.create({"name": "Default webinars", "is_default": True})
        default_purpose.assessment_ids.write({"outcome": "favourable", "conclusion": "Fine."})
        default_purpose.assessment_ids.action_complete()
        self.assertFalse(self.defaults.rgpd_purpose_chosen)
        mailing = self._mailing(
            "res.partner",
            default_purpose,
            mailing_domain=repr([("id", "in", (self.defaults | self.willing).ids)]),
        )
        with self.mock_mail_gateway():
            mailing.action_send_mail()
        self.assertEqual(self._sent_to(), {"info@defaults-only.example"})
        self.assertEqual(self._traces(mailing)[self.willing.id], ("cancel", PURPOSE_FAILURE))

    def test_mailing_without_purpose_reaches_no_prospect(self):
        mailing = self._mailing(
            "res.partner",
            self.Purpose,
            mailing_domain=repr([("id", "in", (self.willing | self.customer).ids)]),
        )
        with self.mock_mail_gateway():
            mailing.action_send_mail()
        self.assertEqual(self._sent_to(), {"info@own-customer.example"})
        self.assertEqual(self._traces(mailing)[self.willing.id], ("cancel", PURPOSE_FAILURE))

    def test_mailing_contacts_are_matched_by_email(self):
        mailing_list = self.env["mailing.list"].create({"name": "Webinar list"})
        contacts = self.env["mailing.contact"].create(
            [
                {"name": name, "email": email, "list_ids": [(6, 0, mailing_list.ids)]}
                for name, email in [
                    ("Willing", "INFO@willing-cloud.example"),
                    ("Defaults", "desk@defaults-only.example"),
                    ("Stranger", "someone@unknown.example"),
                ]
            ]
        )
        mailing = self._mailing(
            "mailing.list", self.purpose, contact_list_ids=[(6, 0, mailing_list.ids)]
        )
        with self.mock_mail_gateway():
            mailing.action_send_mail()
        self.assertEqual(self._sent_to(), {"info@willing-cloud.example", "someone@unknown.example"})
        self.assertEqual(self._traces(mailing)[contacts[1].id], ("cancel", PURPOSE_FAILURE))
        self.assertEqual(mailing.rgpd_purpose_canceled, 1)

    def test_the_queue_cron_applies_the_purpose(self):
        """Launched from the form, sent by the scheduled action as the
        scheduler runs it."""
        mailing = self._mailing(
            "res.partner",
            self.purpose,
            mailing_domain=repr([("id", "in", (self.willing | self.defaults).ids)]),
        )
        mailing.with_user(self.marketer).action_launch()
        self.assertEqual(mailing.state, "in_queue")
        cron = self.env.ref("mass_mailing.ir_cron_mass_mailing_queue")
        self.env.flush_all()
        with self.mock_mail_gateway(), self.registry.cursor() as cron_cr:
            self.registry["ir.cron"]._process_job(
                cron_cr,
                {**cron.read(load=None)[0], "done": 0, "remaining": 0, "timed_out_counter": 0},
            )
        self.env.invalidate_all()
        self.assertEqual(mailing.state, "done")
        self.assertEqual(self._sent_to(), {"info@willing-cloud.example"})
        self.assertEqual(self._traces(mailing)[self.defaults.id], ("cancel", PURPOSE_FAILURE))
        self.assertEqual(mailing.rgpd_assessment_id, self.assessment)

    def test_the_form_says_why_each_purpose(self):
        summary = self.defaults_person.rgpd_contactable_summary
        self.assertIn("Cloud webinars", summary)
        self.assertIn("Not one of the company&#39;s purposes", summary)
        willing = self.willing.rgpd_contactable_summary
        self.assertIn("Legitimate interest (assessment version 1", willing)
        self.assertIn("Consent given on", self.consenting.rgpd_contactable_summary)
        self.assertIn("Consent withdrawn on", self.withdrawn.rgpd_contactable_summary)
        self.assertFalse(self.customer.rgpd_contactable_summary)

    def _activity_count(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT count(*), max(id) FROM mail_activity")
        return self.env.cr.fetchone()

    def test_an_activity_for_another_purpose_warns(self):
        """An e-mail planned for another purpose warns (the mail is decided
        when sent); a call, which no later door decides, is refused."""
        before = self._activity_count()
        with self.assertRaisesRegex(UserError, "Not one of the company's purposes"):
            self.defaults.activity_schedule(
                "mail.mail_activity_data_call", summary="Call", rgpd_purpose_id=self.purpose.id
            )
        self.assertEqual(self._activity_count(), before, "nothing was written")
        mail = self.defaults.activity_schedule(
            "mail.mail_activity_data_email", summary="Mail", rgpd_purpose_id=self.purpose.id
        )
        self.assertIn("may not be contacted for Cloud webinars", mail.rgpd_purpose_warning)
        fine = self.willing.activity_schedule(
            "mail.mail_activity_data_email", summary="Mail", rgpd_purpose_id=self.purpose.id
        )
        self.assertFalse(fine.rgpd_purpose_warning)
        unset = self.willing.activity_schedule("mail.mail_activity_data_call", summary="Call")
        self.assertIn("State the purpose", unset.rgpd_purpose_warning)
        employee = new_test_user(
            self.env,
            login="rgpd_purpose_employee",
            groups="base.group_user,base.group_partner_manager",
        )
        plain = self.defaults.with_user(employee).activity_schedule(
            "mail.mail_activity_data_call", summary="Call"
        )
        self.assertIn("State the purpose", plain.rgpd_purpose_warning)
        result = fine._onchange_rgpd_purpose_id()
        self.assertIsNone(result)
        fine.rgpd_purpose_id = self.other_purpose
        warning = fine._onchange_rgpd_purpose_id()["warning"]
        self.assertIn("may not be contacted", warning["message"])

    def test_the_schedule_dialog_asks_the_purpose_of_a_call_to_a_prospect(self):
        """Odoo's "Schedule an activity" dialog from the chatter, as the web
        client opens it: the purpose is asked, and the policy answers at once."""
        dialog = "mail.mail_activity_view_form_popup"
        call = self.env.ref("mail.mail_activity_data_call")
        context = {"default_res_model": "res.partner", "default_res_id": self.defaults.id}
        form = Form(self.env["mail.activity"].with_context(**context), view=dialog)
        form.activity_type_id = call
        self.assertTrue(form.rgpd_asks_purpose)
        self.assertIn("State the purpose", form.rgpd_purpose_warning)
        with self.assertRaises(AssertionError):  # the purpose is required
            form.save()
        form.rgpd_purpose_id = self.purpose
        self.assertIn("may not be contacted for Cloud webinars", form.rgpd_purpose_warning)
        before = self._activity_count()
        with self.assertRaisesRegex(UserError, "This call cannot be scheduled"):
            form.save()
        self.assertEqual(self._activity_count(), before, "nothing was written")
        # a prospect that has the purpose is called for it
        context["default_res_id"] = self.willing.id
        willing_form = Form(self.env["mail.activity"].with_context(**context), view=dialog)
        willing_form.activity_type_id = call
        willing_form.rgpd_purpose_id = self.purpose
        self.assertFalse(willing_form.rgpd_purpose_warning)
        willing_form.save()
        # a customer that is not a prospect is not asked
        context["default_res_id"] = self.customer.id
        customer_form = Form(self.env["mail.activity"].with_context(**context), view=dialog)
        customer_form.activity_type_id = call
        self.assertFalse(customer_form.rgpd_asks_purpose)
        self.assertFalse(customer_form.rgpd_purpose_warning)


@tagged("post_install", "-at_install")
class TestSmsMailingPurpose(PurposeWorld, MockSMS):
    """The same rule for an SMS mailing, with the SMS gateway mocked."""

    def test_sms_mailing_reaches_only_the_right_prospects(self):
        mailing_list = self.env["mailing.list"].create({"name": "SMS list"})
        contact = self.env["mailing.contact"].create(
            {
                "name": "Number of Defaults",
                "mobile": "+32 470 10 00 02",
                "list_ids": [(6, 0, mailing_list.ids)],
            }
        )
        partners = self.willing | self.defaults | self.consenting | self.customer
        mailing = self._mailing(
            "res.partner",
            self.purpose,
            mailing_type="sms",
            sms_force_send=True,
            mailing_domain=repr([("id", "in", partners.ids)]),
        )
        with self.mockSMSGateway():
            mailing.action_send_mail()
        sent = {sms["number"] for sms in self._sms}
        self.assertEqual(sent, {"+32470100001", "+32470100004", "+32470100005"})
        self.assertEqual(self._traces(mailing)[self.defaults.id], ("cancel", PURPOSE_FAILURE))
        # Odoo 19 keeps a trace of a cancelled recipient, and no SMS
        sms = self.env["sms.sms"].sudo().search([("mailing_id", "=", mailing.id)])
        self.assertNotIn(self.defaults, sms.partner_id)
        self.assertEqual(mailing.canceled, 1)
        self.assertEqual(mailing.rgpd_purpose_canceled, 1)

        on_list = self._mailing(
            "mailing.list",
            self.purpose,
            mailing_type="sms",
            sms_force_send=True,
            contact_list_ids=[(6, 0, mailing_list.ids)],
        )
        with self.mockSMSGateway():
            on_list.action_send_mail()
        self.assertFalse(self._sms)
        self.assertEqual(self._traces(on_list)[contact.id], ("cancel", PURPOSE_FAILURE))


@tagged("post_install", "-at_install")
class TestMailingPurposeTour(HttpCase, MockEmail):
    """In the browser: create a mailing, choose its purpose, send it, and
    read the cancelled count."""

    def test_tour_mailing_purpose(self):
        env = self.env(context=dict(self.env.context, tracking_disable=True))
        # a mailing's sender and reply-to default to the user's address; without demo data
        # the administrator has none, and the form refuses to save
        env.ref("base.user_admin").email = "admin@example.com"
        purpose = env["rgpd.purpose"].create({"name": "Tour webinars", "is_default": False})
        purpose.assessment_ids.write({"outcome": "favourable", "conclusion": "Fine."})
        purpose.assessment_ids.action_complete()
        Partner = env["res.partner"]
        Partner.create(
            {
                "name": "Tour Willing",
                "is_company": True,
                "is_bce_prospect": True,
                "bce_number": "0200065765",
                "email": "info@tour-willing.example",
                "rgpd_purpose_ids": [(6, 0, purpose.ids)],
            }
        )
        Partner.create(
            {
                "name": "Tour Defaults",
                "is_company": True,
                "is_bce_prospect": True,
                "bce_number": "0403170701",
                "email": "info@tour-defaults.example",
            }
        )
        tour_list = env["mailing.list"].create({"name": "Tour list"})
        env["mailing.contact"].create(
            [
                {"name": name, "email": email, "list_ids": [(6, 0, tour_list.ids)]}
                for name, email in [
                    ("Willing", "info@tour-willing.example"),
                    ("Defaults", "info@tour-defaults.example"),
                ]
            ]
        )
        self.start_tour(
            "/odoo/action-mass_mailing.mailing_mailing_action_mail",
            "rgpd_mailing_purpose_tour",
            login="admin",
        )
        mailing = env["mailing.mailing"].search([("subject", "=", "Tour webinar")])
        self.assertEqual(mailing.rgpd_purpose_id, purpose)
        self.assertEqual(mailing.state, "in_queue")
        # sent as the scheduler sends it: the queue commits between batches
        cron = env.ref("mass_mailing.ir_cron_mass_mailing_queue")
        env.flush_all()
        with self.mock_mail_gateway(), self.registry.cursor() as cron_cr:
            self.registry["ir.cron"]._process_job(
                cron_cr,
                {**cron.read(load=None)[0], "done": 0, "remaining": 0, "timed_out_counter": 0},
            )
        env.invalidate_all()
        self.assertEqual(mailing.rgpd_purpose_canceled, 1)
        self.start_tour(
            f"/odoo/action-mass_mailing.mailing_mailing_action_mail/{mailing.id}",
            "rgpd_mailing_purpose_count_tour",
            login="admin",
        )
