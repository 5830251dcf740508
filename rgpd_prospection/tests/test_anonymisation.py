import base64
import io
import os
import zipfile

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import RgpdCase

TEXT_TYPES = ("character varying", "text", "jsonb")
# What an erasure keeps on purpose: the rows of Odoo's e-mail and phone
# blacklists stop a mail or an SMS to the erased addresses typed again.
KEPT_COLUMNS = {"mail_blacklist.email", "phone_blacklist.number"}


def _needles(term):
    """The bytes ``term`` is stored as: UTF-8 text, and NumPy's UTF-32."""
    return [term.encode(), term.encode("utf-32-le")]


def _unpacked(raw, depth=3):
    """The bytes of a file and of every member when it is a ZIP (NPZ, XLSX,
    DOCX), members that are ZIPs unpacked in turn."""
    if raw[:2] != b"PK" or not depth:
        return [raw]
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            members = [archive.read(name) for name in archive.namelist()]
    except zipfile.BadZipFile:
        return [raw]  # not a ZIP after all: its raw bytes are scanned
    return [raw] + [content for member in members for content in _unpacked(member, depth - 1)]


class ErasureScan:
    """The scan that looks for a term in every store of the database: every
    text, varchar, jsonb and bytea column of every table, every file of
    ``ir_attachment`` and of the filestore, unpacked."""

    def _tables_holding(self, term):
        """Every text, varchar, jsonb (base64 values decoded and unpacked
        too) and bytea column of every table that contains ``term``."""
        return self._stores_holding([term])[term]

    def _stores_holding(self, terms):
        """``{term: [table.column, ...]}`` for every text, varchar, jsonb and
        bytea column of every table of the database, hidden and technical ones
        included (staging tables, relations): one pass for all the terms."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            """SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
               JOIN information_schema.tables t
                 ON t.table_name = c.table_name AND t.table_schema = c.table_schema
               WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
                 AND c.data_type IN %s
               ORDER BY c.table_name, c.column_name""",
            [(*TEXT_TYPES, "bytea")],
        )
        found = {term: [] for term in terms}
        for table, column, data_type in cr.fetchall():
            if data_type == "bytea":
                # the bytes of each term as text and as NumPy stores it
                for term in terms:
                    cr.execute(
                        f'SELECT 1 FROM "{table}" WHERE '  # noqa: S608
                        + " OR ".join([f'position(%s IN "{column}") > 0'] * 2)
                        + " LIMIT 1",
                        _needles(term),
                    )
                    if cr.fetchone():
                        found[term].append(f"{table}.{column}")
                continue
            cr.execute(
                f"""SELECT term FROM unnest(%s::text[]) term WHERE EXISTS (
                        SELECT 1 FROM "{table}"
                        WHERE strpos(lower("{column}"::text), lower(term)) > 0)""",  # noqa: S608
                [list(terms)],
            )
            for (term,) in cr.fetchall():
                found[term].append(f"{table}.{column}")
            if data_type == "jsonb":
                for term in self._jsonb_base64_holding(table, column, terms):
                    found[term].append(f"{table}.{column} (base64)")
        return found

    def _jsonb_base64_holding(self, table, column, terms):
        """The terms found in the base64 strings of a jsonb column, decoded
        and unpacked as files are."""
        cr = self.env.cr
        cr.execute(
            f"""SELECT leaf #>> '{{}}' FROM "{table}" row_,
                       jsonb_path_query(row_."{column}", 'strict $.**') leaf
                WHERE jsonb_typeof(leaf) = 'string'
                  AND length(leaf #>> '{{}}') >= 24
                  AND (leaf #>> '{{}}') ~ '^[A-Za-z0-9+/]+={{0,2}}$'"""  # noqa: S608
        )
        contents = []
        for (text,) in cr.fetchall():
            try:
                contents += _unpacked(base64.b64decode(text, validate=True))
            except ValueError:
                continue
        return {
            term
            for term in terms
            for content in contents
            if any(needle in content.lower() for needle in _needles(term.lower()))
        }

    def _attachments_holding(self, term):
        """Every stored file whose content holds ``term``, also inside a ZIP,
        nested ones included (an xlsx, a docx, the engine's NPZ state, whose
        text NumPy keeps as UTF-32): every row of ``ir_attachment``, those of
        binary fields too, which a search of attachments leaves out."""
        found = []
        needles = _needles(term.lower())
        self.env.flush_all()
        self.env.cr.execute("SELECT id FROM ir_attachment WHERE type = 'binary'")
        attachments = (
            self.env["ir.attachment"].sudo().browse([row[0] for row in self.env.cr.fetchall()])
        )
        for attachment in attachments:
            contents = _unpacked(attachment.raw or b"")
            if any(needle in content.lower() for content in contents for needle in needles):
                found.append(f"{attachment.name} ({attachment.res_model},{attachment.res_id})")
        return found

    def _filestore_files(self):
        """The files of the database's filestore, as paths relative to it."""
        root = self.env["ir.attachment"]._filestore()
        return {
            os.path.relpath(os.path.join(folder, name), root)
            for folder, _dirs, files in os.walk(root)
            if "checklist" not in os.path.relpath(folder, root).split(os.sep)
            for name in files
        }

    def _filestore_holding(self, term, ignore=frozenset()):
        """Every file of the database's filestore holding ``term``, unpacked,
        but those of ``ignore`` (files left by earlier runs): a file replaced
        or deleted stays on disk until the garbage collection of the
        filestore, which this runs first."""
        self.env.flush_all()
        self.env["ir.attachment"]._gc_file_store_unsafe()
        needles = _needles(term.lower())
        root = self.env["ir.attachment"]._filestore()
        found = []
        for path in sorted(self._filestore_files() - set(ignore)):
            with open(os.path.join(root, path), "rb") as stream:
                contents = _unpacked(stream.read())
            if any(needle in content.lower() for content in contents for needle in needles):
                found.append(path)
        return found


class AnonymisationCase(ErasureScan, RgpdCase):
    """A company with a contact person, and personal data about them in every
    corner where Odoo keeps some; after the erasure none of it is left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_small_code_table()
        cls.manager = new_test_user(
            cls.env,
            login="rgpd_erasure_manager",
            groups="base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_manager",
        )
        cls.user = new_test_user(
            cls.env,
            login="rgpd_erasure_user",
            groups="base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_user",
        )
        cls.tag = cls.env["res.partner.category"].create({"name": "Met at Batibouw"})
        cls.company = cls.Partner.create(
            {
                "name": "Zyxwvut Erasable Works",
                "is_company": True,
                "bce_number": "0403170701",
                "email": "office@zyxwvut-erasable.example",
                "phone": "+32 2 511 22 33",
                "street": "Rue Qwertzuiop 12",
                "city": "Plopsaville",
                "zip": "1000",
                "website": "https://zyxwvut-erasable.example",
                "comment": "<p>Prefers calls after Qwertzuiop lunch</p>",
                "bce_main_nace_id": cls._nace("62010").id,
                "bce_nace_ids": [(6, 0, cls._nace("62010").ids)],
                "category_id": [(6, 0, cls.tag.ids)],
                "image_1920": base64.b64encode(
                    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01"
                    b"\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
                ),
            }
        )
        cls.person = cls.Partner.create(
            {
                "name": "Jozefien Vandekerckhove-Zyx",
                "parent_id": cls.company.id,
                "email": "jozefien.vdk@zyxwvut-erasable.example",
                "rgpd_other_phone": "+32 470 12 34 56",
                "function": "Purchasing manager",
            }
        )
        cls.other = cls.Partner.create(
            {"name": "Untouched Neighbour", "is_company": True, "email": "hi@neighbour.example"}
        )
        cls.terms = [
            "Zyxwvut",
            "zyxwvut-erasable.example",
            "Jozefien",
            "Vandekerckhove",
            "Qwertzuiop",
            "Plopsaville",
            "+3225112233",
            "+32470123456",
            "511 22 33",
            "470 12 34 56",
        ]

    def _make_personal_traces(self):
        """Messages, tracking values, attachments, mails, mailing data, bus
        notifications and exclusion rows about the company."""
        tracked = self.company.with_context(tracking_disable=False, mail_notrack=False)
        tracked.write({"function": "Jozefien's team"})
        self.company.message_post(
            body="Call with Jozefien Vandekerckhove-Zyx, jozefien.vdk@zyxwvut-erasable.example",
            subtype_xmlid="mail.mt_note",
            attachments=[("zyxwvut.txt", b"Contract draft for Zyxwvut Erasable Works")],
        )
        self.other.message_post(body="Quote sent", subtype_xmlid="mail.mt_note")
        self.other.message_post(
            body="Met Jozefien Vandekerckhove-Zyx at the fair", subtype_xmlid="mail.mt_note"
        )
        self.env["mail.tracking.value"].create(
            {
                "field_id": self.env["ir.model.fields"]._get("res.partner", "parent_id").id,
                "old_value_char": "Zyxwvut Erasable Works",
                "new_value_char": "Untouched Neighbour",
                "mail_message_id": self.other.message_ids[0].id,
            }
        )
        attachment = self.env["ir.attachment"].create(
            {
                "name": "card.txt",
                "raw": b"Business card: Jozefien Vandekerckhove-Zyx +32 470 12 34 56",
                "res_model": "res.partner",
                "res_id": self.person.id,
            }
        )
        self.env["mail.mail"].create(
            {
                "subject": "Offer for Zyxwvut",
                "email_to": "office@zyxwvut-erasable.example",
                "body_html": "<p>Dear Jozefien</p>",
            }
        )
        mailing_list = self.env["mailing.list"].create({"name": "Prospects"})
        contact = self.env["mailing.contact"].create(
            {
                "name": "Jozefien Vandekerckhove-Zyx",
                "email": "jozefien.vdk@zyxwvut-erasable.example",
                "list_ids": [(6, 0, mailing_list.ids)],
            }
        )
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "News",
                "body_html": "<p>News</p>",
                "mailing_model_id": self.env["ir.model"]._get_id("mailing.list"),
                "contact_list_ids": [(6, 0, mailing_list.ids)],
            }
        )
        mailing.action_send_mail()
        self.assertTrue(mailing.mailing_trace_ids.filtered(lambda t: t.res_id == contact.id))
        self.env["bus.bus"]._sendone(
            self.manager.partner_id, "simple_notification", {"message": "Jozefien called"}
        )
        self.env["mail.blacklist"]._add("jozefien.vdk@zyxwvut-erasable.example")
        self.env["phone.blacklist"]._add(["+32470123456"])
        if "crm.lead" in self.env:
            self._make_leads()
        return attachment

    def _make_leads(self):
        """Leads and opportunities about the company, linked to it, to its
        contact person, by e-mail only or by phone only, one of them lost."""
        return self.env["crm.lead"].create(
            [
                {"name": "Zyxwvut deal", "partner_id": self.company.id, "type": "opportunity"},
                {
                    "name": "Renewal",
                    "partner_id": self.person.id,
                    "type": "opportunity",
                    "active": False,
                },
                {
                    "name": "Website form",
                    "type": "lead",
                    "contact_name": "Jozefien Vandekerckhove-Zyx",
                    "email_from": "jozefien.vdk@zyxwvut-erasable.example",
                },
                {
                    "name": "Fair visitor",
                    "type": "lead",
                    "partner_name": "Zyxwvut Erasable Works",
                    "phone": "+32 2 511 22 33",
                },
            ]
        )

    def _post_invoice(self, partner):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_line_ids": [
                    Command.create({"name": "Consulting", "quantity": 1, "price_unit": 1000})
                ],
            }
        )
        invoice.action_post()
        return invoice

    def _make_module_traces(self):
        """What the module itself stores about the contact person: a consent
        with its proof and document, a request with notes, an answer, an
        activity and the access file it produced, and the access file left on
        the company by an earlier export."""
        person = "Jozefien Vandekerckhove-Zyx"
        proof_file = self.env["ir.attachment"].create(
            {
                "name": "trade-fair-form.txt",
                "raw": f"Signed at Batibouw by {person}, jozefien.vdk@zyxwvut-erasable.example, "
                "+32 470 12 34 56".encode(),
            }
        )
        consent = self.env["rgpd.consent"].create(
            {
                "partner_id": self.person.id,
                "purpose_id": self.env.ref("rgpd_prospection.rgpd_purpose_news").id,
                "channel": "trade_fair",
                "proof": f"Form signed by {person} (+32 470 12 34 56)",
                "proof_attachment_ids": [Command.set(proof_file.ids)],
            }
        )
        consent.message_post(body=f"Scanned the form of {person}", subtype_xmlid="mail.mt_note")
        request = (
            self.env["rgpd.request"]
            .with_context(tracking_disable=False)
            .create(
                {
                    "request_type": "access",
                    "requester_name": "J. Vandekerckhove",
                    "requester_email": "jozefien.vdk@zyxwvut-erasable.example",
                    "partner_id": self.person.id,
                    "identity_check": "id_document",
                    "identity_note": f"Identity card of {person} shown at the desk",
                }
            )
        )
        request.answer = f"<p>Dear {person}, here is your data.</p>"
        request.action_export_access()
        request.activity_schedule(
            "mail.mail_activity_data_call",
            summary="Call back",
            note=f"<p>Call {person} on +32 470 12 34 56</p>",
            user_id=self.manager.id,
        )
        self.company.with_user(self.manager).action_rgpd_access_export()
        if "calendar.event" in self.env:
            self.env["calendar.event"].create(
                {
                    "name": f"Demo for {person}",
                    "description": "<p>Offer for jozefien.vdk@zyxwvut-erasable.example</p>",
                    "start": "2030-01-10 10:00:00",
                    "stop": "2030-01-10 11:00:00",
                    "partner_ids": [Command.set((self.person | self.manager.partner_id).ids)],
                }
            )
        self.company.write({"bce_last_values": {"name": "Zyxwvut Erasable Works"}})
        self.assertTrue(self._attachments_holding("Jozefien"), "the files name her before")
        return consent, request

    def _anonymise(self, partners, user):
        wizard_form = Form(
            self.env["rgpd.anonymise.wizard"]
            .with_user(user)
            .with_context(active_model="res.partner", active_ids=partners.ids)
        )
        wizard_form.reason = "Erasure requested by registered letter"
        wizard_form.request_reference = "REQ-2025-017"
        wizard_form.confirm_irreversible = True
        wizard_form.save().action_confirm()


@tagged("post_install", "-at_install")
class TestAnonymisation(AnonymisationCase):
    def test_anonymisation_leaves_no_trace(self):
        attachment = self._make_personal_traces()
        store_path = attachment._full_path(attachment.store_fname)
        self.assertTrue(os.path.exists(store_path))
        for term in ("Zyxwvut", "Jozefien", "+32470123456"):
            self.assertTrue(self._tables_holding(term), f"{term} is in the database before")

        self._anonymise(self.person, self.manager)

        self.env.flush_all()
        for term in self.terms:
            left = set(self._tables_holding(term)) - KEPT_COLUMNS
            self.assertEqual(left, set(), f"{term} is still in the database")
        self.env["ir.attachment"]._gc_file_store_unsafe()
        self.assertFalse(os.path.exists(store_path), "the file left the filestore")
        for partner in (self.company, self.person):
            self.assertEqual(partner.name, "****")
            self.assertFalse(partner.email or partner.phone or partner.rgpd_other_phone)
            self.assertFalse(partner.image_1920 or partner.category_id or partner.comment)
            self.assertTrue(partner.rgpd_anonymized)
        self.assertEqual((self.company.street, self.company.city), ("****", "****"))
        self.assertEqual(self.company.bce_number, "0403170701")
        self.assertEqual(self.company.bce_main_nace_id, self._nace("62010"))
        self.assertTrue(self.company.rgpd_opted_out)
        entry = self.Blacklist.search([("bce_number", "=", "0403170701")])
        self.assertEqual(entry.channel, "dpo")
        self.assertEqual(self.other.name, "Untouched Neighbour")
        self.assertEqual(
            self.other.message_ids.mapped("body"),
            ["<p>Quote sent</p>"],
            "others keep their history",
        )

        log = self.env["privacy.log"].search([], order="id desc", limit=1)
        self.assertIn("REQ-2025-017", log.additional_note)
        self.assertIn("0403.170.701", log.records_description)
        self.assertNotIn("Zyxwvut", log.anonymized_name)
        self.assertEqual(log.user_id, self.manager)
        self.assertEqual(log.with_user(self.manager).read(["execution_details"])[0]["id"], log.id)

    def test_erasure_reaches_every_text_and_file(self):
        """Consent proofs, request notes and answers, activities, earlier
        access files, the chatter of each: after the erasure no column of any
        table and no stored file holds the person's name, e-mail or phone,
        except the rows of Odoo's blacklists."""
        self._make_personal_traces()
        consent, request = self._make_module_traces()
        for term in ("Jozefien", "Vandekerckhove", "jozefien.vdk@", "470 12 34 56"):
            self.assertTrue(self._tables_holding(term), f"{term} is in the database before")

        self._anonymise(self.person, self.manager)

        self.env.flush_all()
        terms = [*self.terms, "J. Vandekerckhove", "jozefien.vdk@", "Vandekerckhove-Zyx"]
        for term in terms:
            with self.subTest(term=term):
                left = set(self._tables_holding(term)) - KEPT_COLUMNS
                self.assertEqual(left, set(), f"{term} is still in the database")
                self.assertEqual(self._attachments_holding(term), [], f"{term} is in a file")
        self.assertTrue(consent.exists() and request.exists(), "the records of proof stay")
        self.assertFalse(consent.proof or consent.proof_attachment_ids)
        self.assertEqual(request.requester_name, "****")
        self.assertFalse(request.requester_email or request.identity_note or request.answer)
        self.assertTrue(
            self.env["mail.blacklist"].search(
                [("email", "=", "jozefien.vdk@zyxwvut-erasable.example")]
            ),
            "the address stays on the e-mail blacklist",
        )
        self.assertTrue(self.env["phone.blacklist"].search([("number", "=", "+32470123456")]))
        retyped = self.Partner.create(
            {"name": "Typed again", "email": "jozefien.vdk@zyxwvut-erasable.example"}
        )
        with self.assertRaises(UserError):
            self.env["rgpd.contact.policy"].check(retyped, "notice")

    def test_only_managers_anonymise(self):
        with self.assertRaises(AccessError):
            self.company.with_user(self.user).action_rgpd_erase()
        with self.assertRaises(AccessError):
            self.company.with_user(self.user)._rgpd_erase("Because")
        with self.assertRaises(AccessError):
            self.env["rgpd.anonymise.wizard"].with_user(self.user).create(
                {"partner_ids": self.company.ids, "reason": "x", "confirm_irreversible": True}
            )
        self.assertEqual(self.company.name, "Zyxwvut Erasable Works")
        action = self.company.with_user(self.manager).action_rgpd_erase()
        self.assertEqual(action["res_model"], "rgpd.anonymise.wizard")

    def test_the_wizard_needs_the_confirmation(self):
        wizard = (
            self.env["rgpd.anonymise.wizard"]
            .with_user(self.manager)
            .create({"partner_ids": self.company.ids, "reason": "Request"})
        )
        with self.assertRaises(UserError) as caught:
            wizard.action_confirm()
        self.assertIn("cannot be undone", str(caught.exception))
        self.assertFalse(self.company.rgpd_anonymized)

    def test_list_selection_anonymises_each_company(self):
        second = self.Partner.create(
            {"name": "Second Zyxwvut", "is_company": True, "bce_number": "0200065765"}
        )
        self._anonymise(self.company | second, self.manager)
        self.assertEqual((self.company | second).mapped("name"), ["****", "****"])
        self.assertEqual(
            set(self.Blacklist.search([]).mapped("bce_number")), {"0403170701", "0200065765"}
        )
        self.assertEqual(self.other.name, "Untouched Neighbour")


@tagged("post_install", "-at_install")
class TestAnonymisationTour(HttpCase):
    def test_anonymise_through_the_form(self):
        company = self.env["res.partner"].create(
            {
                "name": "Tour Erasable Works",
                "is_company": True,
                "bce_number": "0403170701",
                "email": "office@tour-erasable.example",
            }
        )
        self.start_tour(f"/odoo/res.partner/{company.id}", "rgpd_anonymise_tour", login="admin")
        self.assertEqual(company.name, "****")
        self.assertFalse(company.email)
        self.assertTrue(company.rgpd_anonymized)
        self.assertTrue(company.rgpd_opted_out)
