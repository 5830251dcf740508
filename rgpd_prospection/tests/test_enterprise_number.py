from odoo.exceptions import ValidationError
from odoo.tests import Form, new_test_user, tagged

from .common import RgpdCase


@tagged("post_install", "-at_install")
class TestEnterpriseNumber(RgpdCase):
    def test_any_spelling_is_stored_as_ten_digits(self):
        spellings = {
            "BE 0403.170.701": "0403170701",
            "0200 065 765": "0200065765",
            "123.456.749": "0123456749",
            "be1012706130": "1012706130",
        }
        for spelling, digits in spellings.items():
            with self.subTest(spelling=spelling):
                company = self.Partner.create(
                    {"name": spelling, "is_company": True, "bce_number": spelling}
                )
                self.assertEqual(company.bce_number, digits)
                self.assertEqual(
                    company.bce_number_display, f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"
                )

    def test_write_normalises_and_clears(self):
        company = self.Partner.create({"name": "Write", "is_company": True})
        company.write({"bce_number": "BE 0477.472.701"})
        self.assertEqual(company.bce_number, "0477472701")
        company.bce_number_display = "0403 170 701"
        self.assertEqual(company.bce_number, "0403170701")
        company.bce_number = False
        self.assertFalse(company.bce_number)
        self.assertFalse(company.bce_number_display)

    def test_invalid_numbers_raise_an_error_naming_the_value(self):
        cases = {
            "0403170702": "last two digits",
            "0403 17": "6 digits",
            "BE04031707AB": "characters other than digits",
        }
        for value, reason in cases.items():
            with self.subTest(value=value):
                with self.assertRaises(ValidationError) as caught:
                    self.Partner.create({"name": "Bad", "is_company": True, "bce_number": value})
                message = str(caught.exception)
                self.assertIn(value, message)
                self.assertIn(reason, message)

    def test_invalid_number_is_refused_on_write(self):
        company = self.Partner.create({"name": "W", "is_company": True, "bce_number": "0403170701"})
        with self.assertRaises(ValidationError):
            company.write({"bce_number": "0403170799"})
        self.assertEqual(company.bce_number, "0403170701")

    def test_unique_among_companies_archived_included(self):
        archived = self.Partner.create(
            {"name": "Old", "is_company": True, "bce_number": "0403170701", "active": False}
        )
        with self.assertRaises(ValidationError) as caught:
            self.Partner.create({"name": "New", "is_company": True, "bce_number": "BE0403170701"})
        self.assertIn("0403.170.701", str(caught.exception))
        self.assertIn(archived.name, str(caught.exception))

    def test_unique_when_a_contact_becomes_a_company(self):
        self.Partner.create({"name": "Co", "is_company": True, "bce_number": "0200065765"})
        person = self.Partner.create({"name": "Solo", "bce_number": "0200065765"})
        with self.assertRaises(ValidationError):
            person.is_company = True

    def test_contact_persons_are_not_concerned(self):
        company = self.Partner.create(
            {"name": "Parent", "is_company": True, "bce_number": "0200065765"}
        )
        first = self.Partner.create(
            {"name": "Alice", "parent_id": company.id, "bce_number": "0200065765"}
        )
        second = self.Partner.create(
            {"name": "Bob", "parent_id": company.id, "bce_number": "0200065765"}
        )
        self.assertEqual((first | second).mapped("bce_number"), ["0200065765"] * 2)
        self.assertFalse(
            self.Partner.create({"name": "Carol", "parent_id": company.id}).bce_number,
            "the number is not copied to contact persons",
        )

    def test_copy_does_not_duplicate_the_number(self):
        company = self.Partner.create(
            {"name": "Orig", "is_company": True, "bce_number": "0200065765"}
        )
        self.assertFalse(company.copy().bce_number)

    def test_form_saves_a_number_typed_with_spaces(self):
        sales = new_test_user(
            self.env,
            login="rgpd_form_sales",
            groups="base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_user",
        )
        with Form(self.Partner.with_user(sales)) as form:
            form.company_type = "company"
            form.name = "Form company"
            form.bce_number_display = "BE 0123 456 749"
        company = form.record
        self.assertEqual(company.bce_number, "0123456749")
        with Form(company) as form:
            self.assertEqual(form.bce_number_display, "0123.456.749")
            form.bce_number_display = "0403 170 701"
        self.assertEqual(company.bce_number, "0403170701")
