"""The module in a database with Odoo's demo data: its companies, its contacts
and its users (an internal user without the module's roles, a portal user)
meet the prospects. The project's runner runs this file in that database."""

import shutil
import tempfile
import unittest
from pathlib import Path

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import RgpdCase

PARAM = "rgpd_prospection.bce_"


@tagged("post_install", "-at_install")
class TestDemoDatabase(RgpdCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo_user = cls.env.ref("base.user_demo", raise_if_not_found=False)
        if not cls.demo_user:
            raise unittest.SkipTest("needs Odoo's demo data")
        cls.portal_user = cls.env.ref("base.demo_user0")
        from .. import bce_synth

        cls.source = Path(tempfile.mkdtemp(prefix="rgpd_demo_test_"))
        cls.addClassCleanup(shutil.rmtree, cls.source, True)
        cls.full = bce_synth.generate_full(cls.source / "a/", enterprises=200, seed=5)
        cls.folder = Path(tempfile.mkdtemp(prefix="rgpd_demo_folder_"))
        cls.addClassCleanup(shutil.rmtree, cls.folder, True)
        ICP = cls.env["ir.config_parameter"]
        ICP.set_param(PARAM + "postal_codes", "1000-9999")
        ICP.set_param(PARAM + "extract_folder", str(cls.folder))

    def _demo_partners_state(self):
        demo = self.Partner.with_context(active_test=False).search(
            [("is_bce_prospect", "=", False)], order="id"
        )
        return demo.read(["name", "email", "phone", "active", "bce_number", "rgpd_opted_out"])

    def test_an_import_creates_prospects_and_leaves_the_demo_contacts_alone(self):
        before = self._demo_partners_state()
        self.assertTrue(before, "the demo data hold contacts")
        shutil.copy(self.full, self.folder / Path(self.full).name)
        record = self.env["rgpd.bce.import"].run_pending_imports()
        self.assertEqual(record.state, "done")
        prospects = self.Partner.search([("is_bce_prospect", "=", True)])
        self.assertTrue(prospects)
        self.assertEqual(self._demo_partners_state(), before)

    def test_demo_users_without_the_module_roles_cannot_take_prospects_out(self):
        shutil.copy(self.full, self.folder / Path(self.full).name)
        self.env["rgpd.bce.import"].run_pending_imports()
        prospect = self.Partner.search(
            [("is_bce_prospect", "=", True), ("email", "!=", False)], limit=1
        )
        self.assertTrue(prospect)
        self.assertFalse(self.demo_user.has_group("rgpd_prospection.group_rgpd_user"))
        with self.assertRaises(AccessError):
            self.env["rgpd.blacklist"].with_user(self.demo_user).search([])
        with self.assertRaises(AccessError):
            prospect.with_user(self.demo_user).export_data(["name", "email"])
        with self.assertRaises(AccessError):
            self.Partner.with_user(self.demo_user).formatted_read_group(
                [("id", "=", prospect.id)], ["email"], ["__count"]
            )
        with self.assertRaises(AccessError):
            prospect.with_user(self.portal_user).read(["email"])
