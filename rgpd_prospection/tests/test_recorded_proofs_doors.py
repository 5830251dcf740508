import base64

from odoo import Command
from odoo.exceptions import AccessError
from odoo.service.model import call_kw
from odoo.tests import new_test_user, tagged

from .accountability_case import AccountabilityCase


@tagged("post_install", "-at_install")
class TestRecordedProofsDoors(AccountabilityCase):
    """Proofs stay as their events wrote them through the doors around the
    record itself: its one2many on the contact, its files, its chatter, a
    request's status. Each refusal leaves the database as it was."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_"
        cls.sales = new_test_user(cls.env, login="proof_doors_sales", groups=groups + "user")
        cls.manager = new_test_user(cls.env, login="proof_doors_manager", groups=groups + "manager")
        cls.company = cls._prospect("Proof Doors SA")
        cls.consent = cls.Consent.with_user(cls.manager).create(
            {
                "partner_id": cls.company.id,
                "purpose_id": cls.env.ref("rgpd_prospection.rgpd_purpose_news").id,
                "proof": "Signed form #7",
            }
        )
        # uploaded on the consent's form, as the web client does
        cls.document = (
            cls.env["ir.attachment"]
            .with_user(cls.manager)
            .create(
                {
                    "name": "form-7.pdf",
                    "raw": b"%PDF- signed form",
                    "res_model": "rgpd.consent",
                    "res_id": cls.consent.id,
                }
            )
        )
        cls.consent.sudo().proof_attachment_ids = cls.document
        cls.consent.with_user(cls.sales).action_withdraw()
        cls.request = cls.env["rgpd.request"].create(
            {"request_type": "access", "requester_name": "Jean Proof", "partner_id": cls.company.id}
        )

    def _database(self):
        self.env.flush_all()
        cr = self.env.cr
        rows = []
        for query in (
            "SELECT * FROM rgpd_consent ORDER BY id",
            "SELECT * FROM rgpd_consent_attachment_rel ORDER BY 1, 2",
            "SELECT id, store_fname, checksum, res_model, res_id FROM ir_attachment ORDER BY id",
            "SELECT id, body, model, res_id FROM mail_message ORDER BY id",
            "SELECT * FROM rgpd_request ORDER BY id",
        ):
            cr.execute(query)
            rows.append(cr.fetchall())
        return rows

    def assertRefused(self, call):
        before = self._database()
        with self.assertRaises(AccessError), self.env.cr.savepoint():
            call()
        self.env.invalidate_all()
        self.assertEqual(self._database(), before, "a refusal leaves the database as it was")

    def test_a_consents_proof_documents_are_kept_as_recorded(self):
        for user in (self.sales, self.manager):
            document = self.document.with_user(user)
            for name, call in (
                ("raw", lambda d=document: d.write({"raw": b"forged"})),
                ("datas", lambda d=document: d.write({"datas": base64.b64encode(b"forged")})),
                ("moved", lambda d=document: d.write({"res_id": self.request.id})),
                ("deleted", lambda d=document: d.unlink()),
                (
                    "deleted over RPC",
                    lambda u=user: call_kw(
                        self.env["ir.attachment"].with_user(u),
                        "unlink",
                        [self.document.ids],
                        {"context": {}},
                    ),
                ),
            ):
                with self.subTest(user=user.login, door=name):
                    self.assertRefused(call)
        self.assertEqual(self.document.raw, b"%PDF- signed form")

    def test_a_consent_is_not_rewritten_through_the_contact(self):
        for user in (self.sales, self.manager):
            company = self.company.with_user(user)
            with self.subTest(user=user.login):
                self.assertRefused(
                    lambda c=company: c.write(
                        {"rgpd_consent_ids": [Command.update(self.consent.id, {"proof": "Other"})]}
                    )
                )
        self.assertRefused(
            lambda: self.company.with_user(self.sales).write(
                {"rgpd_consent_ids": [Command.delete(self.consent.id)]}
            )
        )
        self.assertEqual(self.consent.proof, "Signed form #7")

    def test_the_chatter_of_a_proof_is_kept_as_written(self):
        self.consent.message_post(body="Scanned copy received", subtype_xmlid="mail.mt_note")
        self.request.message_post(body="Identity card checked", subtype_xmlid="mail.mt_note")
        for record in (self.consent, self.request):
            messages = record.message_ids
            self.assertTrue(messages)
            for user in (self.sales, self.manager):
                with self.subTest(model=record._name, user=user.login):
                    self.assertRefused(lambda m=messages, u=user: m.with_user(u).unlink())
                    self.assertRefused(
                        lambda m=messages, u=user: m[:1].with_user(u).write({"body": "Rewritten"})
                    )
        # a message is still added
        self.consent.with_user(self.sales).message_post(
            body="Called back", subtype_xmlid="mail.mt_note"
        )
        self.assertIn("Called back", self.consent.message_ids[:1].body)

    def test_a_requests_status_follows_its_events(self):
        for user in (self.sales, self.manager):
            request = self.request.with_user(user)
            for state in ("done", "refused", "in_progress"):
                with self.subTest(user=user.login, state=state):
                    self.assertRefused(
                        lambda r=request, s=state: call_kw(
                            r, "write", [r.ids, {"state": s}], {"context": {}}
                        )
                    )
            with self.subTest(user=user.login, door="created answered"):
                self.assertRefused(
                    lambda u=user: (
                        self.env["rgpd.request"]
                        .with_user(u)
                        .create(
                            {"request_type": "access", "requester_name": "Eve", "state": "done"}
                        )
                    )
                )
        self.assertEqual((self.request.state, self.request.answer_date), ("new", False))
        request = self.request.with_user(self.sales)
        request.action_start()
        self.assertEqual(request.state, "in_progress")
        request.action_done()
        self.assertEqual((request.state, bool(request.answer_date)), ("done", True))
        self.assertRefused(lambda: request.write({"state": "in_progress"}))
        request.action_reopen()
        self.assertEqual((request.state, request.answer_date), ("in_progress", False))
