"""The doors of the contact policy beyond its table: the mail composer in
single mode asks the purpose, a call is scheduled with the event that
exempts it, and a hand-made twin of an opposed company is recognised where
a mailing filters its recipients, in a typed number and in a test send."""

from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.sms.tests.common import MockSMS
from odoo.tests import Form, new_test_user, tagged

from .test_contact_policy import ContactPolicyCase

SALES_GROUPS = (
    "base.group_user,base.group_partner_manager,mass_mailing.group_mass_mailing_user,"
    "rgpd_prospection.group_rgpd_user"
)
MANAGER_GROUPS = (
    "base.group_user,base.group_partner_manager,mass_mailing.group_mass_mailing_user,"
    "rgpd_prospection.group_rgpd_manager"
)
COMPOSER_VIEW = "mail.email_compose_message_wizard_form"


class PolicyDoorsCase(ContactPolicyCase, MockEmail, MockSMS):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("rgpd_prospection.dpo_email", "dpo@example.com")
        cls.sales = new_test_user(cls.env, login="policy_doors_sales", groups=SALES_GROUPS)
        cls.manager = new_test_user(cls.env, login="policy_doors_manager", groups=MANAGER_GROUPS)
        cls.customer = cls.Partner.create(
            {"name": "Doors Customer", "email": "buyer@doors-customer.example"}
        )
        cls.record = cls.env["mailing.contact"].create(
            {"name": "Doors Record", "email": "record@doors.example", "mobile": "+32470999998"}
        )


@tagged("post_install", "-at_install")
class TestComposerAsksThePurpose(PolicyDoorsCase):
    """The mail composer in single mode, on a contact and on another model:
    no purpose, no prospect; the answer to the company's own request and the
    module's own messages are the exceptions."""

    def _composer(self, user, record, partners, **values):
        return (
            self.env["mail.compose.message"]
            .with_user(user)
            .create(
                {
                    "composition_mode": "comment",
                    "model": record._name,
                    "res_ids": repr(record.ids),
                    "partner_ids": [(6, 0, partners.ids)],
                    "subject": "Hello",
                    "body": "Hello",
                    **values,
                }
            )
        )

    def test_a_message_to_a_prospect_states_its_purpose(self):
        for user in (self.sales, self.manager):
            for record in (self.fine, self.record):
                with self.subTest(user=user.login, model=record._name):
                    composer = self._composer(user, record, self.fine)
                    self.assertTrue(composer.rgpd_asks_purpose)
                    with self.assertRefusedUnchanged("Choose the prospecting purpose"):
                        composer._action_send_mail()
                    # for a purpose the prospect does not have: the policy's reason
                    composer = self._composer(
                        user, record, self.not_theirs, rgpd_purpose_id=self.purpose.id
                    )
                    with self.assertRefusedUnchanged("Not one of the company's purposes"):
                        composer._action_send_mail()
                    with self.mock_mail_gateway():
                        self._composer(
                            user, record, self.fine, rgpd_purpose_id=self.purpose.id
                        )._action_send_mail()
                    self.assertSentEmail(
                        user.partner_id, [self.fine], subject="Hello", body_content="Hello"
                    )

    def test_a_prospect_following_the_record_counts_as_a_recipient(self):
        self.record.message_subscribe(partner_ids=self.fine.ids)
        composer = self._composer(self.sales, self.record, self.customer)
        self.assertTrue(composer.rgpd_asks_purpose)
        with self.assertRefusedUnchanged("Choose the prospecting purpose"):
            composer._action_send_mail()
        # a customer alone, or a note on a prospect, needs no purpose
        self.record.message_unsubscribe(partner_ids=self.fine.ids)
        with self.mock_mail_gateway():
            self._composer(self.sales, self.record, self.customer)._action_send_mail()
        self.assertSentEmail(self.sales.partner_id, [self.customer])
        note = self._composer(
            self.sales,
            self.fine,
            self.Partner,
            subtype_id=self.env.ref("mail.mt_note").id,
        )
        self.assertFalse(note.rgpd_asks_purpose)
        note._action_send_mail()
        self.assertEqual(self.fine.message_ids[0].body, "<p>Hello</p>")

    def test_the_answer_to_a_request_and_the_notice_need_no_purpose(self):
        composer = self._composer(self.manager, self.opposed, self.opposed)
        composer.rgpd_answer_request = True
        self.assertFalse(composer.rgpd_asks_purpose)
        with self.mock_mail_gateway():
            composer._action_send_mail()
        self.assertSentEmail(self.manager.partner_id, [self.opposed])
        # the same ticked by a sales user is refused by the policy
        composer = self._composer(self.sales, self.opposed, self.opposed)
        composer.rgpd_answer_request = True
        with self.assertRefusedUnchanged("objected to prospecting"):
            composer._action_send_mail()
        # the information notice is decided on its own channel
        action = self.fine.with_user(self.sales).action_rgpd_send_notice()
        notice = Form(
            self.env["mail.compose.message"].with_user(self.sales).with_context(**action["context"])
        )
        self.assertFalse(notice.rgpd_asks_purpose)
        with self.mock_mail_gateway():
            notice.save()._action_send_mail()
        self.assertTrue(self.fine.rgpd_notice_date)

    def test_the_dialog_shows_and_requires_the_purpose(self):
        context = {
            "default_composition_mode": "comment",
            "default_model": "res.partner",
            "default_res_ids": self.fine.ids,
            "default_partner_ids": self.fine.ids,
        }
        Composer = self.env["mail.compose.message"].with_user(self.sales)
        form = Form(Composer.with_context(**context), view=COMPOSER_VIEW)
        self.assertTrue(form.rgpd_asks_purpose)
        form.subject = "Hello"
        form.body = "Hello"
        with self.assertRaises(AssertionError):  # required in the view
            form.save()
        form.rgpd_purpose_id = self.purpose
        form.save()
        context["default_res_ids"] = context["default_partner_ids"] = self.customer.ids
        customer = Form(Composer.with_context(**context), view=COMPOSER_VIEW)
        self.assertFalse(customer.rgpd_asks_purpose)

    def test_the_refusal_says_what_to_do_in_the_readers_language(self):
        for code in ("fr_BE", "nl_BE"):
            self.env["res.lang"]._activate_lang(code)
        self.env["ir.module.module"]._load_module_terms(["rgpd_prospection"], ["fr_BE", "nl_BE"])
        for lang, text in (
            ("fr_BE", "Choisissez la finalité de prospection"),
            ("nl_BE", "Kies het prospectiedoel"),
        ):
            self.sales.lang = lang
            composer = self._composer(self.sales, self.fine, self.fine).with_context(lang=lang)
            with self.subTest(lang=lang), self.assertRefusedUnchanged(text):
                composer._action_send_mail()


