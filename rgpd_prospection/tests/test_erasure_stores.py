import shutil
import tempfile
from pathlib import Path

from odoo.addons.rgpd_prospection.models.bce_import.settings import PARAM
from odoo.tests import Form, new_test_user, tagged

from .common import RgpdCase
from .import_case import load_generator
from .test_anonymisation import KEPT_COLUMNS, ErasureScan, _unpacked


@tagged("post_install", "-at_install")
class TestErasureStores(ErasureScan, RgpdCase):
    """The erasure reaches the engine's state kept for the next update and
    the notes typed on the opposition entry."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="rgpd_stores_manager",
            groups="base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_manager",
        )
        cls.source = Path(tempfile.mkdtemp(prefix="rgpd_stores_"))
        cls.addClassCleanup(shutil.rmtree, cls.source, True)
        cls.full = load_generator().generate_full(cls.source / "a/", enterprises=120, seed=4)
        cls.env["ir.config_parameter"].set_param(PARAM + "postal_codes", "1000-9999")

    def _holding(self, attachment, text):
        """``text`` in the file or a member of it, as UTF-8 or as NumPy's UTF-32."""
        needles = [text.lower().encode(), text.lower().encode("utf-32-le")]
        contents = [content.lower() for content in _unpacked(attachment.raw)]
        return any(needle in content for needle in needles for content in contents)

    def test_state_and_opposition_note_forget_the_company(self):
        folder = Path(tempfile.mkdtemp(prefix="rgpd_stores_folder_"))
        self.addCleanup(shutil.rmtree, folder, True)
        self.env["ir.config_parameter"].set_param(PARAM + "extract_folder", str(folder))
        shutil.copy(self.full, folder / Path(self.full).name)
        run = self.env["rgpd.bce.import"].run_pending_imports()
        self.assertEqual(run.state, "done", run.error_message)
        company = self.Partner.search(
            [("is_bce_prospect", "=", True), ("email", "!=", False), ("name", "!=", False)],
            limit=1,
        )
        name, email = company.name, company.email
        state = run.state_attachment_id
        self.assertTrue(self._holding(state, email), "the state holds the e-mail before")
        self.assertTrue(self._holding(state, name), "and the name")
        self.env["rgpd.blacklist"]._add(
            [company.bce_number], "phone", f"{name} called: wrote from {email}"
        )
        wizard = Form(
            self.env["rgpd.anonymise.wizard"]
            .with_user(self.manager)
            .with_context(active_model="res.partner", active_ids=company.ids)
        )
        wizard.reason = "Erasure requested by phone"
        wizard.confirm_irreversible = True
        wizard.save().action_confirm()
        self.env.invalidate_all()
        self.assertFalse(self._holding(run.state_attachment_id, email))
        self.assertFalse(self._holding(run.state_attachment_id, name))
        entry = self.env["rgpd.blacklist"].search([("bce_number", "=", company.bce_number)])
        self.assertNotIn(name.lower(), (entry.reason or "").lower())
        self.assertNotIn(email, entry.reason or "")
        self.assertIn("****", entry.reason)
        # nowhere else either: every text, jsonb and bytea column, every file unpacked
        for term in (email, name):
            with self.subTest(term=term):
                left = set(self._tables_holding(term)) - KEPT_COLUMNS
                self.assertEqual(left, set(), f"{term} is still in the database")
                self.assertEqual(self._attachments_holding(term), [])
