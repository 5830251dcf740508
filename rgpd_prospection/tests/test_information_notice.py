from markupsafe import escape
from odoo import fields
from odoo.tests import Form, HttpCase, tagged

from .accountability_case import AccountabilityCase


@tagged("post_install", "-at_install")
class TestInformationNotice(AccountabilityCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("rgpd_prospection.dpo_email", "dpo@example.com")
        cls.company = cls._prospect("Acme Notice", email="info@acme-notice.be")
        cls.template = cls.env.ref("rgpd_prospection.rgpd_notice_mail_template")

    def test_notice_tells_purposes_source_retention_rights_and_unsubscribe_link(self):
        html = self.template._render_field("body_html", self.company.ids)[self.company.id]
        body = " ".join(html.split())
        for purpose in self.company.rgpd_purpose_ids:
            self.assertIn(escape(purpose.description), body)
        self.assertIn("Crossroads Bank for Enterprises", body)
        self.assertIn(self.company.bce_number_display, body)
        self.assertIn("36 months", body)
        self.assertIn("dpo@example.com", body)
        self.assertIn(self.company.rgpd_unsubscribe_url, body)

    def test_notice_is_rendered_in_the_company_language(self):
        self.env["res.lang"]._activate_lang("nl_BE")
        self.company.lang = "nl_BE"
        self.assertEqual(self.template._render_lang(self.company.ids)[self.company.id], "nl_BE")

    def test_sending_records_the_date_and_is_not_a_contact_from_the_prospect(self):
        action = self.company.action_rgpd_send_notice()
        self.assertFalse(self.company.rgpd_notice_date, "opening the composer sends nothing")
        composer = Form(self.env["mail.compose.message"].with_context(**action["context"]))
        composer.save().action_send_mail()
        self.assertEqual(self.company.rgpd_notice_date, fields.Date.context_today(self.company))
        self.assertFalse(self.company.rgpd_last_contact_date)
        message = self.company.message_ids[:1]
        self.assertIn("/rgpd/unsubscribe/", message.body)
        self.assertIn(self.company, message.partner_ids)

    def test_unsubscribe_link_blacklists_after_confirmation(self):
        url = self.company.rgpd_unsubscribe_url
        path = url[url.index("/rgpd/") :]
        response = self.url_open(path)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Acme Notice", response.text)
        self.assertFalse(self.company.rgpd_opted_out, "opening the link changes nothing")
        response = self.url_open(path, data={"confirm": "1"})
        self.assertEqual(response.status_code, 200)
        self.company.invalidate_recordset(["rgpd_opted_out"])
        self.assertTrue(self.company.rgpd_opted_out)
        entry = self.Blacklist.search([("bce_number", "=", self.company.bce_number)])
        self.assertEqual(entry.channel, "email_unsubscribe")

    def test_unsubscribe_link_with_a_wrong_token_is_refused(self):
        response = self.url_open(
            f"/rgpd/unsubscribe/{self.company.id}/forged", data={"confirm": "1"}
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.company.rgpd_opted_out)
