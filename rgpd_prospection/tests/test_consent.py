from odoo.addons.rgpd_prospection.bce_engine.emails import is_nominative_email
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .accountability_case import AccountabilityCase

NOMINATIVE = "jean.dupont@acme-consent.be"
GENERIC = "info@acme-consent.be"


@tagged("post_install", "-at_install")
class TestConsent(AccountabilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls._prospect("Acme Consent")
        cls.person = cls._person(cls.company, "Jean Dupont")
        cls.news = cls.env.ref("rgpd_prospection.rgpd_purpose_news")
        cls.events = cls.env.ref("rgpd_prospection.rgpd_purpose_events")
        cls.sales = new_test_user(
            cls.env,
            login="rgpd_consent_sales",
            groups="base.group_user,rgpd_prospection.group_rgpd_user",
        )

    def _consent(self, partner, purpose, **values):
        return self.Consent.create({"partner_id": partner.id, "purpose_id": purpose.id, **values})

    def test_new_prospect_gets_the_default_purposes(self):
        defaults = self.Purpose.search([("is_default", "=", True)])
        self.assertEqual(len(defaults), 6)
        self.assertEqual(self.company.rgpd_purpose_ids, defaults)
        other = self.Partner.create({"name": "Not a prospect", "is_company": True})
        self.assertFalse(other.rgpd_purpose_ids)

    def test_purposes_follow_the_defaults_until_chosen(self):
        """Prospects hold no purpose rows of their own: a new default purpose
        reaches them, not the companies whose purposes were chosen."""
        chosen = self._prospect("Acme Chosen")
        chosen.rgpd_purpose_ids = self.news
        self.assertTrue(chosen.rgpd_purpose_chosen)
        extra = self.Purpose.create({"name": "Webinars", "is_default": True})
        self.env.invalidate_all()
        self.assertIn(extra, self.company.rgpd_purpose_ids)
        self.assertEqual(chosen.rgpd_purpose_ids, self.news)
        other = self.Partner.create({"name": "Not a prospect", "is_company": True})
        mine = self.company | chosen | other

        def found(domain):
            return self.Partner.search([("id", "in", mine.ids), *domain])

        self.assertEqual(found([("rgpd_purpose_ids", "in", extra.ids)]), self.company)
        self.assertEqual(found([("rgpd_purpose_ids", "in", self.news.ids)]), self.company | chosen)
        self.assertEqual(found([("rgpd_purpose_ids", "not in", self.news.ids)]), other)
        self.assertEqual(found([("rgpd_purpose_ids", "=", False)]), other)
        self.assertEqual(found([("rgpd_purpose_ids", "!=", False)]), self.company | chosen)
        self.assertEqual(found([("rgpd_purpose_ids", "ilike", "Webinar")]), self.company)

    def test_partial_withdrawal_removes_one_purpose_only(self):
        news = self._consent(self.person, self.news, channel="trade_fair", proof="Fair form #12")
        self._consent(self.person, self.events)
        news.action_withdraw()
        self.assertEqual(news.state, "withdrawn")
        self.assertTrue(news.withdrawal_date)
        self.assertNotIn(self.news, self.company.rgpd_purpose_ids)
        self.assertIn(self.events, self.company.rgpd_purpose_ids)
        self.assertFalse(self.company.rgpd_opted_out)

    def test_withdrawing_every_purpose_blacklists_the_company(self):
        self.company.rgpd_purpose_ids = self.news | self.events
        consents = self._consent(self.person, self.news) | self._consent(self.company, self.events)
        consents[0].action_withdraw()
        self.assertFalse(self.company.rgpd_opted_out)
        consents[1].action_withdraw()
        self.assertFalse(self.company.rgpd_purpose_ids)
        self.assertTrue(self.company.rgpd_opted_out)
        self.assertTrue(self.person.rgpd_opted_out)
        self.assertTrue(self.Blacklist.search([("bce_number", "=", self.company.bce_number)]))

    def test_renewed_consent_keeps_the_company_out_of_the_blacklist(self):
        self.company.rgpd_purpose_ids = self.news
        news = self._consent(self.person, self.news)
        events = self._consent(self.company, self.events)
        events.action_withdraw()
        self.assertFalse(self.company.rgpd_opted_out)
        self.assertEqual(self.company.rgpd_purpose_ids, self.news)
        self.assertEqual(news.state, "given")

    def test_consent_is_a_contact_from_the_prospect(self):
        self.assertFalse(self.company.rgpd_last_contact_date)
        consent = self._consent(self.person, self.news, date="2024-05-02")
        self.assertEqual(str(self.company.rgpd_last_contact_date), "2024-05-02")
        self.assertEqual(str(self.person.rgpd_last_contact_date), "2024-05-02")
        consent.action_withdraw()
        self.assertEqual(str(self.company.rgpd_last_contact_date), "2024-05-02")

    def test_nominative_email_needs_a_consent(self):
        self.assertTrue(is_nominative_email(NOMINATIVE))
        self.assertFalse(is_nominative_email(GENERIC))
        with self.assertRaises(ValidationError):
            self.person.email = NOMINATIVE
        self.person.email = GENERIC
        consented = self.Partner.create(
            {
                "name": "Marie Peeters",
                "parent_id": self.company.id,
                "email": NOMINATIVE,
                "rgpd_consent_ids": [
                    (0, 0, {"purpose_id": self.news.id, "channel": "business_card"})
                ],
            }
        )
        self.assertTrue(consented.rgpd_has_consent)

    def test_nominative_email_through_the_form(self):
        with self.assertRaises(ValidationError), Form(self.Partner) as form:
            form.name = "Luc Janssens"
            form.parent_id = self.company
            form.email = NOMINATIVE

    def test_nominative_email_allowed_outside_bce_prospects(self):
        customer = self.Partner.create({"name": "Own customer", "is_company": True})
        person = self._person(customer, "Jean Dupont", email=NOMINATIVE)
        self.assertEqual(person.email, NOMINATIVE)

    def test_sales_record_and_withdraw_but_do_not_delete(self):
        consent = self.Consent.with_user(self.sales).create(
            {"partner_id": self.person.id, "purpose_id": self.news.id, "proof": "Mail of 2 May"}
        )
        self.assertEqual(consent.user_id, self.sales)
        consent.action_withdraw()
        with self.assertRaises(AccessError):
            consent.unlink()


@tagged("post_install", "-at_install")
class TestSmsConsent(AccountabilityCase):
    """SMS is an app Odoo installs by itself beside phone_validation."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.silent = cls._prospect("Silent SMS", phone="+32 470 12 34 56")
        cls.consenting = cls._prospect("Consenting SMS", phone="+32 470 65 43 21")
        cls.Consent.create(
            {
                "partner_id": cls.consenting.id,
                "purpose_id": cls.env.ref("rgpd_prospection.rgpd_purpose_events").id,
                "channel": "phone",
            }
        )
        cls.own_customer = cls.Partner.create(
            {"name": "Own customer SMS", "is_company": True, "phone": "+32 470 11 22 33"}
        )

    def test_sms_app_is_installed(self):
        self.assertIn("sms.sms", self.env)

    def test_mass_sms_skips_prospects_without_consent(self):
        partners = self.silent | self.consenting | self.own_customer
        composer = self.env["sms.composer"].create(
            {
                "composition_mode": "mass",
                "res_model": "res.partner",
                "res_ids": repr(partners.ids),
                "body": "Our event",
                "mass_keep_log": False,
            }
        )
        composer.action_send_sms()
        sms = self.env["sms.sms"].search([("partner_id", "in", partners.ids)])
        states = {s.partner_id: s.state for s in sms}
        self.assertEqual(states[self.silent], "canceled")
        # without a mailing, a mass SMS has no purpose: it reaches no prospect
        self.assertEqual(states[self.consenting], "canceled")
        self.assertEqual(states[self.own_customer], "outgoing")

    def test_sms_on_one_prospect_needs_its_consent(self):
        with self.assertRaisesRegex(UserError, "Silent SMS"):
            self.silent._message_sms("Hello")
        self.assertEqual(self.consenting._message_sms("Hello").message_type, "sms")
