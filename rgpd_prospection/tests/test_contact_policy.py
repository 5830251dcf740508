from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.sms.tests.common import MockSMS
from odoo.exceptions import UserError
from odoo.tests import tagged

from .accountability_case import AccountabilityCase

SNAPSHOT_TABLES = (
    "res_partner",
    "mail_mail",
    "mail_message",
    "mail_notification",
    "mail_followers",
    "mail_activity",
    "sms_sms",
    "mailing_trace",
    "rgpd_consent",
)


class ContactPolicyCase(AccountabilityCase):
    """The situations of the policy's table, one company each."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.purpose = cls.Purpose.create(
            {"name": "Policy webinars", "description": "Webinars.", "is_default": False}
        )
        cls.purpose.assessment_ids.write({"outcome": "favourable", "conclusion": "B2B only."})
        cls.purpose.assessment_ids.action_complete()
        cls.consent_purpose = cls.Purpose.create(
            {"name": "Policy newsletter", "legal_basis": "consent", "is_default": False}
        )
        cls.draft_purpose = cls.Purpose.create({"name": "Policy drafts", "is_default": False})
        purposes = cls.purpose | cls.consent_purpose | cls.draft_purpose

        def prospect(name, **values):
            company = cls._prospect(
                name, email=f"info@{name.lower().replace(' ', '-')}.example", **values
            )
            company.rgpd_purpose_ids = purposes
            return company

        cls.fine = prospect("Policy Fine", phone="+32470000001")
        cls.opposed = prospect("Policy Opposed", phone="+32470000002")
        cls.Blacklist._add([cls.opposed.bce_number], "phone", "Objected")
        cls.erased = prospect("Policy Erased", phone="+32470000005")
        cls.erased.sudo().rgpd_anonymized = True
        cls.expired = prospect("Policy Expired", phone="+32470000006")
        cls.expired.sudo().rgpd_expired = True
        cls.consenting = prospect("Policy Consenting", phone="+32470000003")
        cls.Consent.create({"partner_id": cls.consenting.id, "purpose_id": cls.consent_purpose.id})
        cls.withdrawn = prospect("Policy Withdrawn")
        consent = cls.Consent.create(
            {"partner_id": cls.withdrawn.id, "purpose_id": cls.consent_purpose.id}
        )
        consent.action_withdraw()
        cls.not_theirs = prospect("Policy Not Theirs")
        cls.not_theirs.rgpd_purpose_ids = cls.consent_purpose
        cls.blacklisted = prospect("Policy Blacklisted", phone="+32470000004")
        cls.env["mail.blacklist"]._add(cls.blacklisted.email)
        cls.env["phone.blacklist"]._add(["+32470000004"])
        # typed by hand with the opposed company's phone and an address of its own
        cls.twin = cls.Partner.create(
            {
                "name": "Policy Twin",
                "is_company": True,
                "phone": cls.opposed.phone,
                "email": "info@policy-twin.example",
            }
        )
        cls.Policy = cls.env["rgpd.contact.policy"]

    def _snapshot(self):
        """What a refusal must leave as it was: the rows of every table a
        message, a call or a trace writes to."""
        self.env.flush_all()
        counts = {}
        for table in SNAPSHOT_TABLES:
            self.env.cr.execute(f"SELECT count(*), max(id) FROM {table}")  # noqa: S608
            counts[table] = self.env.cr.fetchone()
        return counts

    def _table(self):
        """(company, purpose, channel) -> (allowed, fact): the README's table."""
        return [
            (self.fine, self.purpose, "email", True, "allowed"),
            (self.fine, self.draft_purpose, "email", False, "assessment"),
            (self.fine, self.consent_purpose, "email", False, "consent_missing"),
            (self.fine, None, "sms", False, "consent_missing"),
            (self.fine, None, "call", True, "allowed"),
            (self.fine, self.draft_purpose, "call", False, "assessment"),
            (self.opposed, self.purpose, "email", False, "opposition"),
            (self.opposed, None, "sms", False, "opposition"),
            (self.opposed, None, "call", False, "opposition"),
            (self.opposed, None, "notice", False, "opposition"),
            (self.erased, self.purpose, "email", False, "erasure"),
            (self.erased, None, "sms", False, "erasure"),
            (self.erased, None, "call", False, "erasure"),
            (self.erased, None, "notice", False, "erasure"),
            (self.expired, self.purpose, "email", False, "expiry"),
            (self.expired, None, "sms", False, "expiry"),
            (self.expired, self.purpose, "call", False, "expiry"),
            (self.expired, None, "notice", False, "expiry"),
            (self.consenting, self.consent_purpose, "email", True, "allowed"),
            (self.consenting, None, "sms", True, "allowed"),
            (self.consenting, self.consent_purpose, "sms", True, "allowed"),
            (self.withdrawn, self.consent_purpose, "email", False, "purpose_not_theirs"),
            (self.not_theirs, self.purpose, "email", False, "purpose_not_theirs"),
            (self.not_theirs, self.purpose, "call", False, "purpose_not_theirs"),
            (self.blacklisted, self.purpose, "email", False, "blacklisted"),
            (self.blacklisted, None, "notice", False, "blacklisted"),
            (self.blacklisted, None, "sms", False, "blacklisted"),
            (self.blacklisted, None, "call", True, "allowed"),
            (self.twin, None, "email", False, "opposition"),
            (self.twin, None, "sms", False, "opposition"),
            (self.twin, None, "call", False, "opposition"),
        ]


