import io
import json
import zipfile

from odoo import Command, http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .accountability_case import AccountabilityCase
from .common import json2_request
from .test_privacy_doors import MANAGER_GROUPS, SALES_GROUPS

# what a browser sends when the user opens the URL: the JSON route then takes
# the session's user
BROWSER_NAVIGATION = {
    "Sec-Fetch-Dest": "document",
    "Sec-Fetch-Mode": "navigate",
    "Sec-Fetch-Site": "none",
    "Sec-Fetch-User": "?1",
}


@tagged("post_install", "-at_install")
class TestBulkTakeout(HttpCase, AccountabilityCase):
    """A sales user with Odoo's export right reads prospects one by one, but
    cannot take their e-mails and phones out in bulk; a manager can."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.prospects = cls._prospect(
            "Bulk One", email="one@bulk-takeout.be", phone="+32 2 555 33 01"
        ) | cls._prospect(
            "Bulk Two", email="two@bulk-takeout.be", rgpd_other_phone="+32 470 55 33 02"
        )
        cls.person = cls._person(cls.prospects[0], "Bulk desk", email="desk@bulk-takeout.be")
        cls.customer = cls.Partner.create(
            {"name": "Plain Customer", "is_company": True, "email": "plain@customer.example"}
        )
        cls.sales = new_test_user(cls.env, login="takeout_sales", groups=SALES_GROUPS)
        cls.manager = new_test_user(cls.env, login="takeout_manager", groups=MANAGER_GROUPS)
        cls.env["ir.config_parameter"].set_param("web.json.enabled", True)

    # export_data, the method behind /web/export/*

    def test_export_data_of_prospects_contact_data_is_refused_to_sales(self):
        partners = self.prospects.with_user(self.sales)
        partners.check_access("read")  # reading stays allowed
        self.assertEqual(partners.mapped("email"), ["one@bulk-takeout.be", "two@bulk-takeout.be"])
        for fields_to_export in (
            ["name", "email"],
            ["phone"],
            ["rgpd_other_phone"],
            ["email_normalized"],
            ["phone_sanitized"],
            ["name", "child_ids/email"],
        ):
            with self.subTest(fields=fields_to_export), self.assertRaises(AccessError):
                partners.export_data(fields_to_export)
        with self.assertRaises(AccessError):
            self.person.with_user(self.sales).export_data(["parent_id/email"])

    def test_export_data_without_contact_data_or_prospects_still_works(self):
        rows = self.prospects.with_user(self.sales).export_data(["name", "city"])["datas"]
        self.assertEqual([row[0] for row in rows], ["Bulk One", "Bulk Two"])
        rows = self.customer.with_user(self.sales).export_data(["email"])["datas"]
        self.assertEqual(rows, [["plain@customer.example"]])

    def test_manager_exports_prospects_contact_data(self):
        rows = self.prospects.with_user(self.manager).export_data(["name", "email"])["datas"]
        self.assertEqual(
            rows, [["Bulk One", "one@bulk-takeout.be"], ["Bulk Two", "two@bulk-takeout.be"]]
        )

    def _export_csv(self, login, fields, groupby=()):
        self.authenticate(login, login)
        with mute_logger("odoo.http"):
            return self.url_open(
                "/web/export/csv",
                data={
                    "data": json.dumps(
                        {
                            "model": "res.partner",
                            "fields": [{"name": name, "label": name} for name in fields],
                            "ids": self.prospects.ids,
                            "domain": [],
                            "groupby": list(groupby),
                            "import_compat": False,
                        }
                    ),
                    "csrf_token": http.Request.csrf_token(self),
                },
            )

    def test_list_export_over_http(self):
        response = self._export_csv("takeout_sales", ["name", "email"])
        self.assertNotIn(b"one@bulk-takeout.be", response.content)
        self.assertNotEqual(response.status_code, 200)
        response = self._export_csv("takeout_sales", ["name"], groupby=["email"])
        self.assertNotIn(b"one@bulk-takeout.be", response.content)
        self.assertNotEqual(response.status_code, 200)
        response = self._export_csv("takeout_manager", ["name", "email"])
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"one@bulk-takeout.be", response.content)

    def test_personal_data_file_is_not_served_to_sales(self):
        action = self.prospects[0].with_user(self.manager).action_rgpd_access_export()
        self.authenticate("takeout_sales", "takeout_sales")
        with mute_logger("odoo.http"):
            response = self.url_open(action["url"])
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(b"PK", response.content[:2], "no spreadsheet served")
        self.authenticate("takeout_manager", "takeout_manager")
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content[:2], b"PK")

    # vCard

    def test_vcard_of_prospects_is_refused_to_sales(self):
        ids = ",".join(str(pid) for pid in self.prospects.ids)
        self.authenticate("takeout_sales", "takeout_sales")
        with mute_logger("odoo.http"):
            response = self.url_open(f"/web/partner/vcard?partner_ids={ids}")
            self.assertNotEqual(response.status_code, 200)
            self.assertNotIn(b"bulk-takeout.be", response.content)
            single = self.url_open(f"/web/partner/vcard?partner_ids={self.person.id}")
            self.assertNotIn(b"desk@bulk-takeout.be", single.content)
        response = self.url_open(f"/web/partner/vcard?partner_ids={self.customer.id}")
        self.assertIn(b"plain@customer.example", response.content)
        self.authenticate("takeout_manager", "takeout_manager")
        response = self.url_open(f"/web/partner/vcard?partner_ids={ids}")
        self.assertEqual(response.status_code, 200)
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            contents = b"".join(archive.read(name) for name in archive.namelist())
        self.assertIn(b"one@bulk-takeout.be", contents)

    # the JSON route

    def _json(self, login, domain, extra=""):
        self.authenticate(login, login)
        with mute_logger("odoo.http"):
            return self.url_open(
                "/json/1/action-contacts.action_contacts?view_type=list"
                f"&domain={json.dumps(domain)}&offset=0&limit=80{extra}",
                headers=BROWSER_NAVIGATION,
            )

    def test_json_route_refuses_prospects_contact_data_to_sales(self):
        domain = [["id", "in", self.prospects.ids]]
        response = self._json("takeout_sales", domain)
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(b"one@bulk-takeout.be", response.content)
        response = self._json("takeout_manager", domain)
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"one@bulk-takeout.be", response.content)
        response = self._json("takeout_sales", [["id", "=", self.customer.id]])
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"plain@customer.example", response.content)
        response = self._json("takeout_sales", domain, "&groupby=email")
        self.assertNotEqual(response.status_code, 200)
        self.assertNotIn(b"one@bulk-takeout.be", response.content)
        response = self._json("takeout_manager", domain, "&groupby=email")
        self.assertEqual(response.status_code, 200)
        self.assertIn(b"one@bulk-takeout.be", response.content)

    # the JSON-2 API of Odoo 19 (an API key): a program's door

    def _json2(self, user, method, payload):
        return json2_request(self, user, "res.partner", method, payload)

    def test_json2_api_refuses_prospects_contact_data_to_sales(self):
        domain = [["id", "in", self.prospects.ids]]
        calls = [
            ("search_read", {"domain": domain, "fields": ["name", "email"]}),
            ("read", {"ids": self.prospects.ids, "fields": ["phone"]}),
            ("formatted_read_group", {"domain": domain, "groupby": ["email"]}),
            ("web_read_group", {"domain": domain, "groupby": ["phone"]}),
            # the caller's own context does not lift the mark
            (
                "search_read",
                {"domain": domain, "fields": ["email"], "context": {"rgpd_bulk_takeout": False}},
            ),
        ]
        for method, payload in calls:
            with self.subTest(method=method, payload=payload):
                response = self._json2(self.sales, method, payload)
                self.assertEqual(response.status_code, 403, response.text[:300])
                self.assertNotIn("bulk-takeout.be", response.text)
                response = self._json2(self.manager, method, payload)
                self.assertEqual(response.status_code, 200, response.text[:300])
        names = self._json2(self.sales, "search_read", {"domain": domain, "fields": ["name"]})
        self.assertEqual(names.status_code, 200)
        self.assertEqual({row["name"] for row in names.json()}, {"Bulk One", "Bulk Two"})
        customer = self._json2(
            self.sales,
            "search_read",
            {"domain": [["id", "=", self.customer.id]], "fields": ["email"]},
        )
        self.assertEqual(customer.json()[0]["email"], "plain@customer.example")

    def test_grouping_by_address_is_refused_to_every_role_but_managers(self):
        """What the web client's grouped lists call, as each role."""
        internal = new_test_user(self.env, login="takeout_internal", groups="base.group_user")
        other_company = self.env["res.company"].create({"name": "Other company (takeout)"})
        elsewhere = new_test_user(
            self.env,
            login="takeout_elsewhere",
            groups=SALES_GROUPS,
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        domain = [("id", "in", self.prospects.ids)]
        for user in (self.sales, internal, elsewhere):
            Partner = self.env["res.partner"].with_user(user)
            for groupby in (["email"], ["phone"], ["email_normalized"], ["rgpd_other_phone"]):
                with self.subTest(user=user.login, groupby=groupby):
                    with self.assertRaises(AccessError):
                        Partner.formatted_read_group(domain, groupby, ["__count"])
                    with self.assertRaises(AccessError):
                        Partner.web_read_group(domain, groupby, ["__count"])
            # grouping by what is not an address or a number still works
            groups = Partner.formatted_read_group(domain, ["city"], ["__count"])
            self.assertEqual(sum(group["__count"] for group in groups), 2)
        groups = (
            self.env["res.partner"]
            .with_user(self.manager)
            .formatted_read_group(domain, ["email"], ["__count"])
        )
        self.assertEqual({group["email"] for group in groups}, {p.email for p in self.prospects})
