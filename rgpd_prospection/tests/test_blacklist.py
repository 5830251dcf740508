from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import RgpdCase


@tagged("post_install", "-at_install")
class TestBlacklist(RgpdCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.Partner.create(
            {"name": "Objector", "is_company": True, "bce_number": "0403170701"}
        )
        cls.person = cls.Partner.create({"name": "Employee", "parent_id": cls.company.id})
        cls.other = cls.Partner.create(
            {"name": "Other", "is_company": True, "bce_number": "0200065765"}
        )
        cls.mine = cls.company | cls.person | cls.other

    def _opted_out(self):
        return self.Partner.search([("id", "in", self.mine.ids), ("rgpd_opted_out", "=", True)])

    def test_add_is_idempotent(self):
        first = self.Blacklist._add(["BE 0403.170.701"], "phone", "Called to object")
        self.assertEqual(first.bce_number, "0403170701")
        self.assertEqual(first.partner_id, self.company)
        again = self.Blacklist._add(["0403170701", "403.170.701"], "request")
        self.assertEqual(again, first)
        self.assertEqual(first.channel, "phone", "an active entry is left as it was")
        self.assertEqual(self.Blacklist.search_count([("bce_number", "=", "0403170701")]), 1)

    def test_remove_archives_and_add_reactivates(self):
        entry = self.Blacklist._add(["0403170701"], "phone")
        removed = self.Blacklist._remove(["BE 0403 170 701", "0200065765"], "Agreed to be called")
        self.assertEqual(removed, entry)
        self.assertFalse(entry.active)
        self.assertIn("Agreed to be called", entry.message_ids[0].body)
        again = self.Blacklist._add(["0403170701"], "dpo", "Objected again")
        self.assertEqual(again, entry)
        self.assertTrue(entry.active)
        self.assertEqual((entry.channel, entry.reason), ("dpo", "Objected again"))

    def test_opted_out_follows_the_blacklist(self):
        self.assertFalse(self._opted_out())
        self.assertFalse(self.company.rgpd_opted_out)
        self.Blacklist._add(["0403170701"], "email_unsubscribe")
        self.env.invalidate_all()
        self.assertEqual(self._opted_out(), self.company | self.person)
        self.assertTrue(self.person.rgpd_opted_out, "the opposition covers contact persons")
        self.assertFalse(self.other.rgpd_opted_out)
        not_opted_out = self.Partner.search(
            [("id", "in", self.mine.ids), ("rgpd_opted_out", "!=", True)]
        )
        self.assertEqual(not_opted_out, self.other)
        self.Blacklist._remove(["0403170701"])
        self.env.invalidate_all()
        self.assertFalse(self._opted_out())
        self.assertFalse(self.company.rgpd_opted_out)

    def test_opted_out_ignores_archived_entries_even_without_active_test(self):
        self.Blacklist._add(["0403170701"], "phone")
        self.Blacklist._remove(["0403170701"])
        found = self.Partner.with_context(active_test=False).search(
            [("id", "in", self.mine.ids), ("rgpd_opted_out", "=", True)]
        )
        self.assertFalse(found)

    def test_entry_needs_a_valid_number(self):
        with self.assertRaises(ValidationError) as caught:
            self.Blacklist.create({"bce_number": "0403170702", "channel": "phone"})
        self.assertIn("0403170702", str(caught.exception))
        with self.assertRaises(ValidationError):
            self.Blacklist.create({"channel": "phone"})

    def test_search_by_any_spelling_and_company(self):
        entry = self.Blacklist._add(["0403170701"], "phone")
        self.assertEqual(self.Blacklist.search([("bce_number", "=", "BE 0403 170 701")]), entry)
        self.assertEqual(self.Blacklist.search([("partner_id", "ilike", "Objector")]), entry)
        self.assertEqual(entry.bce_number_display, "0403.170.701")
