from datetime import date

from dateutil.relativedelta import relativedelta
from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .accountability_case import AccountabilityCase


@tagged("post_install", "-at_install")
class TestRecordedProofs(AccountabilityCase):
    """Proofs and deadlines are written by the events that make them: a consent's proof, a
    request's due date and the import history are refused to direct writes, whatever the role."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales = new_test_user(
            cls.env,
            login="rgpd_proof_sales",
            groups="base.group_user,rgpd_prospection.group_rgpd_user",
        )
        cls.manager = new_test_user(
            cls.env,
            login="rgpd_proof_manager",
            groups="base.group_user,rgpd_prospection.group_rgpd_manager",
        )
        cls.company = cls._prospect("Acme Proof")
        cls.consent = cls.Consent.with_user(cls.manager).create(
            {
                "partner_id": cls.company.id,
                "purpose_id": cls.env.ref("rgpd_prospection.rgpd_purpose_news").id,
                "channel": "trade_fair",
                "proof": "Signed form #12",
                "date": "2026-10-01",
            }
        )
        # received within the month: it may still be extended once
        cls.received = fields.Date.context_today(cls.consent) - relativedelta(days=11)
        cls.request = cls.env["rgpd.request"].create(
            {"request_type": "access", "requester_name": "Jean", "received_date": cls.received}
        )
        cls.done_import = cls.env["rgpd.bce.import"].create(
            {"file_name": "full_140.zip", "extract_number": 140, "state": "done"}
        )
        cls.failed_import = cls.env["rgpd.bce.import"].create(
            {"file_name": "update_141.zip", "extract_number": 141, "state": "failed"}
        )

    def _snapshot(self, records, fnames):
        records.invalidate_recordset()
        return records.read(fnames)

    def assertRefused(self, records, vals, error=AccessError):
        """``vals`` written to ``records`` is refused, and nothing changed."""
        before = self._snapshot(records.sudo(), list(vals))
        with self.assertRaises(error):
            records.write(vals)
        self.assertEqual(self._snapshot(records.sudo(), list(vals)), before)

    # -- consents

    def test_nobody_rewrites_a_consent_or_its_author(self):
        for user in (self.sales, self.manager):
            consent = self.consent.with_user(user)
            self.assertRefused(consent, {"user_id": user.id})
            self.assertRefused(consent, {"proof": "Rewritten"})
            self.assertRefused(consent, {"date": "2026-11-01"})
            self.assertRefused(consent, {"state": "withdrawn"})
            self.assertRefused(consent, {"channel": "phone"})
        self.assertEqual(self.consent.user_id, self.manager)
        self.assertEqual(self.consent.proof, "Signed form #12")

    def test_withdrawal_and_renewal_are_the_consents_own_events(self):
        self.consent.with_user(self.sales).action_withdraw()
        self.assertEqual(self.consent.state, "withdrawn")
        self.assertEqual(self.consent.withdrawal_date, date.today())
        self.consent.with_user(self.sales).action_renew()
        self.assertEqual(self.consent.state, "given")
        self.assertFalse(self.consent.withdrawal_date)
        self.assertEqual(self.consent.proof, "Signed form #12")

    def test_a_user_without_the_module_cannot_withdraw(self):
        outsider = new_test_user(self.env, login="rgpd_proof_outsider", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.consent.with_user(outsider).action_withdraw()
        self.assertEqual(self.consent.state, "given")

    # -- requests

    def test_nobody_moves_a_due_date(self):
        due = self.received + relativedelta(months=1)
        self.assertEqual(self.request.due_date, due)
        later = self.received + relativedelta(days=5)
        for user in (self.sales, self.manager):
            self.assertRefused(self.request.with_user(user), {"due_date": "2099-01-01"})
            self.assertRefused(self.request.with_user(user), {"received_date": later})
            self.assertRefused(self.request.with_user(user), {"answer_date": "2026-12-01"})
        self.assertRefused(
            self.request.with_user(self.sales),
            {"received_date": "2099-01-01"},
        )
        with self.assertRaises(AccessError):
            self.env["rgpd.request"].with_user(self.sales).create(
                {"request_type": "access", "requester_name": "Eve", "due_date": "2099-01-01"}
            )
        with self.assertRaises(ValidationError):
            self.env["rgpd.request"].with_user(self.sales).create(
                {"request_type": "access", "requester_name": "Eve", "received_date": "2099-01-01"}
            )
        self.assertEqual(self.request.due_date, due)

    def test_only_the_legal_extension_puts_the_answer_off(self):
        request = self.request.with_user(self.sales)
        self.assertRefused(
            request, {"extension_months": 3, "extension_reason": "x"}, ValidationError
        )
        request.write({"extension_months": 2, "extension_reason": "Many requests"})
        self.assertEqual(request.due_date, self.received + relativedelta(months=3))
        earlier = self.received - relativedelta(days=6)
        request.write({"received_date": earlier})
        # an earlier receipt, an earlier date
        self.assertEqual(request.due_date, earlier + relativedelta(months=3))
        request.action_done()
        self.assertEqual(request.answer_date, date.today())

    # -- import history

    def test_the_import_history_is_written_by_the_import_alone(self):
        for record, vals in [
            (self.failed_import, {"state": "done"}),
            (self.done_import, {"extract_number": 9001}),
            (self.done_import, {"count_created": 5}),
            (self.done_import, {"error_message": "All fine"}),
        ]:
            for user in (self.sales, self.manager):
                self.assertRefused(record.with_user(user), vals)
        with self.assertRaises(AccessError):
            self.env["rgpd.bce.import"].with_user(self.manager).create(
                {"file_name": "forged.zip", "extract_number": 9001, "state": "done"}
            )
        self.assertEqual(self.env["rgpd.bce.import"]._last_number(), None)
        self.assertFalse(self.env["rgpd.bce.import"].search([("extract_number", "=", 9001)]))

    def test_a_manager_confirms_or_rejects_through_the_import(self):
        waiting = self.env["rgpd.bce.import"].create(
            {"file_name": "update_142.zip", "extract_number": 142, "state": "confirm"}
        )
        waiting.with_user(self.manager).action_reject_extract()
        self.assertEqual(waiting.state, "failed")
        self.assertEqual(waiting.confirmed_by_id, self.manager)
