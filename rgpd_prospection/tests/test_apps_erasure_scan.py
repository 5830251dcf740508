"""One company of a real BCE import, present in every store at once (CRM,
Sales, Invoicing, mail, the module's own records, the engine's state, an
import's staging tables), erased, then looked for in every column of every
table and every file unpacked. Run in the database with CRM, Sales and
Invoicing installed."""

import base64
import shutil
import tempfile
from pathlib import Path

from odoo import Command
from odoo.addons.rgpd_prospection.models.bce_import.settings import PARAM
from odoo.tests import Form, tagged

from .import_case import load_generator
from .test_anonymisation import KEPT_COLUMNS, AnonymisationCase
from .test_apps_leads_orders_invoices import WithApps

# What the law makes the erasure keep (README, *Opposition and erasure*):
# a posted invoice stays as issued, with the name, address and VAT number of
# the company on its contact; nothing else names the company.
ACCOUNTING_COLUMNS = {
    "res_partner.name",
    "res_partner.complete_name",
    "res_partner.commercial_company_name",
    "account_move.invoice_partner_display_name",
}
PEOPLE = ("Ottoline Quarterbridge", "Wendelin Marzipanowski")


@tagged("post_install", "-at_install")
class TestErasureScanEveryStore(WithApps, AnonymisationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.source = Path(tempfile.mkdtemp(prefix="rgpd_scan_"))
        cls.addClassCleanup(shutil.rmtree, cls.source, True)
        synth = load_generator()
        cls.full = synth.generate_full(cls.source / "a/", enterprises=150, seed=11)
        _update, cls.later_full = synth.generate_update(cls.full, cls.source / "b", seed=12)
        cls.folder = Path(tempfile.mkdtemp(prefix="rgpd_scan_folder_"))
        cls.addClassCleanup(shutil.rmtree, cls.folder, True)
        cls.env["ir.config_parameter"].set_param(PARAM + "postal_codes", "1000-9999")
        cls.env["ir.config_parameter"].set_param(PARAM + "extract_folder", str(cls.folder))

    # -- the company, everywhere

    def _import_through_the_wizard(self):
        wizard = Form(self.env["rgpd.bce.import.wizard"].with_user(self.manager))
        wizard.extract_file = base64.b64encode(self.full.read_bytes())
        upload = wizard.save()
        upload.extract_filename = self.full.name
        record = self.env["rgpd.bce.import"].browse(upload.action_import()["res_id"])
        self.assertEqual(record.state, "done", record.error_message)
        return record

    def _stage_the_next_full(self):
        """The next full extract read and its contacts prepared, not applied:
        its state and staging tables hold the company too."""
        shutil.copy(self.later_full, self.folder / self.later_full.name)
        pending = self.env["rgpd.bce.import"].run_pending_imports(max_steps=3)
        self.assertEqual((pending.state, pending.stage_done), ("ready", True))
        return pending

    def _company(self, pending):
        """A prospect of the import with a name, an e-mail and a phone that
        no other company shares, and that the pending import stages too."""
        staged = ""
        for table in pending._staging_tables():
            self.env.cr.execute(f"SELECT string_agg(t::text, ' ') FROM \"{table}\" t")  # noqa: S608
            staged += (self.env.cr.fetchone()[0] or "").lower()
        prospects = self.Partner.search([("is_bce_prospect", "=", True)])
        names = [name.lower() for name in prospects.mapped("name")]
        for company in prospects.filtered(lambda p: p.email and p.phone and len(p.name) > 8):
            name = company.name.lower()
            unique = sum(name in other for other in names) == 1
            if unique and name in staged and company.email in staged:
                return company
        self.fail("no prospect of the import is staged by the next one")

    def _everywhere(self, company):
        """Leads, a quotation, a posted invoice, mails and a mailing, notes,
        activities, a consent's proof, a request and its access file, the
        company's access file, an opposition note: each names the company
        or its contact persons."""
        first, second = PEOPLE
        company.vat = f"BE{company.bce_number}"
        domain = company.email.split("@")[1]
        consented = self.Partner.create(
            {"name": first, "parent_id": company.id, "rgpd_other_phone": "+32 470 99 18 27"}
        )
        proof_file = self.env["ir.attachment"].create(
            {"name": "fair-form.txt", "raw": f"Signed by {first} at the fair".encode()}
        )
        self.env["rgpd.consent"].create(
            {
                "partner_id": consented.id,
                "purpose_id": self.env.ref("rgpd_prospection.rgpd_purpose_news").id,
                "channel": "trade_fair",
                "proof": f"Form signed by {first}, {company.name}",
                "proof_attachment_ids": [Command.set(proof_file.ids)],
            }
        )
        consented.email = f"ottoline.quarterbridge@{domain}"
        caller = self.Partner.create(
            {"name": second, "parent_id": company.id, "phone": "+32 471 88 27 36"}
        )
        people = consented | caller
        # the contact person was given access to the customer portal
        self.env["res.users"].create(
            {
                "login": consented.email,
                "partner_id": consented.id,
                "group_ids": [Command.set(self.env.ref("base.group_portal").ids)],
            }
        )
        # CRM
        self.env["crm.lead"].create(
            [
                {"name": "Renewal", "partner_id": company.id, "type": "opportunity"},
                {
                    "name": "Website form",
                    "contact_name": first,
                    "email_from": consented.email,
                    "partner_name": company.name,
                },
                {"name": "Fair", "contact_name": second, "phone": caller.phone},
            ]
        )
        # Sales and Invoicing
        product = self.env["product.product"].create({"name": "Audit", "type": "service"})
        quotation = self.env["sale.order"].create(
            {
                "partner_id": consented.id,
                "client_order_ref": f"Asked by {first}",
                "note": f"<p>Deliver to {second}, {caller.phone}</p>",
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        quotation.message_post(body=f"Quotation for {first}", partner_ids=consented.ids)
        invoice = self._post_invoice(company)
        invoice.message_post(body=f"Sent to {first}, {consented.email}")
        draft = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": company.id,
                "ref": f"PO of {second}",
                "narration": f"<p>Ask {first} before sending</p>",
                "invoice_line_ids": [Command.create({"name": "Extra", "price_unit": 50})],
            }
        )
        # mail, notes, activities
        company.comment = f"<p>{first} prefers calls; {second} signs</p>"
        company.message_post(
            body=f"Called {second} on {caller.phone}; mail {company.email}",
            subtype_xmlid="mail.mt_note",
            attachments=[("visit.txt", f"Visit at {company.name}".encode())],
        )
        self.env["mail.mail"].create(
            {
                "subject": f"Offer for {company.name}",
                "email_to": company.email,
                "body_html": f"<p>Dear {first}</p>",
            }
        )
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "News",
                "body_html": "<p>News</p>",
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "mailing_domain": repr([("id", "in", (company | consented).ids)]),
            }
        )
        mailing.action_send_mail()
        self.assertTrue(mailing.mailing_trace_ids)
        self.env["mail.scheduled.message"].create(
            {
                "model": "sale.order",
                "res_id": quotation.id,
                "author_id": self.manager.partner_id.id,
                "partner_ids": [Command.set(consented.ids)],
                "subject": f"Reminder for {first}",
                "body": f"<p>Dear {first}, call {caller.phone}</p>",
                "scheduled_date": "2099-01-01 09:00:00",
            }
        )
        if "calendar.event" in self.env:
            self.env["calendar.event"].create(
                {
                    "name": f"Visit {company.name}",
                    "description": f"<p>Meet {second}</p>",
                    "start": "2099-01-10 10:00:00",
                    "stop": "2099-01-10 11:00:00",
                    "partner_ids": [Command.set((caller | self.manager.partner_id).ids)],
                }
            )
        company.activity_schedule(
            "mail.mail_activity_data_call",
            summary=f"Call {second}",
            note=f"<p>On {caller.phone}</p>",
            user_id=self.manager.id,
        )
        # the module's own records
        request = self.env["rgpd.request"].create(
            {
                "request_type": "access",
                "requester_name": first,
                "requester_email": consented.email,
                "partner_id": consented.id,
                "identity_note": f"{first} showed an identity card",
            }
        )
        request.action_export_access()
        company.with_user(self.manager).action_rgpd_access_export()
        self.Blacklist._add(
            [company.bce_number], "phone", f"{second} called from {caller.phone} to object"
        )
        return people, invoice, quotation, draft

    def _terms(self, company, people):
        """Name, e-mail, phones (as typed and as stored), contact persons'
        names, e-mails and phones."""
        partners = company | people
        phones = partners.mapped("phone") + partners.mapped("rgpd_other_phone")
        terms = (
            partners.mapped("email")
            + [phone for phone in phones if phone]
            + list(partners._rgpd_phone_numbers())
            + [part for name in PEOPLE for part in name.split()]
        )
        return sorted(set(filter(None, terms)))

    # -- the scan

    def test_nothing_left_but_what_accounting_law_keeps(self):
        earlier_files = self._filestore_files()  # left by earlier runs, a crashed one too
        self._import_through_the_wizard()
        pending = self._stage_the_next_full()
        company = self._company(pending)
        people, invoice, quotation, draft = self._everywhere(company)
        name, email = company.name, company.email
        terms = self._terms(company, people)
        before = self._stores_holding([name, *terms])
        for term in [name, *terms]:
            self.assertTrue(before[term], f"{term} is in the database before")
        self.assertTrue(self._attachments_holding(name), "the files name the company before")
        self.assertTrue(self._filestore_holding(email, earlier_files), "and so does the disk")

        self._anonymise(company, self.manager)

        after = self._stores_holding([name, *terms])
        for term in terms:
            with self.subTest(term=term):
                self.assertEqual(set(after[term]) - KEPT_COLUMNS, set(), "left in the database")
                self.assertEqual(self._attachments_holding(term), [], "left in a file")
        with self.subTest(term=name):
            self.assertEqual(set(after[name]) - ACCOUNTING_COLUMNS, set())
            self.assertEqual(self._attachments_holding(name), [])
        # the files replaced (the engine's state) or deleted leave the disk too
        for term in (name, email, PEOPLE[0]):
            with self.subTest(filestore=term):
                self.assertEqual(self._filestore_holding(term, earlier_files), [])
        # what the law keeps, as the README says
        self.assertEqual((invoice.state, invoice.partner_id), ("posted", company))
        self.assertEqual((company.name, company.vat), (name, f"BE{company.bce_number}"))
        self.assertEqual(quotation.partner_id.name, "****")
        self.assertEqual((draft.state, draft.ref), ("draft", "PO of ****"))
        # the prepared import applies without bringing anything back
        pending._run_step()
        self.assertEqual(pending.state, "done", pending.error_message)
        self.assertFalse(company.email or company.phone)
        found = self._stores_holding(terms)
        left = {term: set(columns) - KEPT_COLUMNS for term, columns in found.items()}
        self.assertEqual(left, {term: set() for term in terms})
