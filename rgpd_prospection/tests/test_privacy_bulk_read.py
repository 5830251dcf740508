"""A read that lists the addresses or numbers of more prospects than a list page holds is a
bulk take-out, whatever method asks it (read, search_read, web_search_read, call_kw)."""

from odoo.addons.rgpd_prospection.models.res_partner_privacy import BULK_READ_LIMIT
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from .test_privacy_doors import PrivacyDoorsCase

DOMAIN = [("name", "=like", "Bulk read %")]


@tagged("post_install", "-at_install")
class TestBulkRead(HttpCase, PrivacyDoorsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.many = cls.Partner.create(
            [
                {
                    "name": f"Bulk read {index:04d}",
                    "is_company": True,
                    "is_bce_prospect": True,
                    "bce_number": cls._new_number(),
                    "email": f"info{index}@bulk-read.be",
                    "phone": f"+32 2 555 {index // 100:02d} {index % 100:02d}",
                }
                for index in range(BULK_READ_LIMIT + 5)
            ]
        )

    def _snapshot(self):
        return self.many.sudo().read(["email", "phone", "write_date"])

    def test_more_than_a_page_of_addresses_is_refused_to_all_but_managers(self):
        for user in (self.user, self.internal, self.other_company_user):
            Partner = self.Partner.with_user(user)
            for method, call in (
                ("read", lambda P: P.search(DOMAIN).read(["name", "email"])),
                ("search_read", lambda P: P.search_read(DOMAIN, ["phone"])),
                (
                    "web_search_read",
                    lambda P: P.web_search_read(DOMAIN, {"name": {}, "email": {}}),
                ),
            ):
                with (
                    self.subTest(user=user.login, method=method),
                    self.assertRefusedUnchanged(str(BULK_READ_LIMIT), AccessError),
                ):
                    call(Partner)
        manager = self.Partner.with_user(self.manager)
        emails = {row["email"] for row in manager.search_read(DOMAIN, ["email"])}
        self.assertEqual(emails, set(self.many.mapped("email")))

    def test_a_list_page_or_the_names_alone_still_read(self):
        Partner = self.Partner.with_user(self.user)
        page = Partner.web_search_read(DOMAIN, {"email": {}}, limit=80)
        self.assertEqual(len(page["records"]), 80)
        self.assertTrue(all(row["email"].endswith("@bulk-read.be") for row in page["records"]))
        names = Partner.search_read(DOMAIN, ["name", "bce_number"])
        self.assertEqual(len(names), BULK_READ_LIMIT + 5)

    def test_customers_are_not_limited(self):
        customers = self.Partner.create(
            [
                {"name": f"Bulk customer {index}", "email": f"c{index}@customer.example"}
                for index in range(BULK_READ_LIMIT + 5)
            ]
        )
        rows = customers.with_user(self.user).read(["email"])
        self.assertEqual(len(rows), BULK_READ_LIMIT + 5)

    def test_refused_over_json_rpc_as_the_web_client_calls_it(self):
        params = {
            "model": "res.partner",
            "method": "search_read",
            "args": [DOMAIN, ["email"]],
            "kwargs": {},
        }
        route = "/web/dataset/call_kw/res.partner/search_read"
        self.authenticate("doors_user", "doors_user")
        with mute_logger("odoo.http"), self.assertRaises(JsonRpcException) as caught:
            self.make_jsonrpc_request(route, params)
        self.assertIn("AccessError", str(caught.exception))
        self.authenticate("doors_manager", "doors_manager")
        rows = self.make_jsonrpc_request(route, params)
        self.assertEqual(len(rows), BULK_READ_LIMIT + 5)
