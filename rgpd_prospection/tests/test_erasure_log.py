import shutil
import tempfile
from pathlib import Path

from odoo.addons.rgpd_prospection.bce_engine import Perimeter, read_full_extract
from odoo.addons.rgpd_prospection.models.rgpd_blacklist import ERASURE_FIELDS
from odoo.addons.web.controllers.export import CSVExport
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import RgpdCase
from .import_case import PARAM, load_generator

MANAGER_GROUPS = (
    "base.group_user,base.group_partner_manager,base.group_allow_export,"
    "rgpd_prospection.group_rgpd_manager"
)
USER_GROUPS = "base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_user"
CSV_OPTIONS = {
    "quoting": '"',
    "separator": ",",
    "encoding": "utf-8",
    "has_headers": True,
    "datetime_format": "%Y-%m-%d %H:%M:%S",
}
COMPANY = {
    "name": "Zyxwvut Erasable Works",
    "is_company": True,
    "bce_number": "0403170701",
    "email": "office@zyxwvut-erasable.example",
    "phone": "+32 2 511 22 33",
    "street": "Rue Qwertzuiop 12",
    "city": "Plopsaville",
    "website": "https://zyxwvut-erasable.example",
    "rgpd_anonymized": False,
}
PERSON = {
    "name": "Jozefien Vandekerckhove-Zyx",
    "email": "jozefien.vdk@zyxwvut-erasable.example",
    "rgpd_other_phone": "+32 470 12 34 56",
    "rgpd_anonymized": False,
}
ORIGINAL_TERMS = (
    "Zyxwvut",
    "Jozefien",
    "Vandekerckhove",
    "office@",
    "zyxwvut-erasable",
    "511 22 33",
    "+3225112233",
    "470 12 34 56",
    "+32470123456",
    "Qwertzuiop",
)


class ErasureCase(RgpdCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="rgpd_log_manager", name="Erin Manager", groups=MANAGER_GROUPS
        )
        cls.user = new_test_user(cls.env, login="rgpd_log_user", groups=USER_GROUPS)

    def _anonymise(self, partners, env=None):
        env = env or self.env
        wizard_form = Form(
            env["rgpd.anonymise.wizard"]
            .with_user(self.manager)
            .with_context(active_model="res.partner", active_ids=partners.ids)
        )
        wizard_form.reason = "Erasure requested by registered letter"
        wizard_form.request_reference = "REQ-2025-017"
        wizard_form.confirm_irreversible = True
        wizard_form.save().action_confirm()


