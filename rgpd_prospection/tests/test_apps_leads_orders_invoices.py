"""What the module does with the apps it handles without depending on them:
leads (CRM), orders (Sales) and invoices (Invoicing). The project's runner
runs this file in its database with those apps installed."""

import unittest

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from . import test_anonymisation, test_mailing_purpose, test_privacy_doors, test_retention
from .test_anonymisation import KEPT_COLUMNS
from .test_mailing_purpose import PURPOSE_FAILURE


class WithApps:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        missing = [m for m in ("crm.lead", "sale.order", "account.move") if m not in cls.env]
        if missing:
            raise unittest.SkipTest(f"needs CRM, Sales and Invoicing ({', '.join(missing)})")


@tagged("post_install", "-at_install")
class TestAnonymisationWithApps(WithApps, test_anonymisation.AnonymisationCase):
    def test_anonymisation_removes_leads_and_opportunities(self):
        leads = self._make_leads()
        other_lead = self.env["crm.lead"].create(
            {"name": "Neighbour deal", "partner_id": self.other.id, "type": "opportunity"}
        )
        self._anonymise(self.company, self.manager)
        self.assertFalse(leads.exists(), "every lead and opportunity of the company is gone")
        self.assertTrue(other_lead.exists())
        log = self.env["privacy.log"].search([], order="id desc", limit=1)
        self.assertIn("CRM leads and opportunities: 4", log.execution_details)

    def test_posted_invoice_keeps_what_accounting_law_requires(self):
        self.company.vat = "BE0403170701"
        invoice = self._post_invoice(self.company)
        invoice.message_post(
            body="Sent to Jozefien Vandekerckhove-Zyx, jozefien.vdk@zyxwvut-erasable.example",
            subtype_xmlid="mail.mt_note",
        )
        invoice_file = self.env["ir.attachment"].create(
            {
                "name": "invoice.pdf",
                "raw": b"%PDF- the invoice as issued",
                "res_model": "account.move",
                "res_id": invoice.id,
            }
        )
        wizard_form = Form(
            self.env["rgpd.anonymise.wizard"]
            .with_user(self.manager)
            .with_context(active_model="res.partner", active_ids=self.person.ids)
        )
        self.assertIn("1 posted accounting documents", wizard_form.accounting_note)
        self.assertIn("17(3)(b)", wizard_form.accounting_note)
        wizard_form.reason = "Erasure requested by registered letter"
        wizard_form.confirm_irreversible = True
        wizard_form.save().action_confirm()

        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.partner_id, self.company, "the invoice keeps its customer")
        self.assertEqual(invoice.invoice_partner_display_name, "Zyxwvut Erasable Works")
        self.assertTrue(invoice_file.exists(), "the invoice as issued stays")
        # what a Belgian invoice must show about its customer stays
        self.assertEqual(
            (self.company.name, self.company.street, self.company.city, self.company.vat),
            ("Zyxwvut Erasable Works", "Rue Qwertzuiop 12", "Plopsaville", "BE0403170701"),
        )
        self.assertTrue(self.company.rgpd_anonymized and self.company.rgpd_opted_out)
        self.assertFalse(self.company.email or self.company.phone or self.company.website)
        self.assertFalse(self.company.comment or self.company.image_1920)
        self.assertEqual(self.person.name, "****")
        self.env.flush_all()
        for term in ("Jozefien", "Vandekerckhove", "zyxwvut-erasable.example", "+3225112233"):
            left = set(self._tables_holding(term)) - KEPT_COLUMNS
            self.assertEqual(left, set(), f"{term} is still in the database")
        log = self.env["privacy.log"].search([], order="id desc", limit=1)
        self.assertIn("Kept: 1 posted accounting documents", log.execution_details)
        self.assertIn("17(3)(b)", log.execution_details)


