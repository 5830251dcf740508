"""The contact policy's twins through a mailing on leads (CRM): a lead whose
contact is a company typed by hand with an opposed company's phone, or whose
e-mail or phone is an opposed company's or its twin's, gets the opposed
company's answer where the mailing filters its recipients. The project's
runner runs this file in its database with CRM installed."""

from odoo.addons.mail.tests.common import MockEmail
from odoo.tests import tagged

from .test_apps_leads_orders_invoices import WithApps
from .test_contact_policy import ContactPolicyCase


@tagged("post_install", "-at_install")
class TestLeadTwinsWithApps(WithApps, ContactPolicyCase, MockEmail):
    def test_leads_of_an_opposed_company_and_of_its_twins(self):
        Lead = self.env["crm.lead"]
        typed_company = self.Partner.create(
            {
                "name": "Hand Typed Works",
                "is_company": True,
                "email": "hello@hand-typed.example",
                "phone": self.opposed.phone,
            }
        )
        cases = (
            (
                Lead.create({"name": "Lead of a twin", "partner_id": typed_company.id}),
                "Same enterprise number, VAT, e-mail or phone as Policy Opposed",
            ),
            (
                Lead.create({"name": "Twin's address", "email_from": self.twin.email}),
                "Same enterprise number, VAT, e-mail or phone as Policy Opposed",
            ),
            (
                Lead.create(
                    {
                        "name": "Opposed number",
                        "email_from": "x@new.example",
                        "phone": "+32470000002",
                    }
                ),
                # the number is the opposed company's and its twins': one of them says why
                "Policy Opposed",
            ),
        )
        for lead, reason in cases:
            stranger = Lead.create({"name": "Stranger", "email_from": "new@stranger.example"})
            mailing = self.env["mailing.mailing"].create(
                {
                    "subject": "Lead twins",
                    "body_html": "<p>Hello</p>",
                    "mailing_type": "mail",
                    "email_from": "sales@seller.example",
                    "mailing_model_id": self.env["ir.model"]._get_id("crm.lead"),
                    "mailing_domain": repr([("id", "in", (lead | stranger).ids)]),
                    "rgpd_purpose_id": self.purpose.id,
                }
            )
            with self.subTest(lead=lead.name), self.mock_mail_gateway():
                self.assertEqual(mailing.rgpd_left_out_count, 1, "said before sending")
                mailing.action_send_mail()
                traces = {t.res_id: t for t in mailing.mailing_trace_ids}
                trace = traces[lead.id]
                self.assertEqual(
                    (trace.trace_status, trace.failure_type), ("cancel", "rgpd_purpose")
                )
                self.assertIn(reason, trace.failure_reason)
                self.assertIn("objected to prospecting", trace.failure_reason)
                self.assertEqual(traces[stranger.id].trace_status, "sent")