@tagged("post_install", "-at_install")
class TestErasureLog(ErasureCase):
    """The erasure log on the blacklist entry: masked, managers only,
    exported and imported with the list, and re-applied after a restore."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.Partner.create(COMPANY)
        cls.person = cls.Partner.create(dict(PERSON, parent_id=cls.company.id))

    def _entry(self, number="0403170701"):
        return self.Blacklist.with_context(active_test=False).search([("bce_number", "=", number)])

    def _restore(self):
        """What restoring a backup taken before the erasure does: the data and
        the chatter are back, the blacklist entry is not there."""
        self.company.with_context(mail_notrack=True).write(COMPANY)
        self.person.with_context(mail_notrack=True).write(PERSON)
        self.company.message_post(
            body="Called Jozefien Vandekerckhove-Zyx", subtype_xmlid="mail.mt_note"
        )
        entry = self._entry()
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM ir_model_data WHERE model = 'rgpd.blacklist'")
        self.env.cr.execute("DELETE FROM rgpd_blacklist WHERE id = %s", [entry.id])
        self.env.invalidate_all()
        self.assertFalse(self._entry())

    def _export_csv(self, entries):
        """The CSV Odoo's export dialog writes, import-compatible, with the
        fields it proposes by default."""
        proposed = [
            fname
            for fname, field in entries.fields_get(attributes=["default_export_compatible"]).items()
            if field.get("default_export_compatible")
        ]
        self.assertTrue({"bce_number", "channel", "date", "reason"} <= set(proposed))
        fields = ["id", *proposed]
        rows = entries.with_context(import_compat=True).export_data(fields)["datas"]
        return fields, CSVExport().from_data(fields, fields, rows)

    def _import_csv(self, fields, data, user):
        wizard = (
            self.env["base_import.import"]
            .with_user(user)
            .create({"res_model": "rgpd.blacklist", "file": data, "file_type": "text/csv"})
        )
        return wizard.execute_import(fields, fields, dict(CSV_OPTIONS))

    def test_log_holds_masked_values_only(self):
        self._anonymise(self.person)
        entry = self._entry().with_user(self.manager)
        self.assertTrue(entry.erased)
        self.assertTrue(entry.erasure_date)
        self.assertEqual(entry.erasure_user_name, "Erin Manager")
        self.assertEqual(entry.erasure_reason, "Erasure requested by registered letter")
        self.assertEqual(entry.erasure_request_reference, "REQ-2025-017")
        masked = entry.erasure_masked_values
        for shown in ("Z*** E*** W***", "J*** V***", "o***@z***.example", "+32***56", "+32***33"):
            self.assertIn(shown, masked)
        logged = " ".join(str(entry[fname]) for fname in ERASURE_FIELDS)
        for term in ORIGINAL_TERMS:
            self.assertNotIn(term.lower(), logged.lower())

    def _tracking_values_holding(self, term):
        self.env.cr.execute(
            """SELECT count(*) FROM mail_tracking_value
               WHERE old_value_char ILIKE %s OR new_value_char ILIKE %s""",
            [f"%{term}%", f"%{term}%"],
        )
        return self.env.cr.fetchone()[0]

    def test_erasure_leaves_no_tracking_value(self):
        tracked_env = self.env(context=dict(self.env.context, tracking_disable=False))
        tracked = self.company.with_env(tracked_env)
        self.env.cr.precommit.run()  # what the creation left pending would stop the tracking
        tracked.write({"phone": "+32 2 511 22 34"})
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.assertEqual(self._tracking_values_holding("511 22 3"), 1, "tracking is on here")
        self._anonymise(self.company, env=tracked_env)
        self.env.flush_all()
        self.env.cr.precommit.run()
        for term in ("Zyxwvut", "511 22 3", "zyxwvut-erasable"):
            self.assertEqual(self._tracking_values_holding(term), 0, term)

    def test_managers_read_the_log_users_cannot(self):
        self._anonymise(self.company)
        entry = self._entry()
        self.assertEqual(
            entry.with_user(self.user).read(["bce_number"])[0]["bce_number"], "0403170701"
        )
        with self.assertRaises(AccessError):
            entry.with_user(self.user).read(["erasure_masked_values"])
        with self.assertRaises(AccessError):
            self.Blacklist.with_user(self.user).search([("erased", "=", True)])
        self.assertFalse(set(ERASURE_FIELDS) & set(entry.with_user(self.user).fields_get()))
        with self.assertRaises(AccessError):
            self.Blacklist.with_user(self.user).reapply_erasures()
        values = entry.with_user(self.manager).read(list(ERASURE_FIELDS))[0]
        self.assertEqual(values["erasure_request_reference"], "REQ-2025-017")

    def test_restored_copy_is_erased_again_after_importing_the_export(self):
        self._anonymise(self.company)
        entry = self._entry()
        logged = entry.read(list(ERASURE_FIELDS))[0]
        fields, data = self._export_csv(entry.with_user(self.manager))
        self.assertTrue(set(ERASURE_FIELDS) <= set(fields), "the export proposes the log")

        self._restore()
        self.assertEqual(self.company.name, COMPANY["name"])
        self.assertFalse(self.company.rgpd_opted_out)

        result = self._import_csv(fields, data, self.manager)
        self.assertFalse(result["messages"])
        entry = self._entry()
        self.assertEqual(entry.read(list(ERASURE_FIELDS))[0], dict(logged, id=entry.id))
        self.assertTrue(self.company.rgpd_opted_out)
        self.assertEqual(self.company.name, COMPANY["name"], "importing alone erases nothing")

        logs_before = self.env["privacy.log"].search_count([])
        reapplied = self.Blacklist.with_user(self.manager).reapply_erasures()
        self.assertEqual(reapplied, entry)
        for partner in (self.company, self.person):
            self.assertEqual(partner.name, "****")
            self.assertFalse(
                partner.email or partner.phone or partner.rgpd_other_phone or partner.website
            )
            self.assertTrue(partner.rgpd_anonymized)
        self.assertEqual(self.company.street, "****")
        self.assertFalse(
            self.env["mail.message"].search([("body", "ilike", "Jozefien")]),
            "the restored chatter is erased too",
        )
        self.assertEqual(self.env["privacy.log"].search_count([]), logs_before + 1)
        self.assertEqual(entry.read(list(ERASURE_FIELDS))[0], dict(logged, id=entry.id))
        self.assertIn("erased again by Erin Manager", entry.message_ids[0].body)

        self.assertFalse(self.Blacklist.with_user(self.manager).reapply_erasures())
        self.assertEqual(self.env["privacy.log"].search_count([]), logs_before + 1)

    def test_reapply_touches_only_erased_companies_that_got_data_back(self):
        other = self.Partner.create(
            {"name": "Second Erased", "is_company": True, "bce_number": "0200065765"}
        )
        objector = self.Blacklist._add(["0417497106"], "phone", "Objected")
        self._anonymise(self.company | other)
        self.assertFalse(self.Blacklist.reapply_erasures(), "nothing came back")

        self.person.write({"email": "new.contact@zyxwvut-erasable.example"})
        other.write({"name": "Second Erased"})
        self.assertEqual(
            self.Blacklist.reapply_erasures(), self._entry() | self._entry("0200065765")
        )
        self.assertFalse(self.person.email)
        self.assertEqual(other.name, "****")
        self.assertFalse(objector.erased)

        self.Blacklist._remove(["0200065765"], "New documented consent")
        self.assertFalse(self._entry("0200065765").erased, "a lifted erasure is not re-applied")
        other.write({"name": "Consented Again"})
        self.assertFalse(self.Blacklist.reapply_erasures())
        self.assertEqual(other.name, "Consented Again")

    def test_button_reports_what_it_did(self):
        self._anonymise(self.company)
        action = self.Blacklist.with_user(self.manager).action_reapply_erasures()
        self.assertIn("nothing to do", action["params"]["message"])
        self.company.write({"name": COMPANY["name"]})
        action = self.Blacklist.with_user(self.manager).action_reapply_erasures()
        self.assertIn("1 companies", action["params"]["message"])
        self.assertEqual(self.company.name, "****")


@tagged("post_install", "-at_install")
class TestErasureAndBceImport(ErasureCase):
    """A company erased after an import stays erased through later extracts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Import = cls.env["rgpd.bce.import"]
        synth = load_generator()
        cls.source = Path(tempfile.mkdtemp(prefix="rgpd_erasure_test_"))
        cls.addClassCleanup(shutil.rmtree, cls.source, True)
        cls.full = synth.generate_full(cls.source / "a/", enterprises=80, seed=5)
        cls.update, cls.later_full = synth.generate_update(cls.full, cls.source / "b", seed=6)
        cls.env["ir.config_parameter"].set_param(PARAM + "postal_codes", "1000-9999")

    def setUp(self):
        super().setUp()
        self.folder = Path(tempfile.mkdtemp(prefix="rgpd_erasure_folder_"))
        self.addCleanup(shutil.rmtree, self.folder, True)
        self.env["ir.config_parameter"].set_param(PARAM + "extract_folder", str(self.folder))

    def _import(self, path):
        shutil.copy(path, self.folder / Path(path).name)
        records = self.Import.run_pending_imports()
        self.assertEqual(set(records.mapped("state")), {"done"}, records.mapped("error_message"))

    def _companies(self, path):
        result = read_full_extract(path)
        return {c.bce_number: c for c in result.companies(Perimeter(postal_codes="1000-9999"))}

    def _erased_company(self):
        """An imported company the later full still holds, with an e-mail or
        phone, anonymised."""
        later = self._companies(self.later_full)
        number = next(
            number
            for number, company in sorted(self._companies(self.full).items())
            if number in later and later[number].name and (company.emails or company.phones)
        )
        company = self.Partner.search([("bce_number", "=", number)])
        self.assertEqual(len(company), 1)
        self._anonymise(company)
        return company, later[number]

    def _assert_erased(self, company):
        everyone = self.Partner.with_context(active_test=False)
        self.assertEqual(everyone.search([("bce_number", "=", company.bce_number)]), company)
        self.assertEqual(company.name, "****")
        self.assertFalse(company.email or company.phone)
        self.assertTrue(company.rgpd_anonymized)

    def test_new_extract_does_not_bring_an_erased_company_back(self):
        self._import(self.full)
        company, later = self._erased_company()
        self._import(self.update)
        self._assert_erased(company)
        self.assertNotEqual(company.name, later.name)

    def test_each_bce_import_reapplies_erasures(self):
        self._import(self.full)
        company, later = self._erased_company()
        company.write({"name": later.name, "email": "restored@erased.example"})
        self._import(self.update)
        self._assert_erased(company)