@tagged("post_install", "-at_install")
class TestContactPolicy(ContactPolicyCase):
    """The policy's table, situation by situation, through the policy itself
    and through the doors that ask it; and the transport that stops a path
    that forgot it."""

    def test_policy_table(self):
        for company, purpose, channel, allowed, fact in self._table():
            with self.subTest(company=company.name, channel=channel):
                decision = self.Policy.decide(company, channel, purpose)[company.id]
                self.assertEqual((decision.allowed, decision.fact), (allowed, fact))
                self.assertTrue(decision.reason)

    def test_answer_crosses_the_opposition_for_a_manager_only(self):
        self.assertTrue(self.Policy.decide(self.opposed, "answer")[self.opposed.id].allowed)
        user = self.env["res.users"].create(
            {"name": "Policy Sales", "login": "policy_sales", "group_ids": [(6, 0, [])]}
        )
        decision = self.Policy.with_user(user).decide(self.opposed, "answer")[self.opposed.id]
        self.assertEqual(decision.fact, "opposition")

    def test_mass_message_without_purpose_reaches_no_prospect(self):
        decision = self.Policy.decide(self.fine, "email", require_purpose=True)[self.fine.id]
        self.assertEqual(decision.fact, "purpose_missing")

    def test_doors_agree_with_the_policy(self):
        """The chatter, the SMS, the form's summary and the activity say what
        the table says for the same company."""
        for company in (self.opposed, self.erased, self.expired, self.twin):
            with self.subTest(company=company.name), self.assertRaises(UserError):
                company.message_post(body="Hello", partner_ids=company.ids)
            with self.subTest(company=company.name), self.assertRaises(UserError):
                company._message_sms("Hello")
        self.fine.message_post(body="Hello", partner_ids=self.fine.ids)
        self.assertEqual(self.consenting._message_sms("Hello").message_type, "sms")
        summary = self.not_theirs.rgpd_contactable_summary
        self.assertIn("Not one of the company&#39;s purposes", summary)
        values = {
            "res_model_id": self.env["ir.model"]._get_id("res.partner"),
            "res_id": self.fine.id,
            "activity_type_id": self.env.ref("mail.mail_activity_data_email").id,
            "rgpd_purpose_id": self.draft_purpose.id,
        }
        activity = self.env["mail.activity"].create(values)
        self.assertIn("assessment", activity.rgpd_purpose_warning)
        activity.rgpd_purpose_id = self.purpose
        self.assertFalse(activity.rgpd_purpose_warning)
        # a call, which no later door decides, is refused for the same reason
        call = dict(values, activity_type_id=self.env.ref("mail.mail_activity_data_call").id)
        with self.assertRaisesRegex(UserError, "assessment"):
            self.env["mail.activity"].create(call)

    def test_mass_composer_without_mailing_cancels_prospects_without_purpose(self):
        composer = self.env["mail.compose.message"].create(
            {
                "composition_mode": "mass_mail",
                "model": "res.partner",
                "res_ids": repr((self.fine | self.consenting).ids),
                "subject": "Hi",
                "body": "Hi",
            }
        )
        composer._action_send_mail()
        mails = self.env["mail.mail"].search([("res_id", "in", self.fine.ids)])
        self.assertEqual(mails.mapped("failure_type"), ["rgpd_purpose"])

    def test_transport_stops_a_path_that_forgot_the_policy(self):
        """A mail made for a customer, then pointed at a prospect by a new
        path, and an SMS made by hand: the transport refuses both."""
        customer = self.Partner.create({"name": "Policy Customer", "email": "c@customer.example"})
        mail = self.env["mail.mail"].sudo().create({"email_to": customer.email, "body_html": "x"})
        mail.write({"email_to": self.fine.email})
        mail.send()
        self.assertEqual((mail.state, mail.failure_type), ("exception", "rgpd_purpose"))
        sms = self.env["sms.sms"].sudo().create({"number": "+32470000001", "body": "x"})
        sms.send()
        self.assertEqual((sms.state, sms.failure_type), ("error", "rgpd_purpose"))
        kept = self.env["mail.mail"].sudo().create({"email_to": customer.email, "body_html": "x"})
        kept.send()
        self.assertNotEqual(kept.failure_type, "rgpd_purpose")

    def test_mail_server_refuses_a_message_to_a_prospect(self):
        server = self.env["ir.mail_server"]
        message = server._build_email__("me@example.com", [self.fine.email], "Hi", "Hi")
        with self.assertRaises(UserError):
            server.send_email(message)