@tagged("post_install", "-at_install")
class TestScheduledCallAsksThePolicy(PolicyDoorsCase):
    """The scheduled call's check is the policy's answer for the call channel;
    the event that makes it no prospecting is passed to the policy."""

    def _schedule(self, company, user=None, **values):
        return (
            self.env["mail.activity"]
            .with_user(user or self.sales)
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": company.id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "user_id": (user or self.sales).id,
                    **values,
                }
            )
        )

    def test_a_call_answering_the_companys_request_is_exempt(self):
        for user in (self.sales, self.manager):
            with self.subTest(user=user.login), self.assertRefusedUnchanged("objected"):
                self._schedule(self.opposed, user=user)
        # the company called us: logged by a user of the module's roles
        inbound = self._schedule(self.expired, rgpd_initiated_by_prospect=True)
        inbound.with_user(self.sales).action_done()
        self.assertFalse(self.expired.rgpd_expired, "the company came back by itself")
        request = self._schedule(self.opposed, rgpd_initiated_by_prospect=True)
        self.assertFalse(request.rgpd_dncm_breach)
        answer = self._schedule(self.opposed, rgpd_dncm_event_id=request.id)
        self.assertFalse(answer.rgpd_opposition_warning)
        policy = self.env["rgpd.contact.policy"]
        self.assertEqual(
            policy.with_context(rgpd_call_event=request)
            .decide(self.opposed, "call")[self.opposed.id]
            .fact,
            "exempt",
        )
        # an id in an RPC context is no event
        self.assertEqual(
            policy.with_context(rgpd_call_event=request.id)
            .decide(self.opposed, "call")[self.opposed.id]
            .fact,
            "opposition",
        )
        # an event of another company exempts nothing
        with self.assertRefusedUnchanged("objected"):
            self._schedule(self.opposed, rgpd_dncm_event_id=inbound.id)
        # an internal user without the roles cannot tick the company's call
        internal = new_test_user(self.env, login="policy_doors_internal", groups="base.group_user")
        with self.assertRaises(Exception):  # noqa: B017 AccessError, nothing written
            self._schedule(self.opposed, user=internal, rgpd_initiated_by_prospect=True)

    def test_moving_a_call_onto_a_refused_company_writes_nothing(self):
        call = self._schedule(self.fine)
        with self.assertRefusedUnchanged("objected"):
            call.with_user(self.sales).write({"res_id": self.opposed.id})
        self.assertEqual(call.res_id, self.fine.id)
        with self.assertRefusedUnchanged("assessment"):
            call.with_user(self.sales).write({"rgpd_purpose_id": self.draft_purpose.id})

    def test_a_refused_call_logged_as_done_is_flagged(self):
        from ..models.mail_activity_dncm import LOGGING_DONE

        logged = (
            self.env["mail.activity"]
            .with_context(rgpd_dncm_logging=LOGGING_DONE)
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": self.opposed.id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                }
            )
        )
        logged.with_context(rgpd_dncm_logging=LOGGING_DONE).action_done()
        logged = logged.with_context(active_test=False)
        self.assertTrue(logged.rgpd_dncm_breach)
        self.assertIn("objected", logged.rgpd_dncm_reason)


