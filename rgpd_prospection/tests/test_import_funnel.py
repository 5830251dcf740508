import csv
import io
from pathlib import Path

from odoo.addons.rgpd_prospection.bce_engine import read_full_extract
from odoo.addons.rgpd_prospection.bce_engine.numbers import format_enterprise_number
from odoo.addons.rgpd_prospection.hooks import migrate_drop_lines
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools.misc import formatLang

from .common import RgpdCase
from .import_case import PARAM, ImportCase
from .test_bce_import import rewrite_member

DROPS = {
    "natural_person": 5000,
    "unknown_type": 12,
    "not_legal_person": 194635,
    "outside_perimeter": 11000,
    "blacklisted": 3,
    "expired": 2,
    "shared_contact": 40,
}


def load_french_and_dutch(env):
    """fr_BE and nl_BE active, with the module's translations (fr.po, nl.po)."""
    for code in ("fr_BE", "nl_BE"):
        env["res.lang"]._activate_lang(code)
    env["ir.module.module"]._load_module_terms(["rgpd_prospection"], ["fr_BE", "nl_BE"])


@tagged("post_install", "-at_install")
class TestImportFunnel(RgpdCase):
    """Each import can be read at a glance, in the reader's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_french_and_dutch(cls.env)
        cls.Import = cls.env["rgpd.bce.import"]
        cls.record = cls.Import.create(
            {
                "state": "done",
                "extract_type": "full",
                "extract_number": 150,
                "snapshot_date": "2026-10-01",
                "count_read": 20000,
                "count_kept": 8995,
                "count_created": 8000,
                "count_updated": 900,
                "count_archived": 7,
                "count_blacklisted": 3,
                "drops": DROPS,
            }
        )
        cls.manager = new_test_user(
            cls.env,
            login="h14_funnel_manager",
            groups="base.group_user,rgpd_prospection.group_rgpd_manager",
        )
        cls.user = new_test_user(
            cls.env,
            login="h14_funnel_user",
            groups="base.group_user,rgpd_prospection.group_rgpd_user",
        )

    def test_a_line_per_reason(self):
        lines = {line.reason: line for line in self.record.drop_ids}
        self.assertEqual({reason: line.count for reason, line in lines.items()}, DROPS)
        self.assertEqual(lines["natural_person"].unit, "company")
        self.assertEqual(lines["expired"].unit, "company")
        self.assertEqual(lines["not_legal_person"].unit, "row")
        self.assertEqual(lines["natural_person"].date.isoformat(), "2026-10-01")
        self.record.drops = {"natural_person": 1, "a_code_of_tomorrow": 4}
        self.assertEqual(self.record.drop_ids.mapped("reason"), ["natural_person"])
        self.record.drops = DROPS

    def test_funnel_counts_companies(self):
        record = self.record
        self.assertEqual(record.count_legal_in_file, 20000)
        self.assertEqual(record.count_in_file, 20000 + 5000 + 12)
        self.assertEqual(record.count_outside, 11000)
        self.assertEqual((record.count_blacklisted, record.count_expired), (3, 2))
        self.assertEqual(record.count_erased, 0)
        update = self.Import.create(
            {
                "state": "done",
                "extract_type": "update",
                "count_read": 20000,
                "engine_changes": {"created": ["1"], "updated": ["2", "3"], "stopped": ["4"]},
                "drops": {"natural_person": 6},
            }
        )
        self.assertEqual((update.count_legal_in_file, update.count_in_file), (4, 10))

    def test_funnel_in_the_readers_language(self):
        english = self.record.with_context(lang="en_US").funnel_html
        self.assertIn("Enterprises in the file", english)
        self.assertIn("25,012", english)
        self.assertIn("Created", english)
        self.assertIn("Outside the perimeter", english)
        # the lines left out of kept companies are not enterprises
        self.assertIn("194,635", english.split("Lines and values")[1])
        for lang in ("fr_BE", "nl_BE"):
            with self.subTest(lang=lang):
                html = self.record.with_context(lang=lang).funnel_html
                self.assertIn(formatLang(self.env(context={"lang": lang}), 25012, digits=0), html)
                self.assertNotIn("25,012", html)
                self.assertNotIn(">Created<", html)
        self.assertIn("Créés", self.record.with_context(lang="fr_BE").funnel_html)

    def test_drop_reasons_labelled_in_the_readers_language(self):
        selection = self.env["ir.model.fields.selection"].search(
            [
                ("field_id.model", "=", "rgpd.bce.import.drop"),
                ("field_id.name", "=", "reason"),
                ("value", "=", "outside_perimeter"),
            ]
        )
        selection.with_context(lang="fr_BE").name = "Hors du périmètre"
        selection.with_context(lang="nl_BE").name = "Buiten de perimeter"
        for lang, label in (
            ("en_US", "Outside the perimeter"),
            ("fr_BE", "Hors du périmètre"),
            ("nl_BE", "Buiten de perimeter"),
        ):
            with self.subTest(lang=lang):
                record = self.record.with_context(lang=lang)
                self.assertIn(label, record.funnel_html)
                self.assertIn(label, record.drops_summary)
                self.assertNotIn("outside perimeter", record.drops_summary)

    def test_drop_lines_readable_by_managers_only(self):
        Drop = self.env["rgpd.bce.import.drop"]
        self.assertEqual(
            Drop.with_user(self.manager).search([("import_id", "=", self.record.id)]),
            self.record.drop_ids,
        )
        before = self.record.drop_ids.read(["reason", "count"])
        for user in (self.user, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.record.drop_ids[0].with_user(user).write({"count": 1})
        with self.assertRaises(AccessError):
            Drop.with_user(self.user).search([])
        self.assertEqual(self.record.drop_ids.read(["reason", "count"]), before)

    def test_history_migrated_to_lines(self):
        old = self.Import.create({"state": "done", "extract_type": "full", "count_read": 5})
        self.env.cr.execute(
            "UPDATE rgpd_bce_import SET drops = %s WHERE id = %s",
            ['{"natural_person": 7, "outside_perimeter": 2}', old.id],
        )
        old.invalidate_recordset()
        self.assertFalse(old.drop_ids)
        migrate_drop_lines(self.env)
        self.assertEqual(
            {line.reason: line.count for line in old.drop_ids},
            {"natural_person": 7, "outside_perimeter": 2},
        )
        self.assertEqual(old.count_in_file, 12)
        self.assertEqual(len(self.record.drop_ids), len(DROPS), "lines are not doubled")


@tagged("post_install", "-at_install")
class TestImportReasons(ImportCase):
    """A real import: skipped companies counted per reason, and the chatter
    of an archived prospect saying why."""

    extract_updates = 1

    def _run(self, path):
        self.put(path)
        record = self.Import.run_pending_imports()
        self.assertEqual(record.state, "done", record.error_message)
        return record

    def test_a_seat_that_moved_out_is_shown_at_its_new_address(self):
        """Archived for leaving the perimeter, the prospect shows the postal
        code its archiving note gives, not the old one."""
        self.env["ir.config_parameter"].set_param(PARAM + "postal_codes", "1000-8999")
        self._run(self.full)
        listed = {
            f"{number:010d}"
            for number in read_full_extract(self.later_full).state.enterprises["bce"].tolist()
        }
        movers = self.Partner.search(
            [("is_bce_prospect", "=", True), ("bce_number", "in", sorted(listed))],
            order="bce_number",
        )
        mover, kept = movers[:2]
        kept.zip = "1234"  # corrected by hand: the hand's value stays
        dotted = {p.bce_number: format_enterprise_number(p.bce_number) for p in mover | kept}

        def move_out(data):
            text = data.decode("utf-8-sig")
            rows = list(csv.DictReader(io.StringIO(text)))
            for row in rows:
                if row["EntityNumber"] in dotted.values():
                    row["Zipcode"] = "9000"
            out = io.StringIO()
            writer = csv.DictWriter(out, fieldnames=list(rows[0]), quoting=csv.QUOTE_ALL)
            writer.writeheader()
            writer.writerows(rows)
            return out.getvalue().encode()

        moved_full = rewrite_member(
            self.later_full, self.source / Path(self.later_full).name, "address.csv", move_out
        )
        self._run(moved_full)
        self.assertFalse(mover.active)
        self.assertEqual(mover.zip, "9000")
        self.assertIn("9000", "".join(mover.message_ids.mapped("body")))
        self.assertFalse(kept.active)
        self.assertEqual(kept.zip, "1234")

    def test_skips_counted_apart_and_archives_explained(self):
        first = self._run(self.full)
        self.assertEqual(
            first.count_in_file,
            first.count_legal_in_file
            + first.drops.get("natural_person", 0)
            + first.drops.get("unknown_type", 0),
        )
        prospects = self.Partner.search([("is_bce_prospect", "=", True)], order="bce_number")
        opposed, erased, expired = prospects[:3]
        self.Blacklist._add([opposed.bce_number], "phone", "Objected")
        erased.write({"rgpd_anonymized": True})
        expired.write({"rgpd_expired": True})
        skipped = opposed | erased | expired
        far = prospects.filtered(lambda p: p not in skipped and p.zip and int(p.zip) >= 5000)[:1]
        self.assertTrue(far)
        self.env["ir.config_parameter"].set_param(PARAM + "postal_codes", "1000-4999")
        second = self._run(self.later_full)
        self.assertTrue(second.full_sync)
        self.assertEqual(
            (second.count_blacklisted, second.count_erased, second.count_expired), (1, 1, 1)
        )
        self.assertFalse(far.active)
        body = "".join(far.message_ids.mapped("body"))
        self.assertIn("Active: yes → no", body)
        self.assertIn("left the perimeter: its seat's postal code", body)
        self.assertIn(far.zip, body)
        self.assertIn("objected to prospecting", "".join(opposed.message_ids.mapped("body")))
        listed = {
            f"{number:010d}"
            for number in read_full_extract(self.later_full).state.enterprises["bce"].tolist()
        }
        stopped = (prospects - skipped).filtered(lambda p: p.bce_number not in listed)
        self.assertTrue(stopped, "the generator stops companies between the two extracts")
        for partner in stopped:
            self.assertFalse(partner.active)
            self.assertIn("the BCE no longer lists it", "".join(partner.message_ids.mapped("body")))
        self.assertIn("Left out (retention expired)", second.funnel_html)

    def test_an_updates_funnel_adds_up(self):
        # the same perimeter for both, or the update compares the whole of it
        self.env["ir.config_parameter"].set_param(PARAM + "postal_codes", "1000-4999")
        self._run(self.full)
        record = self._run(self.update)
        self.assertEqual(record.extract_type, "update")
        self.assertFalse(record.full_sync)
        parts = record._funnel_parts()
        self.assertTrue(all(parts.values()), parts)
        self.assertEqual(sum(parts.values()), record.count_legal_in_file, parts)
        self.assertEqual(record.count_stopped, len(record.engine_changes["stopped"]))
        self.assertIn("Legal persons stopped at the BCE", record.funnel_html)