# the refusals that do not depend on the purpose: the chatter, which states
# none, must give them too
WHATEVER_THE_PURPOSE = {"opposition", "erasure", "expiry", "blacklisted"}


@tagged("post_install", "-at_install")
class TestEveryDoorFollowsTheTable(ContactPolicyCase, MockEmail, MockSMS):
    """Each cell of the table through each door that reaches its channel:
    e-mail and SMS mailings on contacts and on mailing contacts, their test
    sends, the mail composer in mass and single mode, the SMS composer in
    mass and single mode and with numbers typed by hand, the chatter, the
    activity and the scheduled call, the information notice; the same answer
    as the policy's. A door that refuses by an error leaves the database as
    it was; a mailing cancels the recipient and its trace says why."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("rgpd_prospection.dpo_email", "dpo@example.com")
        # a record of another model, with its own number, to write from
        cls.stranger = cls.env["mailing.contact"].create(
            {"name": "Door Stranger", "email": "stranger@doors.example", "mobile": "+32470999999"}
        )

    def _door(self, prepare, act):
        """Whether ``act(prepare())`` lets the message through. Everything is
        rolled back after; a refusal (an error) must have written nothing."""
        allowed = None
        savepoint = self.env.cr.savepoint()
        try:
            with self.mock_mail_gateway(), self.mockSMSGateway():
                prepared = prepare()
                before = self._snapshot()
                try:
                    allowed = act(prepared)
                except UserError as error:
                    self.assertEqual(self._snapshot(), before, f"refused, nothing written: {error}")
                    allowed = False
        finally:
            savepoint.close(rollback=True)
        self.env.invalidate_all()
        return allowed

    # -- mailings ---------------------------------------------------------------

    def _mailing(self, model, record, purpose, mailing_type="mail", **values):
        return self.env["mailing.mailing"].create(
            {
                "subject": "Door test",
                "body_html": "<p>Hello</p>",
                "body_plaintext": "Hello",
                "mailing_type": mailing_type,
                "email_from": "sales@seller.example",
                "mailing_model_id": self.env["ir.model"]._get_id(model),
                "mailing_domain": repr([("id", "=", record.id)]),
                "rgpd_purpose_id": purpose.id,
                **values,
            }
        )

    def _mailing_contact(self, company, channel):
        """A mailing contact typed with the company's address or number."""
        field = "email" if channel == "email" else "mobile"
        return self.env["mailing.contact"].create(
            {"name": "Typed Contact", field: company.email if channel == "email" else company.phone}
        )

    def _traces_allow(self, mailing):
        """Sent, or cancelled with the policy's reason on the trace."""
        traces = mailing.mailing_trace_ids
        for trace in traces.filtered(lambda t: t.failure_type == "rgpd_purpose"):
            self.assertTrue(trace.failure_reason, "the trace says why")
        return bool(traces) and not set(traces.mapped("trace_status")) & {"cancel", "error"}

    def _mailing_door(self, company, purpose, channel, on_contact=False):
        mailing_type = "mail" if channel == "email" else "sms"

        def prepare():
            if on_contact:
                # Odoo's exclusion list off: the policy alone answers
                record = self._mailing_contact(company, channel)
                return self._mailing(
                    "mailing.contact",
                    record,
                    purpose,
                    mailing_type,
                    use_exclusion_list=False,
                )
            return self._mailing("res.partner", company, purpose, mailing_type)

        def act(mailing):
            if channel == "email":
                mailing.action_send_mail()
            else:
                mailing.action_send_sms()
            return self._traces_allow(mailing)

        return self._door(prepare, act)

    def _mailing_test_door(self, company, purpose, channel):
        def prepare():
            if channel == "email":
                mailing = self._mailing("res.partner", company, purpose)
                return self.env["mailing.mailing.test"].create(
                    {"mass_mailing_id": mailing.id, "email_to": company.email}
                )
            mailing = self._mailing("res.partner", company, purpose, "sms")
            return self.env["mailing.sms.test"].create(
                {"mailing_id": mailing.id, "numbers": company.phone}
            )

        def act(wizard):
            if channel == "email":
                wizard.send_mail_test()
                return bool(self._mails)
            wizard.action_send_sms()
            return bool(self._sms)

        return self._door(prepare, act)

    # -- composers ----------------------------------------------------------------

    def _mail_composer_door(self, company, purpose, mode):
        """``mass``: a mass mail on the company without a mailing; ``single``:
        a message on the company; ``other``: a message on a record of another
        model with the company among its recipients."""

        def prepare():
            values = {"subject": "Door test", "body": "Hello", "rgpd_purpose_id": purpose.id}
            if mode == "mass":
                values.update(composition_mode="mass_mail", model="res.partner")
                values["res_ids"] = repr(company.ids)
            else:
                record = company if mode == "single" else self.stranger
                values.update(
                    composition_mode="comment",
                    model=record._name,
                    res_ids=repr(record.ids),
                    partner_ids=[(6, 0, company.ids)],
                )
            return self.env["mail.compose.message"].create(values)

        def act(composer):
            composer._action_send_mail()
            mails = self.env["mail.mail"].sudo().search([("res_id", "=", company.id)])
            return bool(self._mails) and not any(m.failure_type == "rgpd_purpose" for m in mails)

        return self._door(prepare, act)

    def _sms_composer_door(self, company, purpose, mode):
        """``mass`` (with a purpose), ``single`` (on the company), ``numbers``
        (the company's number typed, no record), ``typed`` (typed on a record
        of another model)."""

        def prepare():
            values = {"body": "Hello"}
            if mode == "mass":
                values.update(
                    composition_mode="mass",
                    res_model="res.partner",
                    res_ids=repr(company.ids),
                    mass_force_send=True,
                    rgpd_purpose_id=purpose.id,
                )
            elif mode == "single":
                values.update(
                    composition_mode="comment", res_model="res.partner", res_id=company.id
                )
            elif mode == "numbers":
                values.update(composition_mode="numbers", numbers=company.phone)
            else:
                values.update(
                    composition_mode="comment",
                    res_model="mailing.contact",
                    res_ids=repr(self.stranger.ids),
                    numbers=company.phone,
                )
            return self.env["sms.composer"].create(values)

        def act(composer):
            composer.action_send_sms()
            return company.phone_sanitized in {sms["number"] for sms in self._sms}

        return self._door(prepare, act)

    # -- the chatter, activities, the notice -----------------------------------------

    def _chatter_door(self, company):
        def act(_prepared):
            company.message_post(body="Hello", partner_ids=company.ids)
            return True

        return self._door(lambda: None, act)

    def _activity_door(self, company, purpose, channel):
        """An e-mail planned warns (the mail is decided when sent); a call is
        scheduled or refused."""
        xmlid = f"mail.mail_activity_data_{'call' if channel == 'call' else 'email'}"

        def act(_prepared):
            activity = self.env["mail.activity"].create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": company.id,
                    "activity_type_id": self.env.ref(xmlid).id,
                    "rgpd_purpose_id": purpose.id,
                }
            )
            return channel == "call" or not activity.rgpd_purpose_warning

        return self._door(lambda: None, act)

    def _notice_door(self, company):
        def act(_prepared):
            company.action_rgpd_send_notice()
            return True

        return self._door(lambda: None, act)

    # -- the table ----------------------------------------------------------------

    def _doors(self, company, purpose, channel, allowed, fact):
        """The doors of the channel that can try this cell, by name."""
        door_purpose = purpose or self.purpose
        prospect = company.is_bce_prospect
        doors = {}
        if channel == "email":
            doors["mailing"] = lambda: self._mailing_door(company, door_purpose, "email")
            doors["mailing on mailing contacts"] = lambda: self._mailing_door(
                company, door_purpose, "email", on_contact=True
            )
            doors["mailing test"] = lambda: self._mailing_test_door(company, door_purpose, "email")
            for mode in ("mass", "single", "other"):
                doors[f"mail composer {mode}"] = lambda m=mode: self._mail_composer_door(
                    company, door_purpose, m
                )
            if prospect:
                doors["activity"] = lambda: self._activity_door(company, door_purpose, "email")
            if allowed or fact in WHATEVER_THE_PURPOSE or not prospect:
                doors["chatter"] = lambda: self._chatter_door(company)
        elif channel == "sms" and company.phone:
            doors["SMS mailing"] = lambda: self._mailing_door(company, door_purpose, "sms")
            doors["SMS mailing on mailing contacts"] = lambda: self._mailing_door(
                company, door_purpose, "sms", on_contact=True
            )
            doors["SMS test"] = lambda: self._mailing_test_door(company, door_purpose, "sms")
            doors["SMS composer mass"] = lambda: self._sms_composer_door(
                company, door_purpose, "mass"
            )
            if not purpose:  # these SMS state no purpose
                for mode in ("single", "numbers", "typed"):
                    doors[f"SMS composer {mode}"] = lambda m=mode: self._sms_composer_door(
                        company, None, m
                    )
        elif channel == "call":
            doors["scheduled call"] = lambda: self._activity_door(
                company, purpose or self.env["rgpd.purpose"], "call"
            )
        elif channel == "notice":
            doors["notice"] = lambda: self._notice_door(company)
        return doors

    def test_every_door_gives_the_tables_answer(self):
        checked = set()
        for company, purpose, channel, allowed, fact in self._table():
            for door, allows in self._doors(company, purpose, channel, allowed, fact).items():
                with self.subTest(company=company.name, channel=channel, door=door):
                    self.assertEqual(allows(), allowed, f"{door} disagrees with the table ({fact})")
                    checked.add(door)
        self.assertEqual(
            checked,
            {
                "mailing",
                "mailing on mailing contacts",
                "mailing test",
                "mail composer mass",
                "mail composer single",
                "mail composer other",
                "activity",
                "chatter",
                "SMS mailing",
                "SMS mailing on mailing contacts",
                "SMS test",
                "SMS composer mass",
                "SMS composer single",
                "SMS composer numbers",
                "SMS composer typed",
                "scheduled call",
                "notice",
            },
            "every door was tried",
        )
