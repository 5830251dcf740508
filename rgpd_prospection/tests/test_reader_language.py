from markupsafe import escape
from odoo.tests import tagged

from ..models.rgpd_purpose_assessment import ASSESSMENT_PARTS
from .accountability_case import AccountabilityCase
from .test_import_funnel import load_french_and_dutch
from .test_purpose_assessment import complete


@tagged("post_install", "-at_install")
class TestAssessmentInTheReadersLanguage(AccountabilityCase):
    """The assessment's parts are named once each, and its texts, quoted by
    the notice, exist in each language as the purpose's name does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_french_and_dutch(cls.env)
        cls.purpose = cls.Purpose.create({"name": "Webinars", "is_default": False})
        cls.draft = cls.purpose.assessment_ids

    def test_each_part_has_its_own_label(self):
        for lang in ("en_US", "fr_BE", "nl_BE"):
            with self.subTest(lang=lang):
                env = self.env(context=dict(self.env.context, lang=lang))
                fields_ = env["rgpd.purpose.assessment"]._fields
                labels = [fields_[f].get_description(env)["string"] for f in ASSESSMENT_PARTS]
                self.assertEqual(len(set(labels)), len(labels), labels)
        self.draft.write({"outcome": False, "conclusion": False})
        missing = self.draft.with_context(lang="fr_BE")._missing_parts()
        self.assertEqual(missing[-2:], ["Résultat de la mise en balance", "Conclusion"])

    def test_the_notice_quotes_the_interest_in_the_prospects_language(self):
        self.draft.with_context(lang="en_US").interest = "Offering our webinars to companies"
        self.draft.with_context(lang="fr_BE").interest = "Proposer nos webinaires aux entreprises"
        complete(self.draft)
        french = self._prospect(
            "Webinaire SA",
            email="info@webinaire.example",
            lang="fr_BE",
            rgpd_purpose_ids=[(6, 0, self.purpose.ids)],
        )
        template = self.env.ref("rgpd_prospection.rgpd_notice_mail_template")
        rendered = template._generate_template(french.ids, ["body_html"])[french.id]["body_html"]
        body = " ".join(str(rendered).split())
        self.assertIn(str(escape("Proposer nos webinaires aux entreprises")), body)
        self.assertNotIn("Offering our webinars", body)
        self.assertEqual(
            self.draft.with_context(lang="en_US").interest, "Offering our webinars to companies"
        )
