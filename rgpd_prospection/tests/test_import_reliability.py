"""The import never mixes extracts, never stalls on one bad file, and refuses
what it cannot trust: each class through the wizard and through
the cron as Odoo's scheduler runs it, the contacts compared before and after
every refused or failed file."""

import base64
import shutil
import tempfile
import unittest
import zipfile
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

from odoo import fields
from odoo.addons.rgpd_prospection.bce_engine import Perimeter, read_full_extract
from odoo.addons.rgpd_prospection.models.bce_import import partner_sync, rgpd_bce_import
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged

from .import_case import PARAM, ImportCase
from .test_bce_import import rewrite_member

CRON = "rgpd_prospection.ir_cron_rgpd_bce_import"


def _local_data_offset(data, info):
    """Where the bytes of a member start: after its local header."""
    start = info.header_offset
    name_length = int.from_bytes(data[start + 26 : start + 28], "little")
    extra_length = int.from_bytes(data[start + 28 : start + 30], "little")
    return start + 30 + name_length + extra_length


def damage_member(source, target, member, stored):
    """A copy of ``source`` whose ``member`` has bytes changed after it was
    written: stored, a CRC error; deflated, corrupt compressed data."""
    compression = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(
                info.filename,
                old.read(info.filename),
                compress_type=compression if info.filename == member else zipfile.ZIP_DEFLATED,
            )
    data = bytearray(Path(target).read_bytes())
    with zipfile.ZipFile(target) as archive:
        info = archive.getinfo(member)
    start = _local_data_offset(data, info)
    middle = start + info.compress_size // 2
    for position in range(middle, min(middle + 8, start + info.compress_size)):
        data[position] ^= 0x5A
    Path(target).write_bytes(bytes(data))
    return target


def headers_only(source, target):
    """A full extract whose tables hold only their header line."""
    keep = {"meta.csv", "code.csv"}

    def strip(data):
        return data.split(b"\n", 1)[0] + b"\n"

    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info.filename, data if info.filename in keep else strip(data))
    return target