@tagged("post_install", "-at_install")
class TestRetentionWithApps(WithApps, test_retention.RetentionCase):
    def test_run_spares_invoiced_and_ordered_prospects(self):
        """Prospects with a posted invoice or a confirmed sale are customers;
        a quotation or a draft invoice does not make one."""
        stale_date = self.stale.rgpd_last_contact_date
        product = self.env["product.product"].create({"name": "Audit", "type": "service"})
        prospects = {}
        for key in ("invoiced", "ordered", "quoted"):
            company = self._prospect(
                f"{key.title()} prospect",
                email=f"info@{key}.be",
                phone="+32 2 555 02 02",
                rgpd_last_contact_date=stale_date,
            )
            prospects[key] = (company, self._person(company, f"{key.title()} buyer"))

        def invoice(partner):
            return self.env["account.move"].create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_line_ids": [
                        Command.create({"name": "Audit", "quantity": 1, "price_unit": 500})
                    ],
                }
            )

        def order(partner):
            return self.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [Command.create({"product_id": product.id})],
                }
            )

        invoice(prospects["invoiced"][1]).action_post()
        order(prospects["ordered"][1]).action_confirm()
        quotation, draft_invoice = order(prospects["quoted"][1]), invoice(prospects["quoted"][1])

        preview = self.Run.run_retention(dry_run=True)
        run = self.Run.run_retention()
        self.assertEqual(run.company_ids, preview.company_ids)
        for key in ("invoiced", "ordered"):
            company, person = prospects[key]
            self.assertNotIn(company, run.company_ids, key)
            self.assertFalse(company.rgpd_expired, key)
            self.assertEqual(company.email, f"info@{key}.be")
            self.assertTrue(person.exists(), key)
        quoted, quoted_person = prospects["quoted"]
        self.assertIn(quoted, run.company_ids)
        self.assertTrue(quoted.rgpd_expired)
        self.assertFalse(quoted.email or quoted.phone)
        # the documents still name the contact person: it is erased and archived
        self.assertEqual((quoted_person.name, quoted_person.active), ("****", False))
        self.assertEqual((quotation.state, quotation.partner_id), ("draft", quoted_person))
        self.assertEqual((draft_invoice.state, draft_invoice.partner_id), ("draft", quoted_person))


@tagged("post_install", "-at_install")
class TestMailingPurposeWithApps(WithApps, test_mailing_purpose.MailingPurposeCase):
    def test_leads_are_matched_by_partner_then_email(self):
        Lead = self.env["crm.lead"]
        by_partner_blocked = Lead.create(
            {
                "name": "Lead of Defaults",
                "partner_id": self.defaults_person.id,
                "email_from": "other@elsewhere.example",
            }
        )
        by_partner_allowed = Lead.create({"name": "Lead of Willing", "partner_id": self.willing.id})
        by_email_blocked = Lead.create(
            {"name": "Anonymous lead", "email_from": "Info <info@withdrawn.example>"}
        )
        stranger = Lead.create({"name": "Stranger lead", "email_from": "new@stranger.example"})
        leads = by_partner_blocked | by_partner_allowed | by_email_blocked | stranger
        mailing = self._mailing(
            "crm.lead", self.purpose, mailing_domain=repr([("id", "in", leads.ids)])
        )
        with self.mock_mail_gateway():
            mailing.action_send_mail()
        traces = self._traces(mailing)
        self.assertEqual(traces[by_partner_blocked.id], ("cancel", PURPOSE_FAILURE))
        self.assertEqual(traces[by_email_blocked.id], ("cancel", PURPOSE_FAILURE))
        self.assertEqual(traces[by_partner_allowed.id][0], "sent")
        self.assertEqual(traces[stranger.id][0], "sent")


@tagged("post_install", "-at_install")
class TestRetentionDatesWithApps(WithApps, test_privacy_doors.RetentionDatesCase):
    def test_user_cannot_turn_a_prospect_into_a_customer_by_hand(self):
        before = self.company.read(["rgpd_legal_basis", "customer_rank"])
        for vals in ({"rgpd_legal_basis": "contract"}, {"customer_rank": 1}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self.company.with_user(self.user).write(vals)
        self.assertEqual(self.company.read(["rgpd_legal_basis", "customer_rank"]), before)
        self.company.with_user(self.manager).write({"rgpd_legal_basis": "contract"})
        self.assertEqual(self.company.rgpd_legal_basis, "contract")