@tagged("post_install", "-at_install")
class TestTwinsAtTheDoor(PolicyDoorsCase):
    """A mailing contact or a typed number carrying an opposed company's
    e-mail or phone, or its hand-made twin's: refused where the mailing
    filters its recipients (the trace says why), in the composers and in the
    test sends, not only at the transport."""

    def _mailing(self, model, records, mailing_type="mail"):
        return self.env["mailing.mailing"].create(
            {
                "subject": "Twins",
                "body_html": "<p>Hello</p>",
                "body_plaintext": "Hello",
                "mailing_type": mailing_type,
                "email_from": "sales@seller.example",
                "mailing_model_id": self.env["ir.model"]._get_id(model),
                "mailing_domain": repr([("id", "in", records.ids)]),
                "rgpd_purpose_id": self.purpose.id,
            }
        )

    def test_mailing_contacts_of_opposed_companies_and_their_twins(self):
        Contact = self.env["mailing.contact"]
        by_phone = Contact.create(
            {"name": "Typed", "email": "new@typed.example", "mobile": self.opposed.phone}
        )
        by_twin_email = Contact.create({"name": "Typed Twin", "email": self.twin.email})
        for contact, reason in (
            (by_phone, "Policy Opposed objected to prospecting"),
            (by_twin_email, "Same enterprise number, VAT, e-mail or phone as Policy Opposed"),
        ):
            stranger = Contact.create({"name": "Stranger", "email": "hello@stranger.example"})
            mailing = self._mailing("mailing.contact", contact | stranger)
            self.assertEqual(mailing.rgpd_left_out_count, 1, "said before sending")
            with self.subTest(contact=contact.name), self.mock_mail_gateway():
                mailing.action_send_mail()
                traces = {t.res_id: t for t in mailing.mailing_trace_ids}
                trace = traces[contact.id]
                self.assertEqual(
                    (trace.trace_status, trace.failure_type), ("cancel", "rgpd_purpose")
                )
                self.assertIn(reason, trace.failure_reason)
                self.assertEqual(traces[stranger.id].trace_status, "sent")

    def test_sms_mailing_to_mailing_contacts_of_a_twin(self):
        contact = self.env["mailing.contact"].create(
            {"name": "Typed Number", "mobile": self.twin.phone}
        )
        mailing = self._mailing("mailing.contact", contact, "sms")
        mailing.use_exclusion_list = False  # the policy alone answers
        with self.mockSMSGateway():
            mailing.action_send_sms()
        trace = mailing.mailing_trace_ids
        self.assertEqual((trace.trace_status, trace.failure_type), ("cancel", "rgpd_purpose"))
        self.assertIn("objected to prospecting", trace.failure_reason)
        self.assertFalse(self._sms)

    def test_typed_numbers_are_their_holders(self):
        Composer = self.env["sms.composer"].with_user(self.sales)
        for values in (
            {"composition_mode": "numbers", "numbers": self.opposed.phone},
            {
                "composition_mode": "comment",
                "res_model": "mailing.contact",
                "res_ids": repr(self.record.ids),
                "numbers": self.twin.phone,
            },
            {
                "composition_mode": "comment",
                "res_model": "res.partner",
                "res_id": self.customer.id,
                "recipient_single_number_itf": self.opposed.phone,
                "number_field_name": "phone",
            },
        ):
            composer = Composer.create({"body": "Hello", **values})
            with (
                self.subTest(mode=values["composition_mode"]),
                self.mockSMSGateway(),
                self.assertRefusedUnchanged("objected to prospecting"),
            ):
                composer.action_send_sms()
        # a number nobody we know holds goes
        with self.mockSMSGateway():
            Composer.create(
                {"body": "Hello", "composition_mode": "numbers", "numbers": "+32470555555"}
            ).action_send_sms()
        self.assertEqual([sms["number"] for sms in self._sms], ["+32470555555"])

    def test_test_sends_ask_the_policy(self):
        mailing = self._mailing("res.partner", self.customer)
        for email, text in (
            (self.twin.email, "Same enterprise number, VAT, e-mail or phone"),
            (self.opposed.email, "objected to prospecting"),
            (self.not_theirs.email, "Not one of the company's purposes"),
        ):
            wizard = self.env["mailing.mailing.test"].create(
                {"mass_mailing_id": mailing.id, "email_to": f"me@seller.example\n{email}"}
            )
            with self.subTest(email=email), self.assertRefusedUnchanged(text):
                wizard.send_mail_test()
        # a prospect that may be mailed for the purpose gets the test
        with self.mock_mail_gateway():
            self.env["mailing.mailing.test"].create(
                {"mass_mailing_id": mailing.id, "email_to": self.fine.email}
            ).send_mail_test()
        self.assertEqual(self._mails[0]["email_to"], [self.fine.email])
        sms_mailing = self._mailing("res.partner", self.customer, "sms")
        wizard = self.env["mailing.sms.test"].create(
            {"mailing_id": sms_mailing.id, "numbers": self.opposed.phone}
        )
        with self.mockSMSGateway(), self.assertRefusedUnchanged("objected to prospecting"):
            wizard.action_send_sms()
        with self.mockSMSGateway():
            self.env["mailing.sms.test"].create(
                {"mailing_id": sms_mailing.id, "numbers": "+32470555555"}
            ).action_send_sms()
        self.assertEqual([sms["number"] for sms in self._sms], ["+32470555555"])

    def test_the_transport_knows_the_twins(self):
        """A path that forgot the policy: the twin's own address is stopped
        at the transport."""
        mail = self.env["mail.mail"].sudo().create({"email_to": "x@else.example", "body_html": "x"})
        mail.write({"email_to": self.twin.email})
        mail.send()
        self.assertEqual((mail.state, mail.failure_type), ("exception", "rgpd_purpose"))


