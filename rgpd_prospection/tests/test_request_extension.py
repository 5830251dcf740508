from dateutil.relativedelta import relativedelta
from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.service.model import call_kw
from odoo.tests import Form, new_test_user, tagged

from .accountability_case import AccountabilityCase
from .test_import_funnel import load_french_and_dutch

LATE = "The answer can no longer be postponed"
TWICE = "has already been postponed once"


@tagged("post_install", "-at_install")
class TestRequestExtension(AccountabilityCase):
    """GDPR art. 12(3): the answer is postponed by two further months at most,
    once, and the requester is told of it within one month of the receipt.
    Every door that could postpone it later, or again, is refused and leaves
    the database as it was; the due date stays computed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_french_and_dutch(cls.env)
        cls.Request = cls.env["rgpd.request"]
        groups = "base.group_user,rgpd_prospection.group_rgpd_"
        cls.sales = new_test_user(cls.env, login="ext_sales", groups=groups + "user")
        cls.manager = new_test_user(cls.env, login="ext_manager", groups=groups + "manager")
        cls.french_sales = new_test_user(
            cls.env, login="ext_sales_fr", groups=groups + "user", lang="fr_BE"
        )
        cls.today = fields.Date.context_today(cls.Request)
        cls.company = cls._prospect("Extension Works")

    def _request(self, received, **values):
        return self.Request.create(
            {
                "request_type": "access",
                "requester_name": "Jean Late",
                "partner_id": self.company.id,
                "received_date": received,
                **values,
            }
        )

    def _database(self):
        """The requests, their chatter and their to-dos, as stored."""
        self.env.flush_all()
        cr = self.env.cr
        rows = {}
        for table, order in (
            ("rgpd_request", "id"),
            ("mail_message", "id"),
            ("mail_tracking_value", "id"),
            ("mail_activity", "id"),
        ):
            cr.execute(f"SELECT * FROM {table} ORDER BY {order}")  # noqa: S608
            rows[table] = cr.fetchall()
        return rows

    def assertRefused(self, call, message=LATE, error=ValidationError):
        before = self._database()
        with self.assertRaises(error) as caught, self.env.cr.savepoint():
            call()
        self.assertIn(message, str(caught.exception))
        self.env.invalidate_all()
        self.assertEqual(self._database(), before, "a refusal leaves the database as it was")
        return caught.exception

    def _doors(self, request, vals):
        """Write ``vals`` as the web client and a program would, per role."""
        for user in (self.manager, self.sales):
            model = self.Request.with_user(user)
            yield (
                f"write as {user.login}",
                lambda m=model: call_kw(m, "write", [request.ids, vals], {"context": {}}),
            )
            yield (
                f"button as {user.login}",
                lambda m=model: call_kw(m, "action_extend", [request.ids], {"context": {}}),
            )

    def test_within_the_first_month_once_by_the_button(self):
        request = self._request(self.today - relativedelta(days=20))
        self.assertTrue(request.can_extend)
        with Form(request.with_user(self.sales)) as form:
            form.extension_reason = "Three hundred pages of mail to review"
        request.with_user(self.sales).action_extend()
        self.assertEqual(request.extension_months, 2)
        self.assertEqual(request.extension_date, self.today)
        self.assertEqual(request.due_date, request.received_date + relativedelta(months=3))
        self.assertFalse(request.can_extend)
        # and never again, through any door
        for vals in (
            {"extension_months": 1},
            {"extension_months": 0},
            {"extension_reason": "Another reason"},
            {"extension_months": 2, "extension_reason": "Another reason"},
        ):
            for door, call in self._doors(request, vals):
                with self.subTest(door=door, vals=vals):
                    self.assertRefused(call, TWICE)
        with self.subTest(door="extension date by hand"):
            self.assertRefused(
                lambda: request.with_user(self.manager).write({"extension_date": "2020-01-01"}),
                "extension date",
                AccessError,
            )
        self.assertEqual(request.due_date, request.received_date + relativedelta(months=3))

    def test_the_button_needs_the_reason(self):
        request = self._request(self.today)
        self.assertRefused(
            lambda: request.with_user(self.sales).action_extend(),
            "Give the reason of the extension.",
        )

    def test_typed_in_the_form_within_the_month(self):
        with Form(self.Request.with_user(self.sales)) as form:
            form.request_type = "access"
            form.requester_name = "Marie Form"
            form.received_date = self.today - relativedelta(days=3)
            form.extension_months = 1
            form.extension_reason = "Complex request"
        request = form.record
        self.assertEqual((request.extension_months, request.extension_date), (1, self.today))
        self.assertEqual(request.due_date, request.received_date + relativedelta(months=2))

    def test_not_after_the_first_month(self):
        received = self.today - relativedelta(months=1, days=1)
        request = self._request(received)
        self.assertFalse(request.can_extend)
        self.assertTrue(request.is_overdue)
        for door, call in self._doors(
            request, {"extension_months": 2, "extension_reason": "Too late to tell"}
        ):
            with self.subTest(door=door):
                self.assertRefused(call)
        self.assertEqual(request.due_date, received + relativedelta(months=1))
        self.assertFalse(request.extension_date)

    def test_the_last_day_of_the_first_month_still_counts(self):
        request = self._request(self.today - relativedelta(months=1))
        request.write({"extension_months": 2, "extension_reason": "Many requests"})
        self.assertEqual(request.due_date, self.today + relativedelta(months=2))

    def test_a_request_is_not_created_already_extended_late(self):
        for user in (self.manager, self.sales):
            with self.subTest(user=user.login):
                self.assertRefused(
                    lambda u=user: call_kw(
                        self.Request.with_user(u),
                        "create",
                        [
                            {
                                "request_type": "erasure",
                                "requester_name": "Eve Late",
                                "received_date": self.today - relativedelta(months=2),
                                "extension_months": 2,
                                "extension_reason": "Backdated",
                            }
                        ],
                        {"context": {}},
                    )
                )
                self.assertRefused(
                    lambda u=user: self.Request.with_user(u).create(
                        {
                            "request_type": "access",
                            "requester_name": "Eve Forged",
                            "extension_months": 2,
                            "extension_reason": "Forged date",
                            "extension_date": "2020-01-01",
                        }
                    ),
                    "extension date",
                    AccessError,
                )
        # within the month, created extended: the extension is dated today
        request = self._request(
            self.today - relativedelta(days=10),
            extension_months=2,
            extension_reason="Registered already extended",
        )
        self.assertEqual(request.extension_date, self.today)

    def test_the_refusal_is_in_the_readers_language(self):
        late = self._request(self.today - relativedelta(months=2))
        french = self.Request.with_user(self.french_sales).with_context(lang="fr_BE")
        error = self.assertRefused(
            lambda: call_kw(
                french,
                "write",
                [late.ids, {"extension_months": 2, "extension_reason": "Trop tard"}],
                {"context": {"lang": "fr_BE"}},
            ),
            "ne peut plus être report",
        )
        self.assertNotIn(LATE, str(error))

    def test_the_erasure_still_masks_the_reason(self):
        request = self._request(
            self.today, extension_months=2, extension_reason="Jean Late sent many files"
        )
        self.company._rgpd_erase("Asked", request_reference=request.name)
        self.assertEqual(request.extension_reason, "****")
        self.assertEqual(request.extension_months, 2)

    def test_a_copy_starts_without_the_extension(self):
        request = self._request(
            self.today - relativedelta(days=5), extension_months=2, extension_reason="Many"
        )
        request.received_date = self.today - relativedelta(months=2)
        copy = request.copy()
        self.assertEqual((copy.extension_months, copy.extension_date), (0, False))
        self.assertEqual(copy.due_date, copy.received_date + relativedelta(months=1))
