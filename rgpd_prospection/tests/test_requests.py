from datetime import date

from dateutil.relativedelta import relativedelta
from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .accountability_case import AccountabilityCase


@tagged("post_install", "-at_install")
class TestRequests(AccountabilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Request = cls.env["rgpd.request"]
        cls.company = cls._prospect("Acme Requests", email="info@acme-requests.be")
        cls.sales = new_test_user(
            cls.env,
            login="rgpd_request_sales",
            groups="base.group_user,rgpd_prospection.group_rgpd_user",
        )
        cls.today = fields.Date.context_today(cls.Request)

    def _request(self, request_type="access", **values):
        return self.Request.create(
            {
                "request_type": request_type,
                "requester_name": "Jean Dupont",
                "partner_id": self.company.id,
                **values,
            }
        )

    def test_due_one_month_after_receipt(self):
        request = self._request(received_date=date(2024, 1, 31))
        self.assertEqual(request.due_date, date(2024, 2, 29))
        self.assertTrue(request.name.startswith("GDPR/"))

    def test_extension_up_to_two_months_with_a_reason(self):
        received = self.today - relativedelta(days=15)
        request = self._request(received_date=received)
        with self.assertRaises(ValidationError):
            request.write({"extension_months": 1})
        with self.assertRaises(ValidationError):
            request.write({"extension_months": 3, "extension_reason": "Many requests at once"})
        request.write({"extension_months": 2, "extension_reason": "Many requests at once"})
        self.assertEqual(request.due_date, received + relativedelta(months=3))

    def test_overdue_requests_are_flagged_and_found(self):
        late = self._request(received_date=self.today - relativedelta(months=2))
        on_time = self._request(received_date=self.today)
        self.assertTrue(late.is_overdue)
        self.assertFalse(on_time.is_overdue)
        overdue = self.Request.search([("is_overdue", "=", True)])
        self.assertIn(late, overdue)
        self.assertNotIn(on_time, overdue)
        self.assertIn(on_time, self.Request.search([("is_overdue", "=", False)]))
        late.action_done()
        self.assertFalse(late.is_overdue)
        self.assertNotIn(late, self.Request.search([("is_overdue", "=", True)]))

    def test_responsible_gets_an_activity_before_the_due_date(self):
        request = self._request(received_date=self.today, user_id=self.sales.id)
        activity = request.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.sales)
        self.assertLess(activity.date_deadline, request.due_date)
        self.assertGreaterEqual(activity.date_deadline, self.today)
        request.write({"extension_months": 1, "extension_reason": "Complex request"})
        self.assertEqual(request.activity_ids, activity)
        self.assertEqual(activity.date_deadline, request.due_date - relativedelta(days=7))
        request.action_done()
        self.assertFalse(request.activity_ids)
        self.assertEqual(request.answer_date, self.today)

    def test_opposition_request_blacklists_and_closes(self):
        request = self._request("opposition")
        request.action_execute()
        self.assertTrue(self.company.rgpd_opted_out)
        self.assertEqual(request.state, "done")

    def test_erasure_request_anonymises_and_closes(self):
        person = self._person(self.company, "Reception", email="reception@acme-requests.be")
        request = self._request("erasure", partner_id=person.id)
        request.action_execute()
        self.assertTrue(self.company.rgpd_opted_out)
        self.assertTrue(self.company.rgpd_anonymized)
        self.assertNotEqual(self.company.email, "info@acme-requests.be")
        self.assertEqual(request.state, "done")

    def test_access_request_cannot_be_executed(self):
        with self.assertRaises(UserError):
            self._request("access").action_execute()

    def test_sales_register_requests_through_the_form(self):
        with Form(self.Request.with_user(self.sales)) as form:
            form.request_type = "rectification"
            form.requester_name = "Marie Peeters"
            form.partner_id = self.company
            form.identity_check = "known_email"
        request = form.save()
        self.assertEqual(request.user_id, self.sales)
        self.assertEqual(request.due_date, self.today + relativedelta(months=1))
        with self.assertRaises(AccessError):
            request.unlink()