@tagged("post_install", "-at_install")
class TestImportReliability(ImportCase):
    extract_updates = 2

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cron = cls.env.ref(CRON)
        cls.manager = new_test_user(
            cls.env,
            login="rgpd_reliability_dpo",
            groups="base.group_system,rgpd_prospection.group_rgpd_manager",
        )

    def setUp(self):
        super().setUp()
        self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]).unlink()

    # -- helpers

    def put(self, path, name=None):
        target = self.folder / (name or Path(path).name)
        shutil.copy(path, target)
        return target

    def prospects(self, active=True):
        return self.Partner.with_context(active_test=False).search(
            [("is_bce_prospect", "=", True), ("active", "=", active)]
        )

    def expected(self, zip_path):
        result = read_full_extract(zip_path)
        return {c.bce_number for c in result.companies(Perimeter(postal_codes="1000-9999"))}

    def partners_checksum(self):
        """Every partner's row, so that any change shows."""
        self.env.flush_all()
        self.env.cr.execute(
            """SELECT md5(string_agg(row_text, '|' ORDER BY id)) FROM (
                   SELECT id, (p.*)::text AS row_text FROM res_partner p) rows"""
        )
        return self.env.cr.fetchone()[0]

    def run_scheduler(self):
        self.run_cron(self.cron)

    def wizard_upload(self, path, name=None, user=None):
        Wizard = self.env["rgpd.bce.import.wizard"].with_user(user or self.manager)
        wizard = Form(Wizard)
        wizard.extract_file = base64.b64encode(Path(path).read_bytes())
        wizard = wizard.save()
        wizard.extract_filename = name or Path(path).name
        return wizard.action_import()

    def wizard_pick(self, name, user=None):
        Wizard = self.env["rgpd.bce.import.wizard"].with_user(user or self.manager)
        wizard = Form(Wizard)
        wizard.source = "folder"
        wizard.folder_file = name
        return wizard.save().action_import()

    def apply_full(self):
        self.put(self.full)
        record = self.Import.run_pending_imports()
        self.assertEqual(record.state, "done", record.error_message)
        return record

    # -- one import at a time, across all its steps

    def test_one_import_at_a_time_across_its_steps(self):
        self.put(self.full)
        first = self.Import.run_pending_imports(max_steps=2)
        self.assertEqual(first.state, "ready", "the scheduled import waits between steps")
        self.put(self.later_full, "waiting.zip")
        before, records = self.partners_checksum(), self.Import.search([])
        for start in (
            lambda: self.wizard_upload(self.later_full),
            lambda: self.wizard_pick("waiting.zip"),
        ):
            with self.assertRaises(UserError) as refusal:
                start()
            self.assertIn(first.name, str(refusal.exception))
            self.assertIn(first.file_name, str(refusal.exception))
            self.assertEqual(self.Import.search([]), records)
            self.assertEqual(self.partners_checksum(), before)
        # PostgreSQL refuses a second import under way, even one a
        # transaction cannot see yet
        with self.assertRaises(UserError):
            self.Import._open({"file_name": "other.zip", "state": "running"})
        # the scheduler finishes the import under way, then applies the later full
        self.run_scheduler()
        self.assertEqual(first.state, "done", first.error_message)
        later = self.Import.search([("extract_number", "=", 148)])
        self.assertEqual(later.mapped("state"), ["done"], later.error_message)
        self.assertEqual(set(self.prospects().mapped("bce_number")), self.expected(self.later_full))

    def test_an_import_started_by_another_transaction_blocks(self):
        """The race of the issue: another transaction starts an import and
        commits after this one took its snapshot, so that this one cannot see
        it. PostgreSQL still refuses a second import under way."""
        self.put(self.full)
        before = self.partners_checksum()
        # a transaction of its own, not one the test mode wraps
        with self.registry._db.cursor() as other:
            other.execute(
                "INSERT INTO rgpd_bce_import (state, file_name) VALUES ('running', 'other.zip')"
            )
            other.commit()
            try:
                self.assertFalse(self.Import.search([]), "not visible to this transaction")
                with self.assertRaises(UserError) as refusal:
                    self.wizard_upload(self.full, "upload.zip")
                self.assertIn("Another import is under way", str(refusal.exception))
                self.assertFalse((self.folder / "upload.zip").exists(), "no upload left behind")
                self.run_scheduler()
                self.assertFalse(self.Import.search([]))
                self.assertEqual(self.partners_checksum(), before)
            finally:
                other.execute("DELETE FROM rgpd_bce_import WHERE file_name = 'other.zip'")
                other.commit()

    def test_older_extract_never_applied_over_a_newer(self):
        self.put(self.full)
        first = self.Import.run_pending_imports(max_steps=2)
        self.assertEqual(first.state, "ready")
        # a newer extract applied meanwhile (a database from before the guard)
        newer = self.Import.create(
            {
                "state": "done",
                "extract_number": 150,
                "extract_type": "full",
                "state_attachment_id": first.state_attachment_id.copy().id,
            }
        )
        self.assertTrue(newer)
        before = self.partners_checksum()
        self.run_scheduler()
        self.assertEqual(first.state, "skipped")
        self.assertIn("150", first.error_message)
        self.assertEqual(self.partners_checksum(), before)

    # -- a bad file is recorded and set aside; it never blocks the next one

    def test_bad_files_recorded_once_set_aside_and_the_next_applied(self):
        cases = {
            "meta.csv CRC error": lambda target: damage_member(
                self.full, target, "meta.csv", stored=True
            ),
            "corrupt compressed data": lambda target: damage_member(
                self.full, target, "enterprise.csv", stored=False
            ),
            "unreadable": lambda target: target.mkdir(),
        }
        for label, make in cases.items():
            with self.subTest(label):
                make(self.folder / f"bad {label}.zip")
                before, count = self.partners_checksum(), self.Import.search_count([])
                self.run_scheduler()
                failed = self.Import.search([("file_name", "=", f"bad {label}.zip")])
                self.assertEqual(failed.mapped("state"), ["failed"], label)
                self.assertTrue(failed.format_error)
                self.assertTrue(failed.error_message.startswith(failed.file_name))
                self.assertNotIn("Traceback", failed.error_message)
                self.assertEqual(self.partners_checksum(), before)
                # recorded once: the next runs leave the file alone
                self.run_scheduler()
                self.run_scheduler()
                self.assertEqual(self.Import.search_count([]), count + 1)
        # a good full still goes through, the bad files wait aside
        self.put(self.full)
        self.run_scheduler()
        self.assertEqual(self.Import.search([("state", "=", "done")]).extract_number, 147)
        self.assertEqual(set(self.prospects().mapped("bce_number")), self.expected(self.full))

    def test_memory_error_while_reading_is_a_failure(self):
        self.put(self.full)
        before, naces = self.partners_checksum(), self.Nace.search_count([])
        with patch.object(rgpd_bce_import, "read_full_extract", side_effect=MemoryError()):
            self.run_scheduler()
        failed = self.Import.search([])
        self.assertEqual((failed.state, failed.format_error), ("failed", True))
        self.assertIn("too large to read", failed.error_message)
        self.assertEqual(self.partners_checksum(), before)
        self.assertEqual(self.Nace.search_count([]), naces, "the code table rolled back")
        self.run_scheduler()
        self.assertEqual(self.Import.search([]), failed, "not tried again")

    def test_failed_update_waits_for_a_full_then_chain_goes_on(self):
        self.apply_full()
        damage_member(
            self.update, self.folder / self.update.name, "enterprise_insert.csv", stored=True
        )
        self.put(self.next_update)
        before = self.partners_checksum()
        self.run_scheduler()
        failed = self.Import.search([("extract_number", "=", 148)])
        self.assertEqual((failed.state, failed.format_error), ("failed", True))
        self.assertIn(self.update.name, failed.error_message)
        waiting = self.Import.search([("extract_number", "=", 149)])
        self.assertEqual(waiting.state, "refused")
        self.assertIn("A full extract is needed", waiting.error_message)
        self.assertEqual(self.partners_checksum(), before)
        count = self.Import.search_count([])
        self.run_scheduler()
        self.assertEqual(self.Import.search_count([]), count, "recorded once")
        # a good copy of that number arrives: the chain goes on
        self.put(self.update, "good copy of 148.zip")
        self.run_scheduler()
        done = self.Import.search([("state", "=", "done")], order="extract_number")
        self.assertEqual(done.mapped("extract_number"), [147, 148, 149])
        self.assertEqual(set(self.prospects().mapped("bce_number")), self.expected(self.next_full))

    def test_failure_in_contact_step_set_aside_manager_retries(self):
        self.apply_full()
        self.put(self.update)
        before = self.partners_checksum()
        with patch.object(
            partner_sync._PartnerSync, "_archive", side_effect=RuntimeError("disk full")
        ):
            self.run_scheduler()
        failed = self.Import.search([("extract_number", "=", 148)])
        self.assertEqual((failed.state, failed.format_error), ("failed", True))
        self.assertIn("disk full", failed.error_message)
        self.assertEqual(self.partners_checksum(), before)
        self.run_scheduler()
        self.assertEqual(self.Import.search([("extract_number", "=", 148)]), failed)
        # the cause fixed, a manager picks the file again
        action = self.wizard_pick(self.update.name)
        record = self.Import.browse(action["res_id"])
        self.assertEqual(record.state, "done", record.error_message)

    def test_wizard_reports_a_bad_file_and_records_it(self):
        bad = damage_member(self.full, self.source / "bad.zip", "meta.csv", stored=True)
        before = self.partners_checksum()
        # in test mode the wizard records the failure through a cursor of its
        # own, as it does in a request (whose transaction the error rolls
        # back); unittest's assertRaises, not Odoo's: Odoo's rolls back a
        # savepoint around the call, and a test cursor lives inside it
        with unittest.TestCase.assertRaises(self, UserError) as error:
            self.wizard_upload(bad, "upload.zip")
        self.env.invalidate_all()
        self.assertIn("upload.zip", str(error.exception))
        self.assertIn("meta.csv", str(error.exception))
        failed = self.Import.search([])
        self.assertEqual(len(failed), 1)
        self.assertEqual((failed.state, failed.file_name), ("failed", "upload.zip"))
        self.assertEqual(self.partners_checksum(), before)
        # the file waits aside in the folder; the scheduler leaves it there
        self.assertTrue((self.folder / "upload.zip").exists())
        self.run_scheduler()
        self.assertEqual(self.Import.search([]), failed)

    def test_files_set_aside_are_deleted_after_the_days_of_the_settings(self):
        self.apply_full()
        self.put(self.next_update)
        self.run_scheduler()
        refused = self.Import.search([("state", "=", "refused")])
        self.assertEqual(refused.extract_number, 149)
        path = self.folder / self.next_update.name
        refused.date_end = fields.Datetime.now() - timedelta(days=6)
        self.run_scheduler()
        self.assertTrue(path.exists(), "kept for 7 days")
        refused.date_end = fields.Datetime.now() - timedelta(days=8)
        self.run_scheduler()
        self.assertFalse(path.exists())
        self.assertTrue(refused.file_removed)

    # -- sanity checks before the contacts step

    def test_extract_archiving_every_prospect_waits_for_a_manager(self):
        self.apply_full()
        headers_only(self.later_full, self.folder / self.later_full.name)
        sales = new_test_user(
            self.env, login="rgpd_reliability_sales", groups="rgpd_prospection.group_rgpd_user"
        )
        internal = new_test_user(
            self.env, login="rgpd_reliability_internal", groups="base.group_user"
        )
        before = self.partners_checksum()
        self.run_scheduler()
        record = self.Import.search([("extract_number", "=", 148)])
        self.assertEqual(record.state, "confirm")
        self.assertIn("Table enterprises is empty", record.sanity_message)
        self.assertIn("It would archive 173 of the 173 active prospects", record.sanity_message)
        self.assertEqual(record.count_bce_archived, 173)
        self.assertEqual(record.table_counts["enterprises"], 0)
        self.assertEqual(self.partners_checksum(), before)
        # it blocks every other import until a manager decides
        self.put(self.next_full)
        self.run_scheduler()
        self.assertFalse(self.Import.search([("extract_number", "=", 149)]))
        with self.assertRaises(UserError) as refusal:
            self.wizard_pick(self.next_full.name)
        self.assertIn("waits for a manager", str(refusal.exception))
        # a manager only, whatever the door
        for user in (sales, internal):
            for action in ("action_confirm_extract", "action_reject_extract"):
                with self.assertRaises(AccessError):
                    getattr(record.with_user(user), action)()
        self.assertEqual(record.state, "confirm")
        record.with_user(self.manager).action_reject_extract()
        self.assertEqual((record.state, record.format_error), ("failed", True))
        self.assertIn("Rejected by", record.error_message)
        self.assertEqual(self.partners_checksum(), before)
        # the next applicable extract goes through
        self.run_scheduler()
        applied = self.Import.search([("extract_number", "=", 149), ("state", "=", "done")])
        self.assertTrue(applied)
        self.assertEqual(set(self.prospects().mapped("bce_number")), self.expected(self.next_full))

    def test_update_above_the_limit_applied_once_confirmed(self):
        self.env["ir.config_parameter"].set_param(PARAM + "sanity_min_prospects", 1)
        self.apply_full()
        self.put(self.update)
        before = self.partners_checksum()
        self.run_scheduler()
        record = self.Import.search([("extract_number", "=", 148)])
        stopped = self.expected(self.full) - self.expected(self.later_full)
        self.assertEqual(record.state, "confirm", record.error_message)
        self.assertEqual(record.count_bce_archived, len(stopped))
        self.assertIn("the limit for one update extract is 1 %", record.sanity_message)
        self.assertIn(f"of the {len(self.prospects())} active prospects", record.sanity_message)
        self.assertEqual(self.partners_checksum(), before)
        record.with_user(self.manager).action_confirm_extract()
        self.assertEqual(record.state, "ready")
        self.assertEqual(record.confirmed_by_id, self.manager)
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]))
        self.run_scheduler()
        self.assertEqual(record.state, "done", record.error_message)
        self.assertEqual(set(self.prospects().mapped("bce_number")), self.expected(self.later_full))

    def test_update_just_under_the_limit_applied(self):
        """The active prospects are counted only as far as the share needs:
        an update archiving just under the limit goes through."""
        params = self.env["ir.config_parameter"]
        params.set_param(PARAM + "sanity_min_prospects", 1)
        self.apply_full()
        stopped = self.expected(self.full) - self.expected(self.later_full)
        share = 100 * len(stopped) / len(self.prospects())
        params.set_param(PARAM + "sanity_update_percent", round(share * 1.05, 3))
        self.put(self.update)
        self.run_scheduler()
        record = self.Import.search([("extract_number", "=", 148)])
        self.assertEqual(record.state, "done", record.sanity_message)
        self.assertEqual(record.count_bce_archived, len(stopped))

    def test_table_shrinking_sharply_waits_and_perimeter_archives_do_not_count(self):
        self.apply_full()

        def half(data):
            lines = data.rstrip(b"\n").split(b"\n")
            return b"\n".join(lines[: len(lines) // 2]) + b"\n"

        rewrite_member(self.later_full, self.folder / "shrunk.zip", "activity.csv", half)
        # a change of perimeter archives many prospects: not the BCE's doing
        self.env["ir.config_parameter"].set_param(PARAM + "postal_codes", "1000-1999")
        self.run_scheduler()
        record = self.Import.search([("extract_number", "=", 148)])
        self.assertEqual(record.state, "confirm")
        self.assertIn("Table activities shrank", record.sanity_message)
        self.assertNotIn("It would archive", record.sanity_message)
        self.assertLess(record.count_bce_archived, 50)

    # -- upload name collision

    def test_upload_never_replaces_a_waiting_file(self):
        waiting = self.put(self.update, "extract.zip")
        content = waiting.read_bytes()
        action = self.wizard_upload(self.full, "extract.zip")
        record = self.Import.browse(action["res_id"])
        self.assertEqual((record.state, record.extract_number), ("done", 147))
        self.assertEqual(record.file_name, "extract (2).zip")
        self.assertEqual(waiting.read_bytes(), content, "the waiting file is untouched")
        self.run_scheduler()
        update = self.Import.search([("extract_number", "=", 148)])
        self.assertEqual(update.state, "done", update.error_message)
        self.assertEqual(update.file_name, "extract.zip")

    # -- path traversal

    def test_only_a_plain_name_listed_in_the_folder(self):
        outside = Path(tempfile.mkdtemp(prefix="rgpd_bce_outside_"))
        self.addCleanup(shutil.rmtree, outside, True)
        target = outside / "full.zip"
        shutil.copy(self.full, target)
        (self.folder / "link.zip").symlink_to(target)
        before = self.partners_checksum()
        names = [
            f"../{outside.name}/full.zip",
            str(target),
            "/etc/passwd",
            "link.zip",
            "missing.zip",
            "",
        ]
        for name in names:
            with self.subTest(name):
                with self.assertRaises(UserError):
                    self.Import.with_user(self.manager).import_file(name)
                wizard = self.env["rgpd.bce.import.wizard"].with_user(self.manager)
                try:
                    wizard = wizard.create({"source": "folder", "folder_file": name})
                except ValueError:
                    continue  # not a value of the list
                with self.assertRaises(UserError):
                    wizard.action_import()
        self.assertTrue(target.exists())
        self.assertFalse(self.Import.search([]))
        self.assertEqual(self.partners_checksum(), before)

    # -- settings that cannot break the database

    def test_settings_validated_on_save(self):
        a_file = self.folder / "a file"
        a_file.write_text("x")
        wrong = {
            "rgpd_retention_months": [0, -1, 121, 100_000],
            "rgpd_bce_extract_folder": [
                "relative/folder",
                str(self.folder / "missing"),
                str(a_file),
            ],
            "rgpd_bce_interval_number": [0, -1],
            "rgpd_bce_set_aside_days": [0, 1000],
            "rgpd_bce_sanity_full_percent": [-1, 101],
        }
        months = self.env["rgpd.retention.run"]._retention_months()
        for name, values in wrong.items():
            for value in values:
                with self.subTest(name=name, value=value):
                    settings = self.env["res.config.settings"].with_user(self.manager).create({})
                    settings[name] = value
                    with self.assertRaises(ValidationError):
                        settings.execute()
        self.assertEqual(self.env["rgpd.retention.run"]._retention_months(), months)
        self.assertEqual(self.cron.interval_number, 1)
        settings = self.env["res.config.settings"].with_user(self.manager).create({})
        settings.rgpd_retention_months = 120
        settings.rgpd_bce_interval_number = 2
        settings.rgpd_bce_set_aside_days = 3
        settings.execute()
        self.assertEqual(self.env["rgpd.retention.run"]._retention_months(), 120)
        self.assertEqual(self.cron.interval_number, 2)
        # a folder removed from the server later is the import's to report:
        # other settings still save
        self.env["ir.config_parameter"].set_param(PARAM + "extract_folder", str(a_file))
        settings = self.env["res.config.settings"].with_user(self.manager).create({})
        settings.rgpd_retention_months = 60
        settings.execute()
        self.assertEqual(self.env["rgpd.retention.run"]._retention_months(), 60)
        # a value set behind the settings' back never breaks a date
        self.env["ir.config_parameter"].set_param("rgpd_prospection.retention_months", "100000")
        self.assertEqual(self.env["rgpd.retention.run"]._retention_months(), 36)

    def test_unusable_folder_is_a_visible_failure(self):
        missing = self.folder / "missing"
        self.env["ir.config_parameter"].set_param(PARAM + "extract_folder", str(missing))
        self.run_scheduler()
        failed = self.Import.search([])
        self.assertEqual(failed.state, "failed")
        self.assertIn(str(missing), failed.error_message)
        self.run_scheduler()
        self.assertEqual(self.Import.search([]), failed, "recorded once")
        self.env["ir.config_parameter"].set_param(PARAM + "extract_folder", "relative")
        self.run_scheduler()
        self.assertIn("not an absolute path", self.Import.search([], limit=1).error_message)
        with self.assertRaises(UserError):
            self.Import.with_user(self.manager).import_file("anything.zip")

    # -- run it now

    def test_manual_run_does_one_step_and_the_scheduler_carries_on(self):
        self.put(self.full)
        self.put(self.update)
        # Odoo 19's "Run manually" runs the job as the scheduler does: step
        # after committed step while work remains
        self.cron.with_user(self.manager).method_direct_trigger()
        self.env.invalidate_all()
        done = self.Import.search([("state", "=", "done")], order="extract_number")
        self.assertEqual(done.mapped("extract_number"), [147, 148])
        # the button of the history does the same
        self.put(self.next_update)
        self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]).unlink()
        self.Import.with_user(self.manager).action_run_now()
        self.assertEqual(self.Import.search([], limit=1).extract_number, 149)
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron.id)]))

    # -- the doors of each role

    def test_only_managers_start_run_or_decide(self):
        self.put(self.full)
        users = [
            new_test_user(self.env, login=f"rgpd_reliability_{groups}", groups=groups)
            for groups in (
                "base.group_user,rgpd_prospection.group_rgpd_user",
                "base.group_user",
                "base.group_portal",
            )
        ]
        before = self.partners_checksum()
        for user in users:
            Import = self.Import.with_user(user)
            calls = {
                "import_file": lambda Import=Import: Import.import_file(self.full.name),
                "run_pending_imports": lambda Import=Import: Import.run_pending_imports(),
                "action_run_now": lambda Import=Import: Import.action_run_now(),
            }
            for name, call in calls.items():
                with self.subTest(user=user.login, call=name), self.assertRaises(AccessError):
                    call()
        self.assertFalse(self.Import.search([]))
        self.assertEqual(self.partners_checksum(), before)
        self.assertTrue((self.folder / self.full.name).exists())
