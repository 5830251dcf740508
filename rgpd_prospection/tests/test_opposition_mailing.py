from odoo.addons.mail.tests.common import MockEmail
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import email_normalize_all


@tagged("post_install", "-at_install")
class TestOppositionThroughMailings(HttpCase, MockEmail):
    """Odoo's own mailing pages and a real mass mailing, against the
    prospecting blacklist. Mailings are sent through Odoo's mocked mail
    gateway: pytest-odoo does not flag Odoo 18 as testing, so an unmocked send
    connects to SMTP, fails, and Odoo then marks the whole batch, cancelled
    mails included, as an SMTP error."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, lang="en_US"))
        cls.Blacklist = cls.env["rgpd.blacklist"]
        cls.company = cls.env["res.partner"].create(
            {
                "name": "Objector Works",
                "is_company": True,
                "bce_number": "0403170701",
                "email": "info@objector-works.example",
            }
        )
        cls.person = cls.env["res.partner"].create(
            {
                "name": "Desk of Objector",
                "parent_id": cls.company.id,
                "email": "sales@objector-works.example",
            }
        )
        cls.other = cls.env["res.partner"].create(
            {
                "name": "Willing Ltd",
                "is_company": True,
                "bce_number": "0200065765",
                "email": "info@willing.example",
            }
        )
        cls.list_news, cls.list_events = cls.env["mailing.list"].create(
            [{"name": "News", "is_public": True}, {"name": "Events", "is_public": True}]
        )
        cls.contact_objector, cls.contact_other = cls.env["mailing.contact"].create(
            [
                {
                    "name": "Desk",
                    "email": "sales@objector-works.example",
                    "list_ids": [(6, 0, (cls.list_news | cls.list_events).ids)],
                },
                {
                    "name": "Willing",
                    "email": "info@willing.example",
                    "list_ids": [(6, 0, cls.list_news.ids)],
                },
            ]
        )
        mailing_values = {
            "subject": "Our offer",
            "body_html": "<p>Hello</p>",
            "mailing_type": "mail",
            "email_from": "sales@seller.example",
        }
        cls.mailing_on_list = cls.env["mailing.mailing"].create(
            dict(
                mailing_values,
                name="On the News list",
                mailing_model_id=cls.env["ir.model"]._get_id("mailing.list"),
                contact_list_ids=[(6, 0, cls.list_news.ids)],
            )
        )
        cls.mailing_on_partners = cls.env["mailing.mailing"].create(
            dict(
                mailing_values,
                name="On contacts",
                mailing_model_id=cls.env["ir.model"]._get_id("res.partner"),
                mailing_domain=[("id", "in", (cls.company | cls.other).ids)],
            )
        )

    def _entry(self):
        return self.Blacklist.with_context(active_test=False).search(
            [("bce_number", "=", "0403170701")]
        )

    def _params(self, mailing, document, email):
        return {
            "mailing_id": mailing.id,
            "document_id": document.id,
            "email": email,
            "hash_token": mailing._generate_mailing_recipient_token(document.id, email),
        }

    def _unsubscribe_url(self, mailing, document, email):
        params = self._params(mailing, document, email)
        return (
            f"/mailing/{mailing.id}/unsubscribe?email={email}&document_id={document.id}"
            f"&hash_token={params['hash_token']}"
        )

    def test_unsubscribe_from_everything_then_subscribe_again(self):
        response = self.url_open(
            self._unsubscribe_url(self.mailing_on_partners, self.person, self.person.email)
        )
        self.assertEqual(response.status_code, 200)
        entry = self._entry()
        self.assertTrue(entry.active)
        self.assertEqual(entry.channel, "email_unsubscribe")
        self.assertTrue(self.company.rgpd_opted_out)
        self.assertTrue(
            self.env["mail.blacklist"].search([("email", "=", "info@objector-works.example")]),
            "the company's other addresses are excluded too",
        )

        result = self.make_jsonrpc_request(
            "/mailing/blocklist/remove",
            self._params(self.mailing_on_partners, self.person, self.person.email),
        )
        self.assertIs(result, True)
        self.assertFalse(entry.active)
        self.assertIn("his own choice", "".join(entry.message_ids.mapped("body")))
        self.env.invalidate_all()
        self.assertFalse(self.company.rgpd_opted_out)
        self.assertFalse(
            self.env["mail.blacklist"].search([("email", "=", "info@objector-works.example")])
        )

    def test_one_click_unsubscribe_blacklists(self):
        params = self._params(self.mailing_on_partners, self.company, self.company.email)
        response = self.url_open(
            f"/mailing/{self.mailing_on_partners.id}/unsubscribe_oneclick",
            data={key: params[key] for key in ("document_id", "email", "hash_token")},
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self._entry().active)

    def test_a_wrong_token_changes_nothing(self):
        url = self._unsubscribe_url(self.mailing_on_partners, self.person, self.person.email)
        response = self.url_open(url[:-4] + "0000")
        self.assertNotEqual(response.status_code, 200)
        self.assertFalse(self._entry())

    def test_leaving_one_list_withdraws_that_list_only(self):
        response = self.url_open(
            self._unsubscribe_url(
                self.mailing_on_list, self.contact_objector, self.contact_objector.email
            )
        )
        self.assertEqual(response.status_code, 200)
        subscriptions = self.contact_objector.subscription_ids
        self.assertTrue(subscriptions.filtered(lambda s: s.list_id == self.list_news).opt_out)
        self.assertFalse(subscriptions.filtered(lambda s: s.list_id == self.list_events).opt_out)
        self.assertFalse(self._entry())
        self.assertFalse(self.company.rgpd_opted_out)

        result = self.make_jsonrpc_request(
            "/mailing/blocklist/add",
            self._params(self.mailing_on_list, self.contact_objector, self.contact_objector.email),
        )
        self.assertIs(result, True)
        self.assertTrue(self._entry().active)

    def _sent_to(self):
        """Addresses the mocked gateway actually sent to."""
        return {
            email
            for mail in self._mails
            for email in email_normalize_all(",".join(mail["email_to"]))
        }

    def test_a_mailing_skips_a_blacklisted_company(self):
        self.Blacklist._add(["0403170701"], "phone")
        with self.mock_mail_gateway():
            self.mailing_on_list.action_send_mail()
        self.assertEqual(self._sent_to(), {"info@willing.example"})
        traces = self.mailing_on_list.mailing_trace_ids
        objector = traces.filtered(lambda t: t.email == "sales@objector-works.example")
        other = traces.filtered(lambda t: t.email == "info@willing.example")
        self.assertEqual((objector.trace_status, objector.failure_type), ("cancel", "mail_bl"))
        self.assertEqual(other.trace_status, "sent")

        with self.mock_mail_gateway():
            self.mailing_on_partners.action_send_mail()
        self.assertEqual(self._sent_to(), {"info@willing.example"})
        traces = self.mailing_on_partners.mailing_trace_ids
        self.assertEqual(
            traces.filtered(lambda t: t.res_id == self.company.id).trace_status, "cancel"
        )
        self.assertEqual(traces.filtered(lambda t: t.res_id == self.other.id).trace_status, "sent")

    def test_users_cannot_lift_through_the_page_without_the_token(self):
        self.Blacklist._add(["0403170701"], "phone")
        new_test_user(self.env, login="rgpd_portal_probe", groups="base.group_portal")
        self.authenticate("rgpd_portal_probe", "rgpd_portal_probe")
        result = self.make_jsonrpc_request(
            "/mailing/blocklist/remove",
            {
                "mailing_id": self.mailing_on_partners.id,
                "document_id": self.company.id,
                "email": self.company.email,
                "hash_token": "forged",
            },
        )
        self.assertEqual(result, "unauthorized")
        self.assertTrue(self._entry().active)
