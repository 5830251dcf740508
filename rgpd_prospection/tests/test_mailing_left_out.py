from odoo.addons.sms.tests.common import MockSMS
from odoo.tests import Form, tagged

from .test_mailing_purpose import MailingPurposeCase, PurposeWorld


@tagged("post_install", "-at_install")
class TestMailingLeftOut(MailingPurposeCase):
    """The form says before the sending what the purpose rule will leave
    out, and the sending leaves out just that."""

    def test_the_form_forecasts_what_the_sending_cancels(self):
        partners = (
            self.willing
            | self.willing_person
            | self.defaults
            | self.defaults_person
            | self.withdrawn
            | self.consenting
            | self.customer
        )
        domain = repr([("id", "in", partners.ids)])
        mailing = self._mailing("res.partner", self.purpose, mailing_domain=domain)
        marketer_mailing = mailing.with_user(self.marketer)
        self.assertEqual(marketer_mailing.rgpd_left_out_count, 3)
        self.assertIn("3 of the 7 recipients", marketer_mailing.rgpd_left_out_warning)
        self.assertIn("Cloud webinars", marketer_mailing.rgpd_left_out_warning)
        with Form(marketer_mailing) as form:
            form.rgpd_purpose_id = self.env["rgpd.purpose"]
            self.assertIn("No purpose: 6 of the 7 recipients", form.rgpd_left_out_warning)
            form.rgpd_purpose_id = self.purpose
        with self.mock_mail_gateway():
            marketer_mailing.action_send_mail()
        self.assertEqual(mailing.rgpd_purpose_canceled, 3, "the forecast was the outcome")
        self.assertFalse(mailing.rgpd_left_out_warning, "a sent mailing forecasts nothing")

    def test_nothing_said_when_everyone_may_be_contacted(self):
        mailing = self._mailing(
            "res.partner",
            self.purpose,
            mailing_domain=repr([("id", "in", (self.willing | self.customer).ids)]),
        )
        self.assertEqual(mailing.rgpd_left_out_count, 0)
        self.assertFalse(mailing.rgpd_left_out_warning)


@tagged("post_install", "-at_install")
class TestSmsRefusalReason(PurposeWorld, MockSMS):
    """An SMS the module refuses says why: no consent, or an opposition;
    never a wrong number format."""

    def test_refused_sms_give_the_real_reason(self):
        unconsented = self._prospect(
            "Unconsented Cloud",
            phone="+32 470 10 00 11",
            rgpd_purpose_ids=[(6, 0, self.purpose.ids)],
        )
        opposed = self._prospect(
            "Opposed Cloud",
            phone="+32 470 10 00 12",
            rgpd_purpose_ids=[(6, 0, self.purpose.ids)],
        )
        self.Blacklist._add([opposed.bce_number], "phone")
        self.assertTrue(opposed.rgpd_opted_out)
        partners = self.willing | unconsented | opposed
        mailing = self._mailing(
            "res.partner",
            self.purpose,
            mailing_type="sms",
            sms_force_send=True,
            mailing_domain=repr([("id", "in", partners.ids)]),
        )
        with self.mockSMSGateway():
            mailing.action_send_mail()
        self.assertEqual({sms["number"] for sms in self._sms}, {"+32470100001"})
        traces = self._traces(mailing)
        self.assertEqual(traces[unconsented.id], ("cancel", "rgpd_sms_consent"))
        self.assertEqual(traces[opposed.id], ("cancel", "rgpd_opposition"))
        labels = dict(
            self.env["mailing.trace"]._fields["failure_type"]._description_selection(self.env)
        )
        self.assertEqual(labels["rgpd_sms_consent"], "No consent to SMS prospecting")
