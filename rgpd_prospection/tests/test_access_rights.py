from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import RgpdCase


@tagged("post_install", "-at_install")
class TestAccessRights(RgpdCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sales = new_test_user(
            cls.env, login="rgpd_sales", groups="base.group_user,rgpd_prospection.group_rgpd_user"
        )
        cls.dpo = new_test_user(
            cls.env, login="rgpd_dpo", groups="base.group_user,rgpd_prospection.group_rgpd_manager"
        )
        cls.employee = new_test_user(cls.env, login="rgpd_employee", groups="base.group_user")
        cls.nace = cls.Nace.create({"code": "62010", "version": "2008", "name_fr": "Prog"})
        cls.form = cls.env["rgpd.juridical.form"].create({"code": "014"})
        cls.entry = cls.Blacklist._add(["0403170701"], "phone", "Objected by phone")

    def test_user_reads_codes_and_blacklist_and_records_oppositions(self):
        self.assertEqual(self.nace.with_user(self.sales).name_fr, "Prog")
        self.assertEqual(self.form.with_user(self.sales).code, "014")
        self.assertEqual(self.entry.with_user(self.sales).channel, "phone")
        created = self.Blacklist.with_user(self.sales)._add(["0200065765"], "phone")
        self.assertEqual(created.user_id, self.sales)

    def test_user_reactivates_a_withdrawn_opposition(self):
        self.entry._remove(["0403170701"])
        again = self.Blacklist.with_user(self.sales)._add(["0403170701"], "request")
        self.assertTrue(again.active)
        self.assertEqual(again.user_id, self.sales)

    def test_user_may_not_change_or_delete(self):
        entry = self.entry.with_user(self.sales)
        with self.assertRaises(AccessError):
            entry.write({"reason": "changed"})
        with self.assertRaises(AccessError):
            entry.unlink()
        with self.assertRaises(AccessError):
            self.Blacklist.with_user(self.sales)._remove(["0403170701"])
        with self.assertRaises(AccessError):
            self.nace.with_user(self.sales).write({"name_fr": "changed"})
        with self.assertRaises(AccessError):
            self.Nace.with_user(self.sales).create({"code": "62020", "version": "2008"})
        with self.assertRaises(AccessError):
            self.form.with_user(self.sales).unlink()
        with self.assertRaises(AccessError):
            self.env["rgpd.code.import.wizard"].with_user(self.sales).create({})

    def test_manager_manages_everything(self):
        entry = self.entry.with_user(self.dpo)
        entry.write({"reason": "Clarified"})
        self.Blacklist.with_user(self.dpo)._remove(["0403170701"], "Withdrawn")
        self.assertFalse(self.entry.active)
        self.nace.with_user(self.dpo).write({"name_nl": "Programmering"})
        self.form.with_user(self.dpo).unlink()
        self.assertFalse(self.form.exists())
        entry.unlink()
        self.assertFalse(self.entry.exists())

    def test_employee_without_the_roles(self):
        with self.assertRaises(AccessError):
            self.entry.with_user(self.employee).read(["bce_number"])
        with self.assertRaises(AccessError):
            self.Blacklist.with_user(self.employee)._add(["0200065765"], "phone")
        self.assertEqual(self.nace.with_user(self.employee).code, "62010")
        company = self.Partner.create(
            {"name": "Co", "is_company": True, "bce_number": "0403170701"}
        )
        self.assertTrue(company.with_user(self.employee).rgpd_opted_out)

    def test_employee_opens_a_contact_without_the_gdpr_tab(self):
        company = self.Partner.create(
            {"name": "Co", "is_company": True, "bce_number": "0200065765"}
        )
        form = Form(company.with_user(self.employee))
        self.assertEqual(form.name, "Co")
        self.assertNotIn("bce_number_display", form._view["fields"])
        sales_form = Form(company.with_user(self.sales))
        self.assertEqual(sales_form.bce_number_display, "0200.065.765")

    def test_roles(self):
        self.assertTrue(self.dpo.has_group("rgpd_prospection.group_rgpd_user"))
        self.assertTrue(
            self.env.ref("base.user_admin").has_group("rgpd_prospection.group_rgpd_manager")
        )
        for user in (self.sales, self.dpo):
            self.assertFalse(user.has_group("base.group_allow_export"), "the roles grant no export")
