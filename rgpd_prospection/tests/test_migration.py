from odoo.addons.rgpd_prospection.hooks import (
    migrate_mobile_numbers,
    migrate_nace_links_and_stored_purposes,
)
from odoo.tests import tagged

from .common import RgpdCase


@tagged("post_install", "-at_install")
class TestMigration(RgpdCase):
    """From 18.0.1.0.0: NACE codes as many2many rows, every prospect with its
    purposes stored."""

    def test_nace_rows_become_text_and_default_purposes_unstored(self):
        self._load_small_code_table()
        programming, retail = self._nace("62010"), self._nace("4762")
        Purpose = self.env["rgpd.purpose"]
        defaults = Purpose.search([("is_default", "=", True)])
        news = self.env.ref("rgpd_prospection.rgpd_purpose_news")
        following, withdrawn, customer = self.Partner.create(
            [
                {"name": "Following", "is_company": True, "is_bce_prospect": True},
                {"name": "Withdrew", "is_company": True, "is_bce_prospect": True},
                {"name": "Customer", "is_company": True},
            ]
        )
        cr = self.env.cr
        # the 18.0.1.0.0 tables and rows
        cr.execute(
            """CREATE TABLE res_partner_rgpd_nace_rel (
                   partner_id integer NOT NULL, nace_id integer NOT NULL,
                   PRIMARY KEY (partner_id, nace_id))"""
        )
        cr.execute(
            "INSERT INTO res_partner_rgpd_nace_rel VALUES (%s, %s), (%s, %s)",
            [following.id, programming.id, following.id, retail.id],
        )
        rows = [(following.id, p) for p in defaults.ids]
        rows += [(withdrawn.id, p) for p in (defaults - news).ids]
        rows += [(customer.id, news.id)]
        for partner_id, purpose_id in rows:
            cr.execute(
                "INSERT INTO res_partner_rgpd_purpose_rel (partner_id, purpose_id) VALUES (%s, %s)",
                [partner_id, purpose_id],
            )
        migrate_nace_links_and_stored_purposes(self.env)

        self.assertEqual(following.bce_nace_codes, "2008:4762 2008:62010")
        self.assertEqual(following.bce_nace_ids, programming | retail)
        cr.execute("SELECT to_regclass('res_partner_rgpd_nace_rel')")
        self.assertIsNone(cr.fetchone()[0])
        self.assertFalse(following.rgpd_purpose_chosen)
        self.assertFalse(following.rgpd_purpose_chosen_ids, "the defaults are not stored")
        self.assertEqual(following.rgpd_purpose_ids, defaults)
        self.assertTrue(withdrawn.rgpd_purpose_chosen)
        self.assertEqual(withdrawn.rgpd_purpose_ids, defaults - news)
        self.assertTrue(customer.rgpd_purpose_chosen)
        self.assertEqual(customer.rgpd_purpose_ids, news)

    def test_mobile_numbers_kept_after_odoo_19_dropped_the_field(self):
        both, mobile_only, same = self.Partner.create(
            [
                {
                    "name": "Both",
                    "is_company": True,
                    "bce_number": "0403170701",
                    "phone": "+32 2 555 12 34",
                },
                {"name": "Mobile only", "is_company": True},
                {"name": "Same", "is_company": True, "phone": "+32 470 11 22 33"},
            ]
        )
        self.Blacklist._add(["0403170701"], "request")
        self.env.flush_all()
        cr = self.env.cr
        # the column as Odoo 18 left it
        cr.execute("ALTER TABLE res_partner ADD COLUMN mobile varchar")
        for partner, mobile in (
            (both, "+32 470 12 34 56"),
            (mobile_only, "+32 471 98 76 54"),
            (same, "+32 470 11 22 33"),
        ):
            cr.execute("UPDATE res_partner SET mobile = %s WHERE id = %s", [mobile, partner.id])
        migrate_mobile_numbers(self.env)

        self.assertEqual(both.phone, "+32 2 555 12 34", "phone keeps the main number")
        self.assertEqual(both.rgpd_other_phone, "+32 470 12 34 56")
        self.assertEqual(mobile_only.phone, "+32 471 98 76 54")
        self.assertEqual(mobile_only.phone_sanitized, "+32471987654")
        self.assertFalse(mobile_only.rgpd_other_phone)
        self.assertFalse(same.rgpd_other_phone, "one number is not kept twice")
        blocked = self.env["phone.blacklist"].sudo().search([("number", "=", "+32470123456")])
        self.assertTrue(blocked.active, "the opposed company's other number is blacklisted")
