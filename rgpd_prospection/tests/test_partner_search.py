from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import RgpdCase


@tagged("post_install", "-at_install")
class TestPartnerSearch(RgpdCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_small_code_table()
        cls.programming = cls._nace("62010")
        cls.retail = cls._nace("4762")
        cls.acme = cls.Partner.create(
            {
                "name": "Acme",
                "is_company": True,
                "bce_number": "0403170701",
                "zip": "1050",
                "bce_nace_ids": [(6, 0, cls.programming.ids)],
                "bce_main_nace_id": cls.programming.id,
            }
        )
        cls.shop = cls.Partner.create(
            {
                "name": "Shop",
                "is_company": True,
                "bce_number": "0200065765",
                "zip": "12990",
                "bce_nace_ids": [(6, 0, cls.retail.ids)],
                "rgpd_last_contact_date": "2025-01-15",
            }
        )
        cls.abroad = cls.Partner.create({"name": "Abroad", "is_company": True, "zip": "L-1100"})
        cls.mine = cls.acme | cls.shop | cls.abroad

    def _found(self, domain):
        return self.Partner.search([("id", "in", self.mine.ids), *domain])

    def test_search_by_any_spelling(self):
        for spelling in ("BE 0403 170 701", "0403170701", "403.170.701", "0403.170.701"):
            with self.subTest(spelling=spelling):
                self.assertEqual(self._found([("bce_number", "=", spelling)]), self.acme)
                self.assertEqual(
                    self._found([("bce_number_display", "ilike", spelling)]), self.acme
                )
                self.assertIn(
                    self.acme.id, [pid for pid, _name in self.Partner.name_search(spelling)]
                )

    def test_search_by_part_of_a_number(self):
        self.assertEqual(self._found([("bce_number_display", "ilike", "170.701")]), self.acme)
        self.assertEqual(self._found([("bce_number", "in", ["BE 0200 065 765"])]), self.shop)

    def test_a_name_is_not_mistaken_for_a_number(self):
        # Only the number-like part would be "2", which the shop's number contains.
        self.assertFalse(self._found([("display_name", "ilike", "Shop 2")]))
        self.assertEqual(self._found([("display_name", "ilike", "Shop")]), self.shop)

    def test_nace_codes_kept_as_text_and_searchable(self):
        self.assertEqual(self.acme.bce_nace_codes, "2008:62010")
        self.assertEqual(self.acme.bce_nace_ids, self.programming)
        both = self.programming | self.retail
        self.acme.bce_nace_ids = both
        self.assertEqual(self.acme.bce_nace_codes, "2008:4762 2008:62010")
        self.assertEqual(self.acme.bce_nace_ids, both)
        self.assertEqual(
            self._found([("bce_nace_ids", "in", self.retail.ids)]), self.acme | self.shop
        )
        self.assertEqual(self._found([("bce_nace_ids", "in", self.programming.ids)]), self.acme)
        self.assertEqual(
            self._found([("bce_nace_ids", "not in", self.programming.ids)]), self.shop | self.abroad
        )
        self.assertEqual(self._found([("bce_nace_ids", "=", False)]), self.abroad)
        self.assertEqual(
            self._found([("bce_nace_ids", "child_of", self._nace("47").ids)]), self.acme | self.shop
        )
        self.assertEqual(
            self._found([("bce_nace_ids", "ilike", "journaux")]), self.acme | self.shop
        )
        # a code missing from the code table stays in the text, and is not shown
        self.shop.bce_nace_codes = "2008:4762 2025:99999"
        self.assertEqual(self.shop.bce_nace_ids, self.retail)

    def test_nace_filter_includes_sub_codes(self):
        for value in ("62", "62.0", "6201", "62.010"):
            with self.subTest(value=value):
                self.assertEqual(self._found([("bce_nace_search", "=", value)]), self.acme)
        self.assertEqual(self._found([("bce_nace_search", "=", "47")]), self.shop)
        self.assertEqual(self._found([("bce_nace_search", "=", "j")]), self.acme)
        self.assertFalse(self._found([("bce_nace_search", "=", "6202")]))
        self.assertEqual(self._found([("bce_nace_search", "ilike", "journaux")]), self.shop)
        self.assertEqual(
            self._found([("bce_main_nace_id", "child_of", self._nace("62").ids)]), self.acme
        )

    def test_zip_range_compares_belgian_codes_as_numbers(self):
        """The import perimeter's reading: four-digit codes, ranges and lists."""
        self.assertEqual(self._found([("zip_range", "=", "1000-1299")]), self.acme)
        self.assertEqual(self._found([("zip_range", "=", "1000 - 1299")]), self.acme)
        self.assertEqual(self._found([("zip_range", "=", "9000-9999, 1050")]), self.acme)
        self.assertFalse(self._found([("zip_range", "=", "1100-1200")]))
        self.assertEqual(
            self._found([("zip_range", "=", "1000-9999")]), self.acme, "12990 is not Belgian"
        )
        for wrong in ("Brussels", "12990", "1299-1000", "100"):
            with self.subTest(wrong=wrong), self.assertRaises(UserError):
                self._found([("zip_range", "=", wrong)])

    def test_never_contacted(self):
        found = self._found([("rgpd_last_contact_date", "=", False)])
        self.assertEqual(found, self.acme | self.abroad)

    def test_legal_basis_defaults_to_legitimate_interest_for_prospects(self):
        prospect = self.Partner.create({"name": "P", "is_company": True, "is_bce_prospect": True})
        self.assertEqual(prospect.rgpd_legal_basis, "legitimate_interest")
        client = self.Partner.create(
            {"name": "C", "is_company": True, "rgpd_legal_basis": "contract"}
        )
        self.assertEqual(client.rgpd_legal_basis, "contract")
        client.is_bce_prospect = True
        self.assertEqual(client.rgpd_legal_basis, "contract")
        self.assertFalse(self.acme.rgpd_legal_basis)
