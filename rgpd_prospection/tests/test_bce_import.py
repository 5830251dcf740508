import base64
import csv
import io
import threading
import zipfile
from unittest.mock import patch

from odoo.addons.rgpd_prospection.bce_engine import EngineConfig, Perimeter, read_full_extract
from odoo.addons.rgpd_prospection.bce_engine.emails import classify_email
from odoo.addons.rgpd_prospection.models.bce_import import partner_sync, rgpd_bce_import, staging
from odoo.exceptions import AccessError
from odoo.tests import Form, new_test_user, tagged

from .common import plan_on_partner_copy
from .import_case import PARAM, ImportCase


def rewrite_member(source, target, member, change):
    """Copy a ZIP, passing one member's bytes through ``change``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info.filename, change(data) if info.filename == member else data)
    return target


def csv_rows(zip_path, member):
    with zipfile.ZipFile(zip_path) as archive:
        text = archive.read(member).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@tagged("post_install", "-at_install")
class TestBceImport(ImportCase):
    """Imports of extracts made by the project's generator: a full (147), its
    update (148) with the later full it leads to, and the next update (149)."""

    extract_updates = 2

    # -- helpers

    def expected(self, zip_path, postal_codes="1000-9999"):
        result = read_full_extract(zip_path)
        return {c.bce_number: c for c in result.companies(Perimeter(postal_codes=postal_codes))}

    def assert_partners_match(self, expected):
        prospects = self.prospects()
        self.assertEqual(set(prospects.mapped("bce_number")), set(expected))
        for partner in prospects:
            company = expected[partner.bce_number]
            self.assertEqual(partner.name, company.name or partner.bce_number_display)
            self.assertEqual(partner.zip or None, company.postal_code)
            self.assertEqual(partner.email or None, company.emails[0] if company.emails else None)
            self.assertEqual(partner.phone or None, company.phones[0] if company.phones else None)
            self.assertEqual(
                {(nace.version, nace.code) for nace in partner.bce_nace_ids},
                {(version, code) for version, code, _cls in company.nace_codes},
            )
            self.assertTrue(partner.is_company)

    def snapshot(self):
        partners = self.Partner.with_context(active_test=False).search([])
        return {p.id: (p.name, p.active, p.email, p.zip, p.bce_number) for p in partners}

    # -- full then update

    def test_full_then_update_gives_the_later_full(self):
        self.put(self.full)
        first = self.Import.run_pending_imports()
        self.assertEqual(first.state, "done", first.error_message)
        expected = self.expected(self.full)
        self.assertEqual(first.count_created, len(expected))
        self.assertEqual(first.count_kept, len(expected))
        self.assertEqual((first.extract_number, first.extract_type), (147, "full"))
        self.assertTrue(first.state_attachment_id)
        self.assertGreater(first.drops["natural_person"], 0)
        self.assert_partners_match(expected)
        tag = self.env.ref("rgpd_prospection.res_partner_category_bce_prospect")
        self.assertEqual(self.prospects().category_id, tag)

        self.assertTrue(first.stage_done, "a full extract's contacts are prepared apart")
        self.put(self.update)
        second = self.Import.run_pending_imports()
        self.assertEqual(second.state, "done", second.error_message)
        self.assertFalse(second.stage_done, "an update of a few changes is applied in one step")
        later = self.expected(self.later_full)
        self.assert_partners_match(later)
        created = set(later) - set(expected)
        stopped = set(expected) - set(later)
        self.assertTrue(created and stopped, "the generator makes new and stopped companies")
        self.assertEqual(second.count_created, len(created))
        self.assertEqual(second.count_archived, len(stopped))
        self.assertGreater(second.count_updated, 0)
        self.assertEqual(set(self.prospects(active=False).mapped("bce_number")), stopped)
        # the state of the last import only is kept
        self.assertFalse(first.state_attachment_id)
        self.assertTrue(second.state_attachment_id)
        # the chatter of an updated prospect says what changed
        changed = self.Partner.search(
            [
                ("bce_number", "in", list(set(later) & set(expected))),
                ("bce_extract_number", "=", 148),
            ]
        )
        self.assertTrue(changed)
        bodies = changed.message_ids.mapped("body")
        self.assertTrue(any("extract 148 changed" in str(body) for body in bodies))

    def test_natural_persons_and_nominative_emails_never_stored(self):
        self.put(self.full)
        self.assertEqual(self.Import.run_pending_imports().state, "done")
        natural = [
            row["EnterpriseNumber"].replace(".", "")
            for row in csv_rows(self.full, "enterprise.csv")
            if row["TypeOfEnterprise"] == "1"
        ]
        self.assertTrue(natural)
        everyone = self.Partner.with_context(active_test=False)
        self.assertFalse(everyone.search([("bce_number", "in", natural)]))
        emails = {row["Value"].strip().lower() for row in csv_rows(self.full, "contact.csv")}
        dropped = [email for email in emails if not classify_email(email).keep]
        self.assertTrue(dropped)
        self.assertFalse(everyone.search([("email", "in", dropped)]))
        self.assertTrue(everyone.search([("email", "!=", False), ("is_bce_prospect", "=", True)]))

    # -- perimeter

    def test_perimeter_respected(self):
        self.env["ir.config_parameter"].set_param(PARAM + "postal_codes", "1000-1999")
        self.put(self.full)
        record = self.Import.run_pending_imports()
        self.assertEqual(record.state, "done", record.error_message)
        expected = self.expected(self.full, "1000-1999")
        self.assertTrue(expected)
        self.assertLess(len(expected), len(self.expected(self.full)))
        self.assert_partners_match(expected)
        self.assertTrue(
            all(1000 <= int(zip_code) <= 1999 for zip_code in self.prospects().mapped("zip"))
        )
        self.assertGreater(record.drops["outside_perimeter"], 0)

    def test_perimeter_required(self):
        self.env["ir.config_parameter"].set_param(PARAM + "postal_codes", False)
        self.put(self.full)
        record = self.Import.run_pending_imports()
        self.assertEqual(record.state, "refused")
        self.assertIn("No perimeter", record.error_message)
        self.assertFalse(self.prospects())
        self.assertTrue((self.folder / self.full.name).exists())
        # asked again, the same refusal is not recorded twice
        self.Import.run_pending_imports()
        self.assertEqual(self.Import.search_count([("state", "=", "refused")]), 1)

    def test_stored_messages_read_in_the_readers_language(self):
        """A refusal triggered by a French-speaking user is stored once, and
        each reader sees it in his own language."""
        for lang in ("fr_BE", "nl_BE"):
            self.env["res.lang"]._activate_lang(lang)
        self.env["ir.module.module"]._load_module_terms(["rgpd_prospection"], ["fr_BE", "nl_BE"])
        self.env["ir.config_parameter"].set_param(PARAM + "postal_codes", False)
        self.put(self.full)
        record = self.Import.with_context(lang="fr_BE").run_pending_imports()
        self.assertEqual(record.state, "refused")
        self.assertTrue(record.error_message.startswith("No perimeter is set"))
        texts = {
            lang: record.with_context(lang=lang).error_text for lang in ("en_US", "fr_BE", "nl_BE")
        }
        self.assertEqual(texts["en_US"], record.error_message)
        self.assertTrue(texts["fr_BE"].startswith("Aucun périmètre"), texts["fr_BE"])
        self.assertNotEqual(texts["nl_BE"], texts["en_US"])
        self.assertNotEqual(texts["nl_BE"], texts["fr_BE"])
        # the next run, in another language, recognises the same refusal
        self.Import.with_context(lang="nl_BE").run_pending_imports()
        self.assertEqual(self.Import.search_count([("state", "=", "refused")]), 1)

    # -- matching

    def test_existing_partners_matched_by_number_and_vat(self):
        expected = sorted(self.expected(self.full))
        by_vat, by_number = expected[0], expected[1]
        customer = self.Partner.create(
            {
                "name": "Our customer",
                "is_company": True,
                "vat": f"BE{by_vat}",
                "email": "orders@customer.example",
            }
        )
        archived = self.Partner.create(
            {"name": "Old prospect", "is_company": True, "bce_number": by_number, "active": False}
        )
        self.put(self.full)
        self.assertEqual(self.Import.run_pending_imports().state, "done")
        everyone = self.Partner.with_context(active_test=False)
        self.assertEqual(everyone.search_count([("bce_number", "=", by_vat)]), 1)
        self.assertEqual(customer.bce_number, by_vat)
        self.assertEqual(customer.name, "Our customer")
        self.assertEqual(customer.email, "orders@customer.example")
        self.assertFalse(customer.is_bce_prospect)
        self.assertEqual(everyone.search_count([("bce_number", "=", by_number)]), 1)
        self.assertFalse(archived.is_bce_prospect, "a contact not made by an import stays as is")

    def test_match_by_vat_reads_the_vat_digits_index(self):
        """The match by VAT reads the index of the VAT digits, not every
        contact: the query and the index agree on expression and predicate."""
        number = sorted(self.expected(self.full))[0]
        customer = self.Partner.create(
            {
                "name": "Our customer",
                "is_company": True,
                "vat": f"be {number[:4]}.{number[4:7]}.{number[7:]}",
            }
        )
        # as a contact made before the module was installed: no number yet
        self.env.cr.execute("UPDATE res_partner SET bce_number = NULL WHERE id = %s", [customer.id])
        customer.invalidate_recordset(["bce_number"])
        sync = partner_sync._PartnerSync(self.Partner.sudo(), None, set())
        statements = []

        def hook(_cr, query, params, _start, _delay):
            statements.append((query, params))

        with patch.object(threading.current_thread(), "query_hooks", (hook,), create=True):
            found = sync._match([number])
        self.assertEqual(found[number], customer)
        query, params = next(item for item in statements if "regexp_replace" in item[0])
        plan, index = plan_on_partner_copy(
            self.env.cr, query, params, "%regexp_replace%parent_id IS NULL%"
        )
        self.assertIn(f"using {index} on res_partner", plan)

    # -- idempotence, sequence

    def test_same_extract_twice_changes_nothing(self):
        self.put(self.full)
        self.Import.run_pending_imports()
        before = self.snapshot()
        self.put(self.full)
        record = self.Import.run_pending_imports()
        self.assertEqual(record.state, "skipped")
        self.assertFalse((self.folder / self.full.name).exists())
        self.assertEqual(self.snapshot(), before)
        self.assertFalse(self.Import.run_pending_imports())

    def test_out_of_sequence_refused_then_full_used(self):
        self.put(self.full)
        self.Import.run_pending_imports()
        before = self.snapshot()
        self.put(self.next_update)
        self.assertFalse(self.Import.run_pending_imports())
        refused = self.Import.search([("state", "=", "refused")])
        self.assertEqual(refused.extract_number, 149)
        self.assertIn("does not follow the last applied extract 147", refused.error_message)
        self.assertEqual(self.snapshot(), before)
        # the chain is broken: the latest full is applied, the update it includes is skipped
        self.put(self.next_full)
        records = self.Import.run_pending_imports()
        self.assertEqual(
            sorted(records.mapped(lambda r: (r.extract_number, r.extract_type, r.state))),
            [(149, "full", "done"), (149, "update", "skipped")],
        )
        self.assert_partners_match(self.expected(self.next_full))
        self.assertFalse(list(self.folder.iterdir()))

    def test_update_without_full_refused(self):
        self.put(self.update)
        self.Import.run_pending_imports()
        refused = self.Import.search([])
        self.assertEqual(refused.state, "refused")
        self.assertIn("no full extract has been applied yet", refused.error_message)

    # -- bad input

    def test_bad_inputs_recorded_as_failed_with_nothing_changed(self):
        def replace_status(data):
            return data.replace(b',"AC",', b',"ZZ",', 1)

        def break_encoding(data):
            lines = data.split(b"\n")
            lines[1] = lines[1][:-1] + b'\xe9"'
            return b"\n".join(lines)

        def duplicate_line(data):
            lines = data.rstrip(b"\n").split(b"\n")
            return b"\n".join([*lines, lines[1]]) + b"\n"

        cases = {
            "corrupt": None,
            "header": ("enterprise.csv", lambda d: d.replace(b'"Status"', b'"State"', 1)),
            "unknown code": ("enterprise.csv", replace_status),
            "encoding": ("denomination.csv", break_encoding),
            "duplicate": ("enterprise.csv", duplicate_line),
        }
        naces = self.Nace.search_count([])
        for label, case in cases.items():
            with self.subTest(label):
                target = self.folder / self.full.name
                if case is None:
                    target.write_bytes(b"this is not a zip file")
                else:
                    rewrite_member(self.full, target, *case)
                record = self.Import.run_pending_imports()
                self.assertEqual(record.state, "failed")
                self.assertTrue(record.format_error)
                self.assertTrue(record.error_message)
                if case:
                    self.assertIn(case[0], record.error_message)
                self.assertFalse(self.prospects())
                self.assertEqual(self.Nace.search_count([]), naces)
                # a bad file is not tried again
                self.assertFalse(self.Import.run_pending_imports())
                target.unlink()
        messages = self.Import.search([]).mapped("error_message")
        self.assertTrue(any("line" in message for message in messages))

    def test_crash_in_contact_phase_rolls_back_and_rerun_succeeds(self):
        self.put(self.full)
        self.Import.run_pending_imports()
        before = self.snapshot()
        self.put(self.update)
        with patch.object(
            partner_sync._PartnerSync, "_archive", side_effect=RuntimeError("disk full")
        ):
            failed = self.Import.run_pending_imports()
        self.assertEqual(failed.state, "failed")
        self.assertIn("disk full", failed.error_message)
        self.assertEqual(self.snapshot(), before)
        self.assertTrue((self.folder / self.update.name).exists())
        # set aside: the scheduled import leaves it, a manager tries it again
        self.assertFalse(self.Import.run_pending_imports())
        rerun = self.Import.import_file(self.update.name)
        self.assertEqual(rerun.state, "done", rerun.error_message)
        self.assert_partners_match(self.expected(self.later_full))

    def test_lock_held_elsewhere_means_nothing_runs(self):
        self.put(self.full)
        with self.registry._db.cursor() as other:  # a transaction of its own
            other.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [rgpd_bce_import.LOCK_NAME])
            self.assertFalse(self.Import.run_pending_imports())
            other.rollback()
        self.assertFalse(self.Import.search([]))
        self.assertEqual(self.Import.run_pending_imports().state, "done")

    # -- blacklist, hand corrections

    def test_blacklisted_and_anonymised_companies_get_nothing_back(self):
        expected = sorted(self.expected(self.full))
        self.Blacklist._add([expected[0]], "phone", "Objected")
        self.put(self.full)
        record = self.Import.run_pending_imports()
        everyone = self.Partner.with_context(active_test=False)
        self.assertFalse(everyone.search([("bce_number", "=", expected[0])]))
        self.assertEqual(record.count_blacklisted, 1)
        anonymised = everyone.search([("bce_number", "=", expected[1])])
        anonymised.write({"name": "Anonymised", "email": False, "rgpd_anonymized": True})
        self.put(self.later_full)
        self.assertEqual(self.Import.run_pending_imports().state, "done")
        self.assertEqual(anonymised.name, "Anonymised")
        self.assertFalse(anonymised.email)
        self.assertFalse(everyone.search([("bce_number", "=", expected[0])]))

    def test_hand_corrections_survive(self):
        self.put(self.full)
        self.Import.run_pending_imports()
        prospects = self.prospects()
        prospects.write({"name": "Corrected by hand"})
        kept_by_hand = prospects[0]
        kept_by_hand.action_archive()
        self.put(self.later_full)
        record = self.Import.run_pending_imports()
        self.assertEqual(record.state, "done", record.error_message)
        later = self.expected(self.later_full)
        still = self.Partner.with_context(active_test=False).search(
            [("id", "in", prospects.ids), ("bce_number", "in", list(later))]
        )
        self.assertEqual(set(still.mapped("name")), {"Corrected by hand"})
        self.assertFalse(kept_by_hand.active, "archived by hand, not reactivated")
        # other fields still follow the BCE
        for partner in still.filtered("active"):
            self.assertEqual(partner.zip or None, later[partner.bce_number].postal_code)

    # -- entry points

    def test_cron_runs_in_committed_steps(self):
        self.put(self.full)
        cron = self.env.ref("rgpd_prospection.ir_cron_rgpd_bce_import")
        self.assertEqual(cron.code.strip(), "model._cron_import_extracts()")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id})

        def step():
            # as the scheduler calls it: in a cursor of its own that commits
            self.env.flush_all()
            with self.registry.cursor() as cron_cr:
                self.Import.with_env(self.env(cr=cron_cr)).with_context(
                    ir_cron_progress_id=progress.id, cron_id=cron.id
                )._cron_import_extracts()
            self.env.invalidate_all()

        step()
        record = self.Import.search([])
        self.assertEqual(record.state, "running")
        self.assertEqual((progress.done, progress.remaining), (1, 1))
        step()
        self.assertEqual((record.state, record.stage_done), ("ready", False))
        # the new contacts are prepared in their own step...
        step()
        expected = self.expected(self.full)
        self.assertEqual((record.state, record.stage_done), ("ready", True))
        self.assertEqual(record.stage_count, record.stage_total)
        self.assertEqual(self.staged_rows(record), len(expected))
        self.assertFalse(self.prospects(), "contacts change only in the last step")
        # ...and created in the last one, the staging tables dropped
        step()
        self.assertEqual(record.state, "done")
        self.assertEqual(progress.remaining, 0)
        self.assertFalse((self.folder / self.full.name).exists())
        self.assert_partners_match(expected)
        self.assertEqual(self.staged_rows(record), None)

    def staged_rows(self, record):
        """Rows of the import's staging table, ``None`` without a table."""
        table = record._staging_table()
        self.env.cr.execute("SELECT to_regclass(%s)", [table])
        if not self.env.cr.fetchone()[0]:
            return None
        self.env.cr.execute(f'SELECT count(*) FROM "{table}"')
        return self.env.cr.fetchone()[0]

    def test_staging_in_many_steps_and_changes_before_the_last(self):
        """Preparation resumes slice by slice; a company created by hand or
        blacklisted before the last step is matched or left out, not doubled."""
        self.put(self.full)
        expected = sorted(self.expected(self.full))
        with patch.object(staging, "STAGE_BATCH", 50):
            record = self.Import.run_pending_imports(max_steps=2)
            steps = 0
            while not record.stage_done:
                count = record.stage_count
                record._run_step()
                self.assertGreater(record.stage_count, count)
                steps += 1
        self.assertGreaterEqual(steps, 3)
        self.assertEqual(record.stage_count, record.stage_total)
        by_hand = self.Partner.create(
            {"name": "Typed in meanwhile", "is_company": True, "bce_number": expected[1]}
        )
        self.Blacklist._add([expected[2]], "phone", "Objected meanwhile")
        record._run_step()
        self.assertEqual(record.state, "done", record.error_message)
        self.assertEqual(self.staged_rows(record), None)
        numbers = self.prospects().mapped("bce_number")
        self.assertEqual(sorted(numbers), sorted(set(expected) - {expected[1], expected[2]}))
        self.assertEqual(self.Partner.search_count([("bce_number", "=", expected[1])]), 1)
        self.assertEqual(by_hand.name, "Typed in meanwhile")
        self.assertFalse(self.Partner.search([("bce_number", "=", expected[2])]))
        self.assertEqual(record.count_created, len(expected) - 2)
        self.assertEqual(record.count_updated, 0)  # a customer's data are not overwritten

    def test_staging_by_chunks_within_a_step(self):
        """A step prepares its companies by chunks as the engine builds them:
        every number of the perimeter is staged once, whatever chunk it falls
        in; a company blacklisted before the step is left out."""
        self.put(self.full)
        expected = sorted(self.expected(self.full))
        self.Blacklist._add([expected[3]], "phone", "Objected before the preparation")
        with patch.object(partner_sync, "SYNC_CHUNK", 7):
            record = self.Import.run_pending_imports(max_steps=3)
        self.assertEqual((record.state, record.stage_done), ("ready", True))
        self.assertGreater(len(expected), 3 * 7, "several chunks")
        seen = record._staging_tables()[2]
        self.env.cr.execute(
            f'SELECT count(*), count(DISTINCT bce_number), count(partner_id) FROM "{seen}"'
        )
        self.assertEqual(
            self.env.cr.fetchone(), (record.stage_total, record.stage_total, len(expected) - 1)
        )
        self.assertEqual(self.staged_rows(record), len(expected) - 1)
        record._run_step()
        self.assertEqual(record.state, "done", record.error_message)
        numbers = self.prospects().mapped("bce_number")
        self.assertEqual(sorted(numbers), sorted(set(expected) - {expected[3]}))
        self.assertEqual(record.count_created, len(expected) - 1)

    def test_staging_prepared_again_when_its_tables_were_emptied(self):
        """The staging tables are unlogged: a crash of PostgreSQL empties them.
        The next step sees it and prepares the contacts again, rather than
        leaving the whole preparation to the last step."""
        self.put(self.full)
        expected = sorted(self.expected(self.full))
        with patch.object(staging, "STAGE_BATCH", 50):
            record = self.Import.run_pending_imports(max_steps=3)
            record._run_step()
            self.assertEqual(record.stage_count, 100)
            self.env.cr.execute(
                "SELECT relpersistence FROM pg_class WHERE relname IN %s",
                [tuple(record._staging_tables())],
            )
            self.assertEqual([row[0] for row in self.env.cr.fetchall()], ["u"] * 3)
            for table in record._staging_tables():
                self.env.cr.execute(f'TRUNCATE "{table}"')  # what crash recovery does
            record._run_step()
            self.assertEqual(record.stage_count, 50, "prepared again from the first company")
            while record.state == "ready":
                record._run_step()
        self.assertEqual(record.state, "done", record.error_message)
        self.assertEqual(sorted(self.prospects().mapped("bce_number")), expected)
        self.assertEqual(record.count_created, len(expected))

    def test_staging_prepared_again_when_settings_change(self):
        """Companies prepared with other settings would be built as those
        settings say: a change between two steps starts the preparation again."""
        self.put(self.full)
        with patch.object(staging, "STAGE_BATCH", 50):
            record = self.Import.run_pending_imports(max_steps=3)
            self.assertEqual(record.stage_count, 50)
            record._run_step()
            self.assertEqual(record.stage_count, 100)
            self.env["ir.config_parameter"].set_param(PARAM + "name_language", "nl")
            record._run_step()
            self.assertEqual(record.stage_count, 50, "prepared again from the first company")
            while record.state == "ready":
                record._run_step()
        self.assertEqual(record.state, "done", record.error_message)
        self.assertEqual(self.Import.search([("state", "=", "done")]), record)
        expected = {
            company.bce_number: company
            for company in read_full_extract(
                self.full, EngineConfig(preferred_name_language="nl")
            ).companies(Perimeter(postal_codes="1000-9999"))
        }
        self.assert_partners_match(expected)

    def test_staging_prepared_again_when_contacts_change_shape(self):
        """A module installed between the preparation and the last step adds
        columns to the contacts: the staged rows would lack them."""
        self.put(self.full)
        record = self.Import.run_pending_imports(max_steps=3)
        self.assertTrue(record.stage_done)
        self.env.cr.execute(f'ALTER TABLE "{record._staging_table()}" DROP COLUMN "color"')
        record._run_step()
        self.assertEqual((record.state, record.stage_done), ("ready", False))
        self.assertFalse(self.prospects())
        self.assertEqual(self.Import.run_pending_imports().state, "done")
        self.assert_partners_match(self.expected(self.full))

    def test_failed_last_step_drops_the_staging(self):
        self.put(self.full)
        with patch.object(
            partner_sync._PartnerSync, "_archive", side_effect=RuntimeError("disk full")
        ):
            failed = self.Import.run_pending_imports()
        self.assertEqual(failed.state, "failed")
        self.assertTrue(failed.stage_done)
        self.assertEqual(self.staged_rows(failed), None)
        self.assertFalse(self.prospects())
        rerun = self.Import.import_file(self.full.name)
        self.assertEqual(rerun.state, "done", rerun.error_message)
        self.assert_partners_match(self.expected(self.full))

    def test_interrupted_engine_phase_resumes(self):
        self.put(self.full)
        self.Import.run_pending_imports(max_steps=1)
        record = self.Import.search([])
        self.assertEqual(record.state, "running")
        with (
            patch.object(type(self.Import), "_run_engine_phase", side_effect=MemoryError("killed")),
            self.assertRaises(MemoryError),
        ):
            self.Import.run_pending_imports(max_steps=1)
        self.assertEqual(self.Import.run_pending_imports(), record)
        self.assertEqual(record.state, "done")

    def test_wizard_upload_and_folder(self):
        wizard = Form(self.env["rgpd.bce.import.wizard"])
        wizard.extract_file = base64.b64encode(self.full.read_bytes())
        upload = wizard.save()
        upload.extract_filename = self.full.name
        action = upload.action_import()
        record = self.Import.browse(action["res_id"])
        self.assertEqual(record.state, "done", record.error_message)
        self.assertEqual(record.file_name, self.full.name)
        self.assertFalse(list(self.folder.iterdir()), "the uploaded ZIP is deleted once applied")
        self.put(self.update)
        wizard = Form(self.env["rgpd.bce.import.wizard"])
        wizard.source = "folder"
        wizard.folder_file = self.update.name
        record = self.Import.browse(wizard.save().action_import()["res_id"])
        self.assertEqual(record.state, "done", record.error_message)
        self.assertEqual(record.extract_number, 148)

    def test_only_managers_run_and_configure_imports(self):
        sales = new_test_user(
            self.env,
            login="rgpd_import_sales",
            groups="base.group_system,rgpd_prospection.group_rgpd_user",
        )
        manager = new_test_user(
            self.env,
            login="rgpd_import_dpo",
            groups="base.group_system,rgpd_prospection.group_rgpd_manager",
        )
        self.put(self.full)
        with self.assertRaises(AccessError):
            self.Import.with_user(sales).run_pending_imports()
        with self.assertRaises(AccessError):
            self.env["rgpd.bce.import.wizard"].with_user(sales).create({})
        with self.assertRaises(AccessError):
            self.Import.with_user(sales).search([])
        settings = self.env["res.config.settings"].with_user(sales).create({})
        settings.rgpd_bce_postal_codes = "9000-9999"
        with self.assertRaises(AccessError):
            settings.execute()
        settings = self.env["res.config.settings"].with_user(manager).create({})
        settings.rgpd_bce_postal_codes = "9000-9999"
        settings.rgpd_bce_interval_number = 7
        settings.execute()
        self.assertEqual(self.Import._param("postal_codes"), "9000-9999")
        cron = self.env.ref("rgpd_prospection.ir_cron_rgpd_bce_import")
        self.assertEqual(cron.interval_number, 7)
        self.assertEqual(self.Import.with_user(manager).run_pending_imports().state, "done")
