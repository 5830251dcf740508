import importlib.util
import io
import json
from pathlib import Path

from markupsafe import escape
from odoo import fields
from odoo.addons.mail.tests.common import MockEmail
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import format_date
from openpyxl import load_workbook

from .accountability_case import AccountabilityCase

MIGRATION = (
    Path(__file__).resolve().parent.parent
    / "migrations"
    / "18.0.1.2.0"
    / "post-purpose-assessments.py"
)


def complete(assessment, outcome="favourable"):
    assessment.write({"outcome": outcome, "conclusion": "Business offers to companies only."})
    assessment.action_complete()
    return assessment


@tagged("post_install", "-at_install")
class TestPurposeAssessment(AccountabilityCase, MockEmail):
    """The legitimate-interest assessment of each purpose: pre-filled, only
    completed by a manager, versioned, and required by every mailing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dpo = new_test_user(
            cls.env,
            login="rgpd_lia_dpo",
            groups="base.group_user,rgpd_prospection.group_rgpd_manager,"
            "mass_mailing.group_mass_mailing_user",
        )
        cls.sales = new_test_user(
            cls.env,
            login="rgpd_lia_sales",
            groups="base.group_user,rgpd_prospection.group_rgpd_user,"
            "mass_mailing.group_mass_mailing_user",
        )
        cls.employee = new_test_user(cls.env, login="rgpd_lia_employee", groups="base.group_user")
        cls.purpose = cls.Purpose.create(
            {
                "name": "Webinars on cloud hosting",
                "description": "Inviting companies to our webinars on cloud hosting.",
                "is_default": False,
            }
        )
        cls.draft = cls.purpose.assessment_ids
        cls.prospect = cls._prospect(
            "Acme Assessed",
            email="info@acme-assessed.example",
            rgpd_purpose_ids=[(6, 0, cls.purpose.ids)],
        )
        cls.mailing = cls.env["mailing.mailing"].create(
            {
                "subject": "Our webinar",
                "body_html": "<p>Join us</p>",
                "mailing_type": "mail",
                "email_from": "sales@seller.example",
                "mailing_model_id": cls.env["ir.model"]._get_id("res.partner"),
                "mailing_domain": repr([("id", "=", cls.prospect.id)]),
                "rgpd_purpose_id": cls.purpose.id,
            }
        )

    def _snapshot(self):
        self.env.invalidate_all()
        return (
            self.mailing.read(["state", "schedule_date", "rgpd_assessment_id"]),
            self.env["mailing.trace"].search_count([("mass_mailing_id", "=", self.mailing.id)]),
            self.env["mail.mail"].search_count([("mailing_id", "=", self.mailing.id)]),
        )

    def test_a_new_purpose_gets_a_prefilled_draft(self):
        self.assertEqual(len(self.draft), 1)
        self.assertEqual((self.draft.state, self.draft.version), ("draft", 1))
        self.assertIn("cloud hosting", self.draft.interest)
        self.assertIn("36 months", self.draft.retention)
        for fname in ("necessity", "data_kept", "bce_source", "business_contacts_only", "opt_out"):
            self.assertTrue(self.draft[fname], fname)
        self.assertFalse(self.draft.outcome, "the outcome is the manager's to write")
        self.assertFalse(self.purpose.current_assessment_id)

    def test_installed_purposes_have_drafts(self):
        for purpose in self.Purpose.search([("legal_basis", "=", "legitimate_interest")]):
            self.assertTrue(purpose.assessment_ids, purpose.name)

    def test_migration_prefills_purposes_without_assessment(self):
        purpose = self.Purpose.create({"name": "Old purpose", "is_default": False})
        purpose.assessment_ids.unlink()
        self.assertFalse(purpose.assessment_ids)
        spec = importlib.util.spec_from_file_location("post_purpose_assessments", MIGRATION)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.migrate(self.env.cr, "18.0.1.1.0")
        self.env.invalidate_all()
        self.assertEqual(purpose.assessment_ids.state, "draft")
        self.assertEqual(len(self.draft.purpose_id.assessment_ids), 1, "no second draft")

    def test_without_a_completed_assessment_no_door_sends_the_mailing(self):
        before = self._snapshot()
        doors = [
            self.mailing.action_launch,
            self.mailing.action_put_in_queue,
            self.mailing.action_schedule,
            self.mailing.action_test,
            self.mailing.action_send_mail,
        ]
        for door in doors:
            with self.subTest(door=door.__name__):
                with self.assertRaisesRegex(UserError, "Webinars on cloud hosting") as caught:
                    door()
                self.assertIn("not completed", str(caught.exception))
                self.assertIn("Outcome", str(caught.exception), "it names what is missing")
        with self.assertRaises(UserError):
            self.mailing.with_user(self.sales).action_launch()
        test_wizard = self.env["mailing.mailing.test"].create(
            {"mass_mailing_id": self.mailing.id, "email_to": "me@seller.example"}
        )
        with self.assertRaises(UserError):
            test_wizard.send_mail_test()
        sms_mailing = self.mailing.copy(
            {"mailing_type": "sms", "body_plaintext": "Join us", "subject": "SMS webinar"}
        )
        sms_test = self.env["mailing.sms.test"].create(
            {"mailing_id": sms_mailing.id, "numbers": "+32470999999"}
        )
        with self.assertRaisesRegex(UserError, "not completed"):
            sms_test.action_send_sms()
        with self.assertRaisesRegex(UserError, "not completed"):
            sms_mailing.action_send_sms()
        self.assertFalse(self.env["sms.sms"].search([("number", "=", "+32470999999")]))
        self.assertFalse(sms_mailing.mailing_trace_ids)
        self.assertEqual(self._snapshot(), before)

    def test_an_unfavourable_outcome_blocks_too(self):
        complete(self.draft, "unfavourable")
        with self.assertRaisesRegex(UserError, "interests prevail"):
            self.mailing.action_launch()

    def test_a_queued_mailing_waits_for_the_assessment(self):
        """A mailing queued before the upgrade: the queue leaves it waiting
        and still sends the others."""
        other = self.mailing.copy({"rgpd_purpose_id": False, "subject": "Other"})
        (self.mailing | other).write({"state": "in_queue"})
        with self.mock_mail_gateway():
            self.run_cron(self.env.ref("mass_mailing.ir_cron_mass_mailing_queue"))
        self.assertFalse(self.mailing.mailing_trace_ids)
        self.assertIn(self.mailing.state, ("in_queue", "sending"))
        self.assertEqual(other.state, "done")
        complete(self.draft)
        with self.mock_mail_gateway():
            self.run_cron(self.env.ref("mass_mailing.ir_cron_mass_mailing_queue"))
        self.assertEqual(self.mailing.state, "done")
        self.assertEqual(self.mailing.rgpd_assessment_id, self.draft)

    def test_completing_needs_every_part_and_a_manager(self):
        self.draft.interest = False
        with self.assertRaisesRegex(UserError, "Interest pursued.*Outcome"):
            self.draft.action_complete()
        self.assertEqual(self.draft.state, "draft")
        self.draft.interest = "Offering our hosting"
        with self.assertRaises(AccessError):
            self.draft.with_user(self.sales).write({"outcome": "favourable"})
        self.draft.write({"outcome": "favourable", "conclusion": "B2B only."})
        with self.assertRaises(AccessError):
            self.draft.with_user(self.sales).action_complete()
        with self.assertRaises(UserError):
            self.draft.with_user(self.dpo).write({"state": "done"})
        with self.assertRaises(AccessError):
            self.draft.with_user(self.employee).read(["interest"])
        self.assertEqual(self.draft.state, "draft")
        complete(self.draft.with_user(self.dpo))
        self.assertEqual(self.draft.state, "done")
        self.assertEqual(self.draft.author_id, self.dpo)
        self.assertTrue(self.draft.date)
        self.assertEqual(self.purpose.current_assessment_id, self.draft)

    def test_revising_keeps_earlier_versions_and_each_mailing_its_own(self):
        first = complete(self.draft)
        with self.assertRaisesRegex(UserError, "revise"):
            first.interest = "Changed afterwards"
        with self.assertRaises(UserError):
            first.unlink()
        with self.mock_mail_gateway():
            self.mailing.action_send_mail()
        self.assertEqual(self.mailing.rgpd_assessment_id, first)

        action = first.action_revise()
        second = self.env["rgpd.purpose.assessment"].browse(action["res_id"])
        self.assertEqual((second.version, second.state), (2, "draft"))
        self.assertEqual(second.interest, first.interest)
        self.assertEqual(self.purpose.current_assessment_id, first, "a draft is not in force")
        second.write({"retention": "24 months after the last contact."})
        second.action_complete()
        self.assertEqual(self.purpose.current_assessment_id, second)
        self.assertEqual(first.state, "done")
        self.assertEqual(self.purpose.assessment_ids, first | second)

        later = self.mailing.copy()
        with self.mock_mail_gateway():
            later.action_send_mail()
        self.assertEqual(later.rgpd_assessment_id, second)
        self.assertEqual(self.mailing.rgpd_assessment_id, first)

    def test_record_of_processing_shows_the_assessment(self):
        record = self.env["rgpd.processing.record"].with_user(self.dpo).create({})
        lines = dict(record._sections())["Legitimate-interest assessments"]
        self.assertIn("Webinars on cloud hosting: assessment not completed yet", " ".join(lines))
        complete(self.draft)
        lines = " ".join(dict(record._sections())["Legitimate-interest assessments"])
        self.assertIn("Webinars on cloud hosting: version 1", lines)
        self.assertIn("The legitimate interest prevails", lines)
        self.assertIn(self.draft.interest, lines)
        self.assertIn(self.draft.necessity, lines)
        self.assertIn(self.draft.opt_out, lines)
        self.assertIn(self.draft.author_id.name, lines)

        action = record.action_export_xlsx()
        attachment = self.env["ir.attachment"].browse(
            int(action["url"].split("/web/content/")[1].split("?")[0])
        )
        sheet = load_workbook(io.BytesIO(attachment.raw)).active
        contents = dict(sheet.iter_rows(values_only=True))
        self.assertIn(self.draft.interest, contents["Legitimate-interest assessments"])
        self.assertIn("version 1", contents["Legitimate-interest assessments"])

        html, _format = self.env["ir.actions.report"]._render_qweb_html(
            "rgpd_prospection.rgpd_processing_record_report", record.ids
        )
        self.assertIn(str(escape(self.draft.interest)), html.decode())
        self.assertIn("Legitimate-interest assessments", html.decode())

    def test_notice_states_the_interest_and_offers_the_assessment(self):
        template = self.env.ref("rgpd_prospection.rgpd_notice_mail_template")
        complete(self.draft)
        html = template._render_field("body_html", self.prospect.ids)[self.prospect.id]
        body = " ".join(html.split())
        self.assertIn(str(escape(self.draft.interest)), body)
        self.assertIn("assessment, which is available on request", body)


@tagged("post_install", "-at_install")
class TestDataSource(AccountabilityCase):
    """The access export and the record of processing name the BCE source
    and the date of the data: the last import applied."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls._prospect(
            "Acme Source", bce_extract_number=140, bce_snapshot_date="2025-06-01"
        )
        attachment = cls.env["ir.attachment"].create({"name": "state.npz", "raw": b"x"})
        cls.env["rgpd.bce.import"].create(
            {
                "extract_type": "update",
                "extract_number": 163,
                "snapshot_date": "2025-09-14",
                "state": "done",
                "state_attachment_id": attachment.id,
            }
        )

    def test_access_export_names_the_last_extract_applied(self):
        sections = self.env["rgpd.access.report"]._collect(self.company)
        rows = next(s for s in sections if s["key"] == "source")["rows"]
        source = {row[0]: row[1] for row in rows}
        self.assertIn("BCE/KBO", source["Source of the data"])
        self.assertEqual(source["Last BCE extract applied"], 163)
        self.assertEqual(source["Its snapshot date"], "2025-09-14")
        self.assertIn("natural persons", source["Licence"])
        data = json.loads(self.env["rgpd.access.report"]._to_json(sections))
        self.assertIn({"Field": "Last BCE extract applied", "Value": 163}, data["source"])

    def test_record_of_processing_names_the_last_extract_applied(self):
        record = self.env["rgpd.processing.record"].create({})
        source = " ".join(dict(record._sections())["Source"])
        snapshot = format_date(self.env, fields.Date.to_date("2025-09-14"))
        self.assertIn(f"number 163 of {snapshot}", source)
        self.assertIn("licence", source)
