"""Paths a hostile review found around the contact policy: addresses that a
template or a composer adds to a mass mail, a contact holding several
addresses, and an erased company's address typed again. Each is refused or
left undelivered, and a refusal writes nothing."""

from odoo.tests import new_test_user, tagged

from .test_contact_policy_doors import SALES_GROUPS, PolicyDoorsCase

INTERNAL_GROUPS = "base.group_user,base.group_partner_manager"


@tagged("post_install", "-at_install")
class TestReviewedPaths(PolicyDoorsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.internal = new_test_user(
            cls.env, login="policy_review_internal", groups=INTERNAL_GROUPS
        )
        cls.sales_review = new_test_user(cls.env, login="policy_review_sales", groups=SALES_GROUPS)

    def _delivered_to(self, email):
        return [mail for mail in self._mails if email in " ".join(mail["email_to"])]

    def _send_mass_to_fine(self, values):
        """The sales user's mass mail to the allowed prospect, for the purpose,
        composed with ``values``, and its outgoing mails sent."""
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.sales_review)
            .with_context(active_model="res.partner", active_ids=self.fine.ids)
            .create(
                {
                    "composition_mode": "mass_mail",
                    "model": "res.partner",
                    "res_ids": repr(self.fine.ids),
                    "rgpd_purpose_id": self.purpose.id,
                    **values,
                }
            )
        )
        with self.mock_mail_gateway():
            composer._action_send_mail()
            self.env["mail.mail"].sudo().search([("state", "=", "outgoing")]).send()

    def test_mass_composer_template_typed_address(self):
        """A template's typed ``email_to`` on a mass mail to an allowed
        prospect does not reach the opposed company's address."""
        template = (
            self.env["mail.template"]
            .with_user(self.sales_review)
            .create(
                {
                    "name": "Review typed",
                    "model_id": self.env["ir.model"]._get_id("res.partner"),
                    "subject": "Hello",
                    "body_html": "<p>Hello</p>",
                    "email_to": self.opposed.email,
                    "use_default_to": False,
                }
            )
        )
        self._send_mass_to_fine({"template_id": template.id})
        self.assertFalse(self._delivered_to(self.opposed.email_normalized))

    def test_mass_composer_extra_partner(self):
        """Recipients added in the mass composer are decided too."""
        self._send_mass_to_fine(
            {"subject": "Hello", "body": "Hello", "partner_ids": [(6, 0, self.opposed.ids)]}
        )
        self.assertFalse(self._delivered_to(self.opposed.email_normalized))

    def test_contact_with_several_addresses(self):
        """A contact typed with its own address and an opposed company's is the
        opposed company's twin: a chatter message to it is refused."""
        multi = (
            self.env["res.partner"]
            .with_user(self.internal)
            .create(
                {
                    "name": "Review Multi",
                    "email": f"me@review-multi.example, {self.opposed.email}",
                }
            )
        )
        decision = self.Policy.decide(multi, "email")[multi.id]
        self.assertEqual(decision.fact, "opposition")
        with self.assertRefusedUnchanged("objected"), self.mock_mail_gateway():
            self.customer.with_user(self.internal).message_post(
                body="Hi",
                partner_ids=multi.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def test_display_name_and_case(self):
        """An address typed with a display name or in capitals is the same."""
        emails = f'"Boss" <{self.opposed.email.upper()}>'
        with self.assertRefusedUnchanged("objected"), self.mock_mail_gateway():
            self.env["mail.template"].with_user(self.internal).create(
                {
                    "name": "Review case",
                    "model_id": self.env["ir.model"]._get_id("res.partner"),
                    "subject": "Hi",
                    "body_html": "<p>Hi</p>",
                    "email_to": emails,
                    "use_default_to": False,
                }
            ).send_mail(self.customer.id, force_send=True)

    def test_erased_company_address_typed_again(self):
        """After a real erasure, the company's address typed in a template is
        refused: it stays on the e-mail blacklist for that."""
        company = self._prospect("Review Erased", email="boss@review-erased.example")
        company.sudo()._rgpd_erase("Asked by mail")
        with self.assertRefusedUnchanged("boss@review-erased.example"), self.mock_mail_gateway():
            self.env["mail.template"].with_user(self.internal).create(
                {
                    "name": "Review erased",
                    "model_id": self.env["ir.model"]._get_id("res.partner"),
                    "subject": "Hi",
                    "body_html": "<p>Hi</p>",
                    "email_to": "boss@review-erased.example",
                    "use_default_to": False,
                }
            ).send_mail(self.customer.id, force_send=True)

    def test_erased_company_number_typed_again(self):
        """After a real erasure, the company's number typed in the SMS composer
        is refused."""
        company = self._prospect("Review Erased SMS", phone="+32470555123")
        company.sudo()._rgpd_erase("Asked by mail")
        composer = (
            self.env["sms.composer"]
            .with_user(self.sales_review)
            .create({"composition_mode": "numbers", "numbers": "+32 470 55 51 23", "body": "Hi"})
        )
        with self.assertRefusedUnchanged("+32470555123"), self.mockSMSGateway():
            composer.action_send_sms()

    def test_mailing_contact_with_several_addresses(self):
        """A mailing on mailing contacts, sent as the scheduler does: a contact
        typed with its own address and an opposed company's, with a display
        name and in capitals, is cancelled with the policy's reason and its
        mail never reaches the opposed company."""
        contact = self.env["mailing.contact"].create(
            {
                "name": "Review Two Addresses",
                "email": f'me@review-two.example, "Boss" <{self.opposed.email.upper()}>',
            }
        )
        mailing = (
            self.env["mailing.mailing"]
            .with_user(self.sales_review)
            .create(
                {
                    "subject": "Review",
                    "body_html": "<p>Hello</p>",
                    "email_from": "sales@seller.example",
                    "mailing_model_id": self.env["ir.model"]._get_id("mailing.contact"),
                    "mailing_domain": repr([("id", "=", contact.id)]),
                    "rgpd_purpose_id": self.purpose.id,
                    "use_exclusion_list": False,
                }
            )
        )
        with self.mock_mail_gateway():
            mailing.action_send_mail()
            self.env["mail.mail"].sudo().search([("state", "=", "outgoing")]).send()
        self.assertFalse(self._delivered_to(self.opposed.email_normalized))
        trace = mailing.mailing_trace_ids
        self.assertEqual(trace.trace_status, "cancel")
        self.assertEqual(trace.failure_type, "rgpd_purpose")
