from odoo.addons.rgpd_prospection.hooks import migrate_nace_links_and_stored_purposes
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
