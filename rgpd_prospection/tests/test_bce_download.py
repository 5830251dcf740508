import os
import shutil
import socket
import tempfile
from pathlib import Path
from unittest.mock import patch

from odoo.addons.rgpd_prospection.bce_engine import portal as bce_portal
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import RgpdCase

PARAM = "rgpd_prospection.bce_"


@tagged("post_install", "-at_install")
class TestBceDownload(RgpdCase):
    """The portal download runs in its own scheduled action, one file per call;
    a failure is recorded once and never keeps the folder's extracts from
    being applied."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from .. import bce_synth

        cls.Import = cls.env["rgpd.bce.import"]
        cls.source = Path(tempfile.mkdtemp(prefix="rgpd_bce_download_"))
        cls.addClassCleanup(shutil.rmtree, cls.source, True)
        cls.full = bce_synth.generate_full(cls.source / "a/", enterprises=120, seed=4)
        cls.params = cls.env["ir.config_parameter"]
        cls.params.set_param(PARAM + "postal_codes", "1000-9999")
        cls.params.set_param(PARAM + "portal_user", "customer@example.be")
        cls.params.set_param(PARAM + "portal_password", "Pa55-w0rd!")
        cls.download_cron = cls.env.ref("rgpd_prospection.ir_cron_rgpd_bce_download")
        cls.import_cron = cls.env.ref("rgpd_prospection.ir_cron_rgpd_bce_import")

    def setUp(self):
        super().setUp()
        self.folder = Path(tempfile.mkdtemp(prefix="rgpd_bce_folder_"))
        self.addCleanup(shutil.rmtree, self.folder, True)
        self.params.set_param(PARAM + "extract_folder", str(self.folder))

    def download_failures(self):
        return self.Import.search([("state", "=", "failed"), ("checksum", "=", False)])

    def unreachable_portal(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        return f"http://127.0.0.1:{port}/kbo-open-data"

    def test_cron_code(self):
        self.assertEqual(self.download_cron.code.strip(), "model._cron_download_bce_extracts()")
        self.assertNotIn("download", self.import_cron.code)

    def test_failed_download_recorded_once_and_the_folder_still_applied(self):
        self.params.set_param(PARAM + "portal_url", self.unreachable_portal())
        with patch.dict(os.environ, {"no_proxy": "127.0.0.1", "NO_PROXY": "127.0.0.1"}):
            self.run_cron(self.download_cron)
            self.run_cron(self.download_cron)
        failed = self.download_failures()
        self.assertEqual(len(failed), 1, "one record, not one per run")
        self.assertIn("cannot reach the BCE portal", failed.error_message)
        self.assertNotIn("Pa55-w0rd!", failed.error_message)
        self.assertEqual(failed.file_name, "BCE portal download")
        shutil.copy(self.full, self.folder / self.full.name)
        with patch.dict(os.environ, {"no_proxy": "127.0.0.1", "NO_PROXY": "127.0.0.1"}):
            self.run_cron(self.import_cron)
        applied = self.Import.search([("checksum", "!=", False)])
        self.assertEqual(applied.mapped("state"), ["done"], applied.error_message)
        self.assertEqual(applied.extract_number, 147)
        self.assertTrue(self.Partner.search_count([("is_bce_prospect", "=", True)]))
        self.assertEqual(self.download_failures(), failed, "the import does not download")

    def test_refused_login_recorded_once_per_cause(self):
        refused = bce_portal.LoginError("the BCE portal refused the login of user 'customer'")
        with patch.object(bce_portal, "download_next_extract", side_effect=refused) as download:
            self.run_cron(self.download_cron)
            self.run_cron(self.download_cron)
        self.assertEqual(download.call_count, 2)
        failed = self.download_failures()
        self.assertEqual(len(failed), 1)
        self.assertIn("refused the login of user 'customer'", failed.error_message)
        # another cause is recorded; after a success the same cause is news again
        other = bce_portal.PortalError("cannot reach the BCE portal: timed out")
        with patch.object(bce_portal, "download_next_extract", side_effect=other):
            self.run_cron(self.download_cron)
        self.assertEqual(len(self.download_failures()), 2)
        with patch.object(bce_portal, "download_next_extract", return_value=None):
            self.run_cron(self.download_cron)
        with patch.object(bce_portal, "download_next_extract", side_effect=other):
            self.run_cron(self.download_cron)
        self.assertEqual(len(self.download_failures()), 3)

    def test_one_file_per_call_and_the_import_triggered(self):
        self.params.set_param(PARAM + "portal_url", "https://portal.example/kbo-open-data")
        calls = []

        def download(url, login, password, dest, since=None, seconds=None, timeout=60):
            calls.append((url, login, password, Path(dest), since, seconds))
            if len(calls) == 1:
                return bce_portal.DownloadStep("part.zip", finished=False, more=True)
            shutil.copy(self.full, Path(dest) / self.full.name)
            return bce_portal.DownloadStep(self.full.name, finished=True, more=False)

        Trigger = self.env["ir.cron.trigger"]
        with patch.object(bce_portal, "download_next_extract", side_effect=download):
            self.run_cron(self.download_cron)
        self.assertEqual(len(calls), 2, "the scheduler calls again while a file remains")
        url, login, password, dest, since, seconds = calls[0]
        self.assertEqual(url, "https://portal.example/kbo-open-data")
        self.assertEqual((login, password), ("customer@example.be", "Pa55-w0rd!"))
        self.assertEqual((dest, since), (self.folder, None))
        self.assertTrue(0 < seconds <= 3600)
        self.assertTrue(Trigger.search_count([("cron_id", "=", self.import_cron.id)]))
        self.assertFalse(self.download_failures())
        self.assertTrue((self.folder / self.full.name).exists())

    def test_only_managers_download(self):
        sales = new_test_user(self.env, "rgpd_sales", groups="rgpd_prospection.group_rgpd_user")
        with (
            patch.object(bce_portal, "download_next_extract") as download,
            self.assertRaises(AccessError),
        ):
            self.Import.with_user(sales).download_next_extract()
        download.assert_not_called()

    def test_no_account_no_download(self):
        self.params.set_param(PARAM + "portal_password", False)
        with patch.object(bce_portal, "download_next_extract") as download:
            self.run_cron(self.download_cron)
        download.assert_not_called()
        self.assertFalse(self.download_failures())