@tagged("post_install", "-at_install")
class TestSmsComposerAsksThePurpose(PolicyDoorsCase):
    """SMS to several records without a mailing: no purpose, no prospect; the
    purpose is chosen in the composer."""

    def _send(self, **values):
        composer = (
            self.env["sms.composer"]
            .with_user(self.sales)
            .create(
                {
                    "composition_mode": "mass",
                    "res_model": "res.partner",
                    "res_ids": repr((self.consenting | self.customer).ids),
                    "body": "Hello",
                    "mass_force_send": True,
                    **values,
                }
            )
        )
        with self.mockSMSGateway():
            composer.action_send_sms()
        return {sms["number"] for sms in self._sms}

    def test_no_purpose_no_prospect(self):
        self.customer.phone = "+32470555556"
        self.assertEqual(self._send(), {"+32470555556"})
        cancelled = self.env["sms.sms"].sudo().search([("partner_id", "=", self.consenting.id)])
        self.assertEqual(cancelled.mapped("failure_type"), ["rgpd_purpose"])
        self.assertEqual(
            self._send(rgpd_purpose_id=self.purpose.id), {"+32470555556", "+32470000003"}
        )

    def test_the_dialog_offers_the_purpose_in_mass_mode(self):
        form = Form(
            self.env["sms.composer"].with_context(
                default_composition_mode="mass",
                default_res_model="res.partner",
                default_res_ids=repr(self.consenting.ids),
            ),
            view="sms.sms_composer_view_form",
        )
        self.assertIn("rgpd_purpose_id", form._view["fields"])
        form.rgpd_purpose_id = self.purpose
        form.body = "Hello"
        self.assertEqual(form.save().rgpd_purpose_id, self.purpose)
