"""Bulk take-out through the apps' own records: leads hold the prospects'
addresses and numbers too. Run in the database with CRM, Sales and
Invoicing installed."""

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .accountability_case import AccountabilityCase
from .test_apps_leads_orders_invoices import WithApps


@tagged("post_install", "-at_install")
class TestLeadsTakeout(WithApps, AccountabilityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = (
            "base.group_user,base.group_allow_export,sales_team.group_sale_salesman_all_leads,"
            "rgpd_prospection.group_rgpd_"
        )
        cls.sales = new_test_user(cls.env, login="leads_takeout_sales", groups=groups + "user")
        cls.manager = new_test_user(
            cls.env, login="leads_takeout_manager", groups=groups + "manager"
        )
        one = cls._prospect("Lead One", email="one@lead-takeout.be", phone="+32 2 555 44 01")
        cls._prospect("Lead Two", email="two@lead-takeout.be")
        cls.leads = cls.env["crm.lead"].create(
            [
                {"name": "Deal one", "partner_id": one.id},
                {"name": "Deal two", "email_from": "two@lead-takeout.be"},
                {"name": "Call one", "phone": "02 555 44 01"},
            ]
        )
        cls.stranger = cls.env["crm.lead"].create(
            {"name": "Stranger", "email_from": "someone@stranger-lead.example"}
        )

    def test_leads_addresses_are_not_taken_out_by_sales(self):
        leads = self.leads.with_user(self.sales)
        domain = [("id", "in", self.leads.ids)]
        for door, call in (
            ("export e-mail", lambda: leads.export_data(["name", "email_from"])),
            ("export phone", lambda: leads.export_data(["phone"])),
            ("export partner", lambda: leads.export_data(["partner_id/email"])),
            ("group e-mail", lambda: leads.formatted_read_group(domain, ["email_from"])),
            ("group phone", lambda: leads.formatted_read_group(domain, ["phone"])),
            ("group partner", lambda: leads.formatted_read_group(domain, ["partner_id.email"])),
        ):
            with self.subTest(door=door), self.assertRaises(AccessError):
                call()
        # one by one in the pipeline, and a stranger's lead in bulk, still read
        self.assertEqual(leads[1].email_from, "two@lead-takeout.be")
        rows = self.stranger.with_user(self.sales).export_data(["email_from"])["datas"]
        self.assertEqual(rows, [["someone@stranger-lead.example"]])
        rows = self.leads.with_user(self.manager).export_data(["email_from"])["datas"]
        self.assertIn(["two@lead-takeout.be"], rows)
