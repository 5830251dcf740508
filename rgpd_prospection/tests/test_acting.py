from odoo import fields
from odoo.addons.mail.tests.common import MockEmail
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .accountability_case import AccountabilityCase

ACK_SUBJECT = "Your objection to our commercial communications"


def ack_mails(env, partner):
    return (
        env["mail.mail"]
        .sudo()
        .search([("recipient_ids", "in", partner.ids), ("subject", "=", ACK_SUBJECT)])
    )


def notes(partner):
    return " ".join(partner.message_ids.mapped(lambda m: str(m.body)))


@tagged("post_install", "-at_install")
class TestEveryChannelAcknowledges(HttpCase, MockEmail):
    """An opposition through any channel is acknowledged by e-mail
    (Royal Decree of 4 April 2003, art. 2) and noted in the chatter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, lang="en_US"))
        Partner = cls.env["res.partner"]
        cls.company = Partner.create(
            {
                "name": "Objector Works",
                "is_company": True,
                "bce_number": "0403170701",
                "email": "info@objector-works.example",
            }
        )
        cls.person = Partner.create(
            {
                "name": "Desk of Objector",
                "parent_id": cls.company.id,
                "email": "sales@objector-works.example",
            }
        )
        cls.silent = Partner.create(
            {"name": "No Mail Ltd", "is_company": True, "bce_number": "0200065765"}
        )
        cls.mailing = cls.env["mailing.mailing"].create(
            {
                "name": "On contacts",
                "subject": "Our offer",
                "body_html": "<p>Hello</p>",
                "mailing_type": "mail",
                "email_from": "sales@seller.example",
                "mailing_model_id": cls.env["ir.model"]._get_id("res.partner"),
                "mailing_domain": [("id", "in", cls.company.ids)],
            }
        )
        cls.sales = new_test_user(
            cls.env,
            login="h14_ack_sales",
            groups="base.group_user,rgpd_prospection.group_rgpd_user",
        )

    def _unsubscribe_url(self, document, email):
        token = self.mailing._generate_mailing_recipient_token(document.id, email)
        return (
            f"/mailing/{self.mailing.id}/unsubscribe?email={email}&document_id={document.id}"
            f"&hash_token={token}"
        )

    def test_mailing_link_unsubscribe_is_acknowledged_to_the_address_and_noted(self):
        self.assertFalse(ack_mails(self.env, self.person))
        response = self.url_open(self._unsubscribe_url(self.person, self.person.email))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.company.rgpd_opted_out)
        mail = ack_mails(self.env, self.person)
        self.assertEqual(len(mail), 1, "acknowledged to the address that unsubscribed")
        self.assertIn("Objector Works", str(mail.body_html))
        self.assertIn("0403.170.701", str(mail.body_html))
        body = notes(self.company)
        self.assertIn("Opposition to prospecting recorded (E-mail unsubscribe link)", body)
        self.assertIn("by e-mail to sales@objector-works.example", body)

    def test_notice_link_unsubscribe_is_acknowledged_and_noted(self):
        url = self.company.rgpd_unsubscribe_url
        self.url_open(url[url.index("/rgpd/") :], data={"confirm": "1"})
        self.assertTrue(self.company.rgpd_opted_out)
        self.assertEqual(len(ack_mails(self.env, self.company)), 1)
        self.assertIn("by e-mail to info@objector-works.example", notes(self.company))
        message = self.company.message_ids.filtered(lambda m: "recorded" in str(m.body))[:1]
        self.assertEqual(message.author_id, self.env.ref("base.partner_root"))

    def test_phone_reply_and_dpo_acknowledge_and_note(self):
        for channel, label in (
            ("phone", "Phone call"),
            ("request", "Written request"),
            ("dpo", "Data protection officer"),
        ):
            with self.subTest(channel=channel):
                company = self.env["res.partner"].create(
                    {
                        "name": f"Caller {channel}",
                        "is_company": True,
                        "bce_number": {"phone": "0417497106", "request": "0203201340"}.get(
                            channel, "0202239951"
                        ),
                        "email": f"{channel}@caller.example",
                    }
                )
                wizard = Form(
                    self.env["rgpd.opposition.wizard"]
                    .with_user(self.sales)
                    .with_context(default_partner_ids=company.ids)
                )
                wizard.channel = channel
                wizard.save().action_confirm()
                self.assertEqual(len(ack_mails(self.env, company)), 1)
                body = notes(company)
                self.assertIn(f"Opposition to prospecting recorded ({label})", body)
                self.assertIn(f"by e-mail to {channel}@caller.example", body)

    def test_no_address_known_is_said_in_the_chatter(self):
        wizard = Form(
            self.env["rgpd.opposition.wizard"]
            .with_user(self.sales)
            .with_context(default_partner_ids=self.silent.ids)
        )
        wizard.save().action_confirm()
        self.assertTrue(self.silent.rgpd_opted_out)
        self.assertIn("No e-mail address is known", notes(self.silent))
        self.assertFalse(
            self.env["mail.mail"]
            .sudo()
            .search([("subject", "=", ACK_SUBJECT)])
            .filtered(lambda m: self.silent in m.recipient_ids)
        )

    def test_notes_written_in_the_salespersons_language(self):
        self.env["res.lang"]._activate_lang("fr_BE")
        self.env["ir.module.module"]._load_module_terms(["rgpd_prospection"], ["fr_BE"])
        french = new_test_user(
            self.env,
            login="h14_ack_french",
            groups="base.group_user,rgpd_prospection.group_rgpd_user",
            lang="fr_BE",
        )
        self.company.user_id = french
        channels = dict(
            self.env["rgpd.blacklist"]
            .with_context(lang="fr_BE")
            ._fields["channel"]
            ._description_selection(self.env(context={"lang": "fr_BE"}))
        )
        self.assertNotEqual(channels["phone"], "Phone call", "fr.po translates the channel")
        entry = self.env["rgpd.blacklist"]._add([self.company.bce_number], "phone", "Called")
        entry._acknowledge_opposition()
        self.assertIn(channels["phone"], notes(self.company))

    def test_leaving_one_list_is_not_an_opposition(self):
        mailing_list = self.env["mailing.list"].create({"name": "News", "is_public": True})
        contact = self.env["mailing.contact"].create(
            {"name": "Desk", "email": self.person.email, "list_ids": [(6, 0, mailing_list.ids)]}
        )
        contact.subscription_ids.write({"opt_out": True})
        self.assertFalse(self.company.rgpd_opted_out)
        self.assertFalse(ack_mails(self.env, self.person))


@tagged("post_install", "-at_install")
class TestInformationNoticeComposer(AccountabilityCase, HttpCase):
    """The notice opens in the composer: read before sending, dated when sent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("rgpd_prospection.dpo_email", "dpo@example.com")
        cls.env.company.write(
            {
                "street": "Rue de la Loi 16",
                "zip": "1000",
                "city": "Bruxelles",
                "company_registry": "0207.288.802",
                "phone": "+32 2 555 01 01",
            }
        )
        cls.company = cls._prospect(
            "Acme Composer",
            email="info@acme-composer.be",
            bce_extract_number=150,
            bce_snapshot_date="2026-10-01",
        )
        cls.template = cls.env.ref("rgpd_prospection.rgpd_notice_mail_template")
        cls.sales = new_test_user(
            cls.env,
            login="h14_notice_sales",
            groups="base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_user",
        )

    def _composer(self, partner, user=None):
        action = partner.with_user(user or self.sales).action_rgpd_send_notice()
        self.assertEqual(action["res_model"], "mail.compose.message")
        self.assertEqual(action["target"], "new")
        return Form(
            self.env["mail.compose.message"]
            .with_user(user or self.sales)
            .with_context(**action["context"])
        )

    def test_opening_the_composer_sends_nothing_and_dates_nothing(self):
        messages = self.company.message_ids
        composer = self._composer(self.company)
        self.assertEqual(composer.template_id, self.template)
        self.assertIn("Acme Composer", composer.body)
        self.assertFalse(self.company.rgpd_notice_date)
        self.assertEqual(self.company.message_ids, messages)

    def test_sending_dates_the_notice(self):
        self._composer(self.company).save().action_send_mail()
        self.assertEqual(self.company.rgpd_notice_date, fields.Date.context_today(self.company))
        self.assertFalse(self.company.rgpd_last_contact_date)
        self.assertIn("/rgpd/unsubscribe/", self.company.message_ids[:1].body)

    def test_notice_names_source_controller_and_contact(self):
        body = " ".join(self._composer(self.company).body.split())
        self.assertIn("extract no. 150", body)
        self.assertIn("10/01/2026", body)
        self.assertIn("Rue de la Loi 16", body)
        self.assertIn("1000 Bruxelles", body)
        self.assertIn("0207.288.802", body)
        self.assertIn("dpo@example.com", body)
        self.assertIn("+32 2 555 01 01", body)

    def test_source_falls_back_on_the_last_applied_import(self):
        self.env["rgpd.bce.import"].create(
            {
                "state": "done",
                "extract_type": "update",
                "extract_number": 151,
                "snapshot_date": "2026-10-02",
            }
        )
        other = self._prospect("Typed By Hand", email="info@typed.be")
        self.assertEqual(other.rgpd_source_extract_number, 151)
        self.assertEqual(self.company.rgpd_source_extract_number, 150)

    def test_subject_starts_with_the_company_name_in_every_language(self):
        for lang in ("en_US", "fr_BE", "nl_BE"):
            self.env["res.lang"]._activate_lang(lang)
        self.env["ir.module.module"]._load_module_terms(["rgpd_prospection"], ["fr_BE", "nl_BE"])
        for lang in ("en_US", "fr_BE", "nl_BE"):
            with self.subTest(lang=lang):
                self.company.lang = lang
                subject = self._composer(self.company).subject
                self.assertTrue(subject.startswith(self.env.company.name), subject)

    def test_a_company_that_objected_is_refused_before_the_composer_opens(self):
        self.Blacklist._add([self.company.bce_number], "phone", "No")
        with self.assertRaises(UserError):
            self.company.with_user(self.sales).action_rgpd_send_notice()
        self.assertFalse(self.company.rgpd_notice_date)
