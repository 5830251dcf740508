from datetime import date

from odoo import fields
from odoo.tests import tagged

from .accountability_case import AccountabilityCase

OLD = date(2021, 3, 1)
INBOUND_MAIL = """Return-Path: <{sender}>
From: Jean Dupont <{sender}>
To: sales@example.com
Subject: Your offer
Message-ID: <rgpd-last-contact-{tag}@acme.example>
Date: {date}
Content-Type: text/plain; charset="utf-8"

Please send me your prices.
"""


@tagged("post_install", "-at_install")
class TestLastContact(AccountabilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls._prospect(
            "Acme Contact", email="info@acme-contact.be", rgpd_last_contact_date=OLD
        )
        cls.person = cls._person(
            cls.company, "Reception", email="reception@acme-contact.be", rgpd_last_contact_date=OLD
        )
        cls.today = fields.Date.context_today(cls.Partner)

    def _receive(self, sender, tag):
        raw = INBOUND_MAIL.format(
            sender=sender,
            tag=tag,
            date=fields.Datetime.now().strftime("%a, %d %b %Y %H:%M:%S +0000"),
        )
        return self.env["mail.thread"].message_process(
            "res.partner", raw, thread_id=self.company.id
        )

    def test_mail_received_from_a_contact_person_moves_the_date(self):
        self._receive(self.person.email, "person")
        message = self.company.message_ids[:1]
        self.assertEqual(message.message_type, "email")
        self.assertEqual(message.author_id, self.person)
        self.assertEqual(self.company.rgpd_last_contact_date, self.today)
        self.assertEqual(self.person.rgpd_last_contact_date, self.today)

    def test_mail_received_from_the_company_moves_the_date(self):
        self._receive(self.company.email, "company")
        self.assertEqual(self.company.rgpd_last_contact_date, self.today)

    def test_mail_from_a_stranger_does_not_move_the_date(self):
        self._receive("someone@elsewhere.example", "stranger")
        self.assertEqual(self.company.rgpd_last_contact_date, OLD)

    def test_mails_we_send_do_not_move_the_date(self):
        self.company.message_post(
            body="Our new offer", message_type="comment", partner_ids=self.company.ids
        )
        self.company.message_post(body="Internal note", subtype_xmlid="mail.mt_note")
        self.company.message_post(body="Sent mail", message_type="email_outgoing")
        self.assertEqual(self.company.rgpd_last_contact_date, OLD)

    def test_mass_mailing_does_not_move_the_date(self):
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Our offers",
                "body_html": "<p>Offers</p>",
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "mailing_domain": repr([("id", "=", self.company.id)]),
            }
        )
        mailing.action_send_mail()
        self.assertTrue(mailing.mailing_trace_ids)
        self.assertEqual(self.company.rgpd_last_contact_date, OLD)

    def _activity(self, partner, xmlid, initiated):
        return partner.activity_schedule(
            xmlid, summary="Contact", rgpd_initiated_by_prospect=initiated
        )

    def test_call_from_the_prospect_moves_the_date(self):
        self._activity(self.company, "mail.mail_activity_data_call", True).action_done()
        self.assertEqual(self.company.rgpd_last_contact_date, self.today)

    def test_meeting_asked_by_a_contact_person_moves_the_company_date(self):
        self._activity(self.person, "mail.mail_activity_data_meeting", True).action_done()
        self.assertEqual(self.company.rgpd_last_contact_date, self.today)

    def test_call_we_make_or_other_activity_does_not_move_the_date(self):
        self._activity(self.company, "mail.mail_activity_data_call", False).action_done()
        self._activity(self.company, "mail.mail_activity_data_todo", True).action_done()
        self.assertEqual(self.company.rgpd_last_contact_date, OLD)

    def test_planned_call_does_not_move_the_date_before_it_is_done(self):
        self._activity(self.company, "mail.mail_activity_data_call", True)
        self.assertEqual(self.company.rgpd_last_contact_date, OLD)

    def test_inbound_contact_lifts_the_expiry(self):
        self.company.write({"rgpd_expired": True, "rgpd_expired_date": OLD})
        self._receive(self.company.email, "expired")
        self.assertFalse(self.company.rgpd_expired)
        self.assertFalse(self.company.rgpd_expired_date)
