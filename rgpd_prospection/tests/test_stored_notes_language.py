import shutil
import tempfile
from pathlib import Path

from odoo.addons.mail.tests.common import MockEmail
from odoo.tests import new_test_user, tagged
from odoo.tools import format_date

from .accountability_case import AccountabilityCase
from .import_case import PARAM, load_generator
from .test_import_funnel import load_french_and_dutch
from .test_purpose_assessment import complete


def notes(partner):
    return " ".join(str(body) for body in partner.message_ids.mapped("body"))


@tagged("post_install", "-at_install")
class TestStoredNotesLanguage(AccountabilityCase, MockEmail):
    """A note is stored once: triggered by a user of one language, it is
    read by users of another. About a company it is in the language of the
    company's salesperson, else the company's; about no one company, in the
    installation's main language; never half in one, half in another."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_french_and_dutch(cls.env)
        cls.french = new_test_user(
            cls.env,
            login="h23_french_manager",
            lang="fr_BE",
            groups="base.group_user,rgpd_prospection.group_rgpd_manager",
        )
        cls.dutch = new_test_user(
            cls.env,
            login="h23_dutch_manager",
            lang="nl_BE",
            groups="base.group_user,rgpd_prospection.group_rgpd_manager",
        )
        cls.env.ref("base.main_company").partner_id.lang = "fr_BE"

    def _unsubscribe(self, company, user):
        """What the public page does, started here by ``user``."""
        Blacklist = self.env["rgpd.blacklist"].with_user(user).with_context(lang=user.lang)
        return Blacklist.sudo()._add_from_unsubscribe(company.email)

    def test_unsubscribe_note_in_the_salespersons_language(self):
        company = self._prospect(
            "Bezwaar NV", email="info@bezwaar.example", lang="nl_BE", user_id=self.french.id
        )
        self._unsubscribe(company, self.dutch)
        body = notes(company)
        self.assertIn("Opposition à la prospection enregistrée", body)
        self.assertNotIn("Opposition to prospecting", body)
        self.assertNotIn("Bezwaar tegen prospectie", body)

    def test_unsubscribe_note_in_the_companys_language_without_salesperson(self):
        company = self._prospect("Refus SA", email="info@refus.example", lang="nl_BE")
        self._unsubscribe(company, self.french)
        body = notes(company)
        self.assertNotIn("Opposition to prospecting", body)
        self.assertNotIn("Opposition à la prospection", body)
        self.assertIn("Bezwaar tegen prospectie geregistreerd", body)

    def test_acknowledgement_said_sent_only_once_it_left(self):
        company = self._prospect("Sent SA", email="info@sent.example", lang="en_US")
        with self.mock_mail_gateway():
            self._unsubscribe(company, self.french)
        self.assertIn("Acknowledgement of the opposition sent by e-mail", notes(company))
        self.assertEqual(len(self._new_mails.filtered(lambda m: m.state == "sent")), 1)
        # sending disabled (as in tests): the mail waits, and the note says so
        queued = self._prospect("Queued SA", email="info@queued.example", lang="en_US")
        self._unsubscribe(queued, self.french)
        body = notes(queued)
        self.assertIn("queued for sending by e-mail to info@queued.example", body)
        self.assertNotIn("sent by e-mail", body)

    def test_assessment_creation_note_in_one_language(self):
        purpose = (
            self.Purpose.with_user(self.dutch)
            .with_context(lang="nl_BE", tracking_disable=False)
            .create({"name": "Webinars", "is_default": False})
        )
        draft = purpose.sudo().assessment_ids
        bodies = " ".join(str(body) for body in draft.message_ids.mapped("body"))
        self.assertIn("Évaluation de l'intérêt légitime créée (version 1).", bodies)
        self.assertNotIn("Legitimate-interest assessment", bodies)
        self.assertNotIn("aangemaakt", bodies)

    def test_record_of_processing_quotes_the_assessment_in_its_language(self):
        purpose = self.Purpose.with_user(self.french).create(
            {"name": "Webinars", "is_default": False}
        )
        draft = purpose.sudo().assessment_ids
        complete(draft)
        record = self.env["rgpd.processing.record"].with_context(lang="nl_BE").create({})
        lines = " ".join(line for _title, items in record._sections() for line in items)
        dutch = draft.with_context(lang="nl_BE")
        english = draft.with_context(lang="en_US")
        self.assertNotEqual(dutch.necessity, english.necessity)
        self.assertIn(dutch.necessity, lines)
        self.assertNotIn(english.necessity, lines)
        self.assertIn(format_date(record.env, draft.date), lines)
        self.assertNotIn(draft.date.isoformat(), lines)

    def test_language_added_later_gets_the_drafted_texts(self):
        purpose = self.Purpose.create({"name": "Events", "is_default": False})
        draft = purpose.assessment_ids
        draft.with_context(lang="nl_BE").update_field_translations("necessity", {"nl_BE": False})
        self.assertEqual(
            draft.with_context(lang="nl_BE").necessity, draft.with_context(lang="en_US").necessity
        )
        self.env["ir.module.module"]._load_module_terms(["rgpd_prospection"], ["nl_BE"])
        self.assertEqual(
            draft.with_context(lang="nl_BE").necessity,
            draft.with_context(lang="nl_BE")._default_values(purpose)["necessity"],
        )
        self.assertNotEqual(
            draft.with_context(lang="nl_BE").necessity, draft.with_context(lang="en_US").necessity
        )

    def test_import_note_in_the_main_language_whoever_started_it(self):
        synth = load_generator()
        source = Path(tempfile.mkdtemp(prefix="rgpd_notes_"))
        self.addCleanup(shutil.rmtree, source, True)
        full = synth.generate_full(source / "a/", enterprises=120, seed=1)
        update, _later = synth.generate_update(full, source / "b", seed=2)
        folder = source / "in"
        folder.mkdir()
        params = self.env["ir.config_parameter"]
        params.set_param(PARAM + "postal_codes", "1000-9999")
        params.set_param(PARAM + "extract_folder", str(folder))
        Import = self.env["rgpd.bce.import"].with_user(self.dutch).with_context(lang="nl_BE")
        for path in (full, update):
            shutil.copy(path, folder / Path(path).name)
            self.assertEqual(Import.run_pending_imports()[-1:].state, "done")
        record = self.env["rgpd.bce.import"].search([], order="id desc", limit=1)
        touched = self.Partner.with_context(active_test=False).search(
            [
                "|",
                ("rgpd_bce_import_updated_ids", "in", record.ids),
                ("rgpd_bce_import_archived_ids", "in", record.ids),
            ]
        )
        self.assertTrue(touched, "the generated update changes some prospects")
        body = notes(touched[0])
        self.assertIn("L'import BCE de l'extrait", body)
        self.assertNotIn("KBO-invoer", body)
        self.assertNotIn("The BCE import", body)
