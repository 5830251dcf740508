from odoo.addons.mail.tests.common import MockEmail
from odoo.exceptions import UserError
from odoo.tests import tagged

from .accountability_case import AccountabilityCase


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
        cls.erased = prospect("Policy Erased")
        cls.erased.sudo().rgpd_anonymized = True
        cls.expired = prospect("Policy Expired")
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
        cls.twin = cls.Partner.create(
            {"name": "Policy Twin", "is_company": True, "phone": cls.opposed.phone}
        )
        cls.Policy = cls.env["rgpd.contact.policy"]

    def _table(self):
        """(company, purpose, channel) -> (allowed, fact): the README's table."""
        return [
            (self.fine, self.purpose, "email", True, "allowed"),
            (self.fine, self.draft_purpose, "email", False, "assessment"),
            (self.fine, self.consent_purpose, "email", False, "consent_missing"),
            (self.fine, None, "sms", False, "consent_missing"),
            (self.opposed, self.purpose, "email", False, "opposition"),
            (self.opposed, None, "call", False, "opposition"),
            (self.opposed, None, "notice", False, "opposition"),
            (self.erased, self.purpose, "email", False, "erasure"),
            (self.expired, self.purpose, "call", False, "expiry"),
            (self.consenting, self.consent_purpose, "email", True, "allowed"),
            (self.consenting, None, "sms", True, "allowed"),
            (self.withdrawn, self.consent_purpose, "email", False, "purpose_not_theirs"),
            (self.not_theirs, self.purpose, "email", False, "purpose_not_theirs"),
            (self.blacklisted, self.purpose, "email", False, "blacklisted"),
            (self.blacklisted, None, "notice", False, "blacklisted"),
            (self.twin, None, "email", False, "opposition"),
            (self.twin, None, "sms", False, "opposition"),
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
        activity = self.env["mail.activity"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": self.fine.id,
                "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                "rgpd_purpose_id": self.draft_purpose.id,
            }
        )
        self.assertIn("assessment", activity.rgpd_purpose_warning)
        activity.rgpd_purpose_id = self.purpose
        self.assertFalse(activity.rgpd_purpose_warning)

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
class TestEveryDoorFollowsTheTable(ContactPolicyCase, MockEmail):
    """Each cell of the table through each door that reaches its channel:
    the mailing and its test, the mass composer without a mailing, the
    chatter, the activity, the information notice; the same answer as the
    policy's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("rgpd_prospection.dpo_email", "dpo@example.com")

    def _mailing_allows(self, company, purpose):
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Door test",
                "body_html": "<p>Hello</p>",
                "mailing_type": "mail",
                "email_from": "sales@seller.example",
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "mailing_domain": repr([("id", "=", company.id)]),
                "rgpd_purpose_id": purpose.id,
            }
        )
        try:
            with self.env.cr.savepoint(), self.mock_mail_gateway():
                mailing.action_send_mail()
        except UserError:  # the whole mailing refused (its purpose is unusable)
            return False
        statuses = set(mailing.mailing_trace_ids.mapped("trace_status"))
        return bool(statuses) and "cancel" not in statuses

    def _composer_allows(self, company, purpose):
        composer = self.env["mail.compose.message"].create(
            {
                "composition_mode": "mass_mail",
                "model": "res.partner",
                "res_ids": repr(company.ids),
                "subject": "Door test",
                "body": "Hello",
                "rgpd_purpose_id": purpose.id,
            }
        )
        try:
            with self.env.cr.savepoint(), self.mock_mail_gateway():
                composer._action_send_mail()
        except UserError:
            return False
        mails = self.env["mail.mail"].sudo().search([("res_id", "=", company.id)])
        return bool(self._mails) and not any(m.failure_type == "rgpd_purpose" for m in mails)

    def _chatter_allows(self, company):
        try:
            with self.env.cr.savepoint(), self.mock_mail_gateway():
                company.message_post(body="Hello", partner_ids=company.ids)
        except UserError:
            return False
        return True

    def _activity_allows(self, company, purpose, channel):
        activity_type = (
            "mail.mail_activity_data_call"
            if channel == "call"
            else ("mail.mail_activity_data_email")
        )
        activity = self.env["mail.activity"].create(
            {
                "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                "res_id": company.id,
                "activity_type_id": self.env.ref(activity_type).id,
                "rgpd_purpose_id": purpose.id,
            }
        )
        return not activity.rgpd_purpose_warning

    def _notice_allows(self, company):
        try:
            company.action_rgpd_send_notice()
        except UserError:
            return False
        return True

    def test_every_door_gives_the_tables_answer(self):
        checked = 0
        for company, purpose, channel, allowed, fact in self._table():
            doors = {}
            if channel == "email":
                door_purpose = purpose or self.purpose
                if company.is_bce_prospect:
                    doors["mailing"] = lambda c=company, p=door_purpose: self._mailing_allows(c, p)
                    doors["composer"] = lambda c=company, p=door_purpose: self._composer_allows(
                        c, p
                    )
                    doors["activity"] = lambda c=company, p=door_purpose: self._activity_allows(
                        c, p, "email"
                    )
                if allowed or fact in WHATEVER_THE_PURPOSE or not company.is_bce_prospect:
                    doors["chatter"] = lambda c=company: self._chatter_allows(c)
            elif channel == "call" and purpose:
                doors["activity"] = lambda c=company, p=purpose: self._activity_allows(c, p, "call")
            elif channel == "notice":
                doors["notice"] = lambda c=company: self._notice_allows(c)
            for door, allows in doors.items():
                with self.subTest(company=company.name, channel=channel, door=door):
                    self.assertEqual(allows(), allowed, f"{door} disagrees with the table ({fact})")
                    checked += 1
        self.assertGreaterEqual(checked, 30, "the doors were tried")
