import base64

from lxml import etree
from odoo.exceptions import UserError
from odoo.service.model import call_kw
from odoo.tests import new_test_user, tagged

from .accountability_case import AccountabilityCase
from .common import CODE_CSV


@tagged("post_install", "-at_install")
class TestButtons(AccountabilityCase):
    """Every ``type="object"`` button of the module's views, clicked as the web
    client clicks it: ``call_kw`` with the record's ids. A button bound to an
    ``@api.model`` method takes the ids for an argument and fails with a
    TypeError; a refusal that explains itself (a UserError) is a click that
    worked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="rgpd_buttons_manager",
            groups="base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_manager",
        )
        cls.company = cls._prospect("Button Clicked SA", email="info@clicked.example")
        cls.entry = cls.Blacklist._add([cls._new_number()], "phone")
        purpose = cls.env.ref("rgpd_prospection.rgpd_purpose_news")
        cls.records = {
            "res.partner": cls.company,
            "rgpd.purpose": purpose,
            "rgpd.blacklist": cls.entry,
            "rgpd.consent": cls.Consent.create(
                {"partner_id": cls.company.id, "purpose_id": purpose.id}
            ),
            "rgpd.request": cls.env["rgpd.request"].create(
                {
                    "request_type": "access",
                    "requester_name": "Reception desk",
                    "partner_id": cls.company.id,
                }
            ),
            "rgpd.bce.import": cls.env["rgpd.bce.import"].create(
                {"state": "confirm", "extract_type": "update", "extract_number": 151}
            ),
            "rgpd.retention.run": cls.env["rgpd.retention.run"].create({}),
            "rgpd.purpose.assessment": purpose.current_assessment_id
            or cls.env["rgpd.purpose.assessment"].create({"purpose_id": purpose.id}),
            "rgpd.processing.record": cls.env["rgpd.processing.record"].search([], limit=1)
            or cls.env["rgpd.processing.record"].create({}),
            "rgpd.bce.import.wizard": cls.env["rgpd.bce.import.wizard"].create({}),
            "rgpd.anonymise.wizard": cls.env["rgpd.anonymise.wizard"].create(
                {"partner_ids": cls.company.ids, "reason": "The company asked for it."}
            ),
            "rgpd.code.import.wizard": cls.env["rgpd.code.import.wizard"].create(
                {"code_file": base64.b64encode(CODE_CSV), "code_filename": "code.csv"}
            ),
            "rgpd.opposition.wizard": cls.env["rgpd.opposition.wizard"].create(
                {"partner_ids": cls.company.ids}
            ),
            "rgpd.dncm.load.wizard": cls.env["rgpd.dncm.load.wizard"].create(
                {
                    "list_file": base64.b64encode(b"0470 12 34 56;2025-03-01\n"),
                    "list_filename": "dncm_2026-12-01.txt",
                }
            ),
            "rgpd.blacklist.lift.wizard": cls.env["rgpd.blacklist.lift.wizard"].create(
                {"blacklist_ids": cls.entry.ids, "reason": "Entered by mistake."}
            ),
        }

    def _object_buttons(self):
        """(model, method) of every object button in the module's views."""
        view_ids = (
            self.env["ir.model.data"]
            .search([("module", "=", "rgpd_prospection"), ("model", "=", "ir.ui.view")])
            .mapped("res_id")
        )
        buttons = set()
        for view in self.env["ir.ui.view"].browse(view_ids):
            if view.type == "qweb":
                continue
            for button in etree.fromstring(view.arch_db).iter("button"):
                if button.get("type") == "object":
                    buttons.add((self._button_model(view, button), button.get("name")))
        return sorted(buttons)

    def _button_model(self, view, button):
        """A button inside a one2many's own list or form belongs to the
        records of that field (a consent's Withdraw on the contact form)."""
        model = view.model
        fields_above = [node.get("name") for node in button.iterancestors() if node.tag == "field"]
        for fname in reversed(fields_above):
            field = self.env[model]._fields.get(fname)
            if field is not None and field.relational:
                model = field.comodel_name
        return model

    def test_every_button_takes_the_record_ids(self):
        buttons = self._object_buttons()
        self.assertGreaterEqual(len(buttons), 25, "the scan finds the module's buttons")
        self.assertIn(("rgpd.bce.import", "action_run_now"), buttons)
        for model, method in buttons:
            with self.subTest(button=f"{model}.{method}"):
                record = self.records.get(model)
                self.assertTrue(record, f"the test has a record to click {model}.{method} on")
                model_as_manager = self.env[model].with_user(self.manager)
                try:
                    with self.env.cr.savepoint():
                        call_kw(model_as_manager, method, [record.ids], {"context": {}})
                except TypeError as error:
                    self.fail(f"{model}.{method} cannot be called with ids: {error}")
                except UserError:
                    continue  # refused with a message the user reads: the click worked
