"""The last step of a staged import (the contacts step), run by the scheduler:
what happened since the staging is decided as without staging, and the staged
insert runs without the engine's state."""

import gc
from unittest.mock import patch

from odoo.addons.rgpd_prospection.bce_engine import LegalPersonState, Perimeter, read_full_extract
from odoo.addons.rgpd_prospection.models.bce_import import (
    partner_insert,
    partner_sync,
    rgpd_bce_import,
)
from odoo.tests import tagged

from .common import enterprise_number
from .import_case import ImportCase

CRON = "rgpd_prospection.ir_cron_rgpd_bce_import"
COUNTS = [
    "state",
    "count_kept",
    "count_created",
    "count_updated",
    "count_archived",
    "count_linked",
    "count_blacklisted",
    "drops",
]


@tagged("post_install", "-at_install")
class TestContactsStep(ImportCase):
    extract_updates = 1

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cron = cls.env.ref(CRON)
        cls.expected = cls.companies(cls.full)
        listed = set(read_full_extract(cls.full).state.enterprises["bce"].tolist())
        # a prospect the BCE does not list (any more): the full archives it
        cls.gone = next(
            number
            for number in map(enterprise_number, range(2_000_000, 3_000_000))
            if int(number) not in listed
        )

    @staticmethod
    def companies(path):
        """The numbers of the companies of the extract at ``path`` in the perimeter."""
        companies = read_full_extract(path).companies(Perimeter(postal_codes="1000-9999"))
        return sorted(company.bce_number for company in companies)

    def outcome(self, record):
        """What the import decided: its figures, and every company holding an
        enterprise number or a VAT, with the notes of the archived ones."""
        partners = self.Partner.with_context(active_test=False).search(
            ["|", ("bce_number", "!=", False), ("vat", "!=", False)]
        )
        rows = sorted(
            (
                p.bce_number or "",
                p.name,
                p.active,
                p.is_bce_prospect,
                p.email or "",
                p.zip or "",
                p.rgpd_bce_import_created_id == record,
                tuple(
                    p.message_ids.filtered(lambda m: "Archived" in (m.body or "")).mapped("body")
                ),
            )
            for p in partners
        )
        return record.read(COUNTS)[0] | {"id": 0}, rows

    def changes_since_the_staging(self):
        """An opposition withdrawn (a number the staging did not see), a
        company typed in by hand with the VAT of a company of the extract
        (which gives it its enterprise number)."""
        self.Blacklist._remove([self.expected[3]], "Changed his mind")
        self.Partner.create(
            {"name": "Typed in by hand", "is_company": True, "vat": f"BE{self.expected[5]}"}
        )

    def test_changes_since_the_staging_decided_as_without_staging(self):
        """Between the staging and the contacts step, an opposition is
        withdrawn and a company typed in with the VAT of one of the extract;
        the contacts step, run by the scheduler in a worker that no longer
        holds the state, builds the number the staging did not see, matches the
        typed-in company, archives a prospect the BCE no longer lists with its
        reason: all as the import without staging (ORM) does on the same data.
        The staged insert runs with no state of the extract alive."""
        self.Partner.create(
            {"name": "Gone", "is_company": True, "is_bce_prospect": True, "bce_number": self.gone}
        )
        with self.env.cr.savepoint() as savepoint:
            self.changes_since_the_staging()
            self.put(self.full)
            orm = self.Import.with_context(rgpd_bce_orm_create=True).run_pending_imports()
            self.assertEqual(orm.state, "done", orm.error_message)
            self.assertFalse(orm.stage_done, "created without staging")
            expected = self.outcome(orm)
            savepoint.rollback()
        self.env.invalidate_all()
        rgpd_bce_import._loaded_state.clear()

        self.Blacklist._add([self.expected[3]], "phone", "Objected before the preparation")
        self.put(self.full)
        record = self.Import.run_pending_imports(max_steps=3)
        self.assertEqual((record.state, record.stage_done), ("ready", True))
        seen = record._staging_tables()[2]
        self.env.cr.execute(f'SELECT count(*) FROM "{seen}" WHERE bce_number = %s', [self.gone])
        self.assertEqual(self.env.cr.fetchone(), (0,))
        self.changes_since_the_staging()
        rgpd_bce_import._loaded_state.clear()  # another worker runs the last step

        insert_staged = partner_insert._PartnerInsert.insert_staged
        states_alive = []

        def spy(inserter, *args):
            gc.collect()
            states_alive.append(
                sum(isinstance(thing, LegalPersonState) for thing in gc.get_objects())
            )
            return insert_staged(inserter, *args)

        with patch.object(partner_insert._PartnerInsert, "insert_staged", spy):
            self.run_cron(self.cron)
        self.assertEqual(record.state, "done", record.error_message)
        self.assertEqual(states_alive, [0], "the staged insert runs without the state")
        self.assertFalse(rgpd_bce_import._loaded_state)
        self.assertEqual(self.outcome(record), expected)
        counts, rows = expected
        self.assertEqual(counts["count_created"], len(self.expected) - 1)
        self.assertEqual(counts["count_archived"], 1)
        typed_in = [row for row in rows if row[0] == self.expected[5]]
        self.assertEqual(
            [(row[1], row[3]) for row in typed_in],
            [("Typed in by hand", False)],
            "matched (its VAT gave it the number), not doubled nor made a prospect",
        )
        self.assertIn(
            (self.expected[3], True, True),
            [(row[0], row[2], row[6]) for row in rows],
            "the number the staging did not see is created",
        )
        gone = next(row for row in rows if row[0] == self.gone)
        self.assertEqual(gone[2], False)
        self.assertIn("the BCE no longer lists it", gone[7][0])

    def test_prospects_left_out_read_by_ranges_of_ids(self):
        """A later full's contacts step, run by the scheduler, finds the
        prospects it leaves out range of ids by range of ids: those of the
        first full no longer in the perimeter are archived, the others stay
        active."""
        self.put(self.full)
        self.run_cron(self.cron)
        first = self.prospects()
        self.assertEqual(sorted(first.mapped("bce_number")), self.expected)
        later = self.companies(self.later_full)
        leaving = set(self.expected) - set(later)
        self.assertTrue(leaving, "the later full leaves some out")
        self.put(self.later_full)
        found = []
        not_given = partner_sync._PartnerSync._not_given_prospects

        def spy(sync, given):
            ids = not_given(sync, given)
            found.append(ids)
            return ids

        with (
            patch.object(partner_sync, "ARCHIVE_CHUNK", 7),
            patch.object(partner_sync._PartnerSync, "_not_given_prospects", spy),
        ):
            self.run_cron(self.cron)
        record = self.Import.search([], limit=1)
        self.assertEqual(
            (record.extract_type, record.state), ("full", "done"), record.error_message
        )
        self.assertTrue(record.stage_done)
        self.assertEqual(len(found), 1)
        self.assertEqual(sorted(found[0]), found[0], "in the order of the ids")
        self.assertEqual(set(self.Partner.browse(found[0]).mapped("bce_number")), leaving)
        self.assertEqual(record.count_archived, len(leaving))
        self.assertEqual(
            set(self.prospects(active=False).mapped("bce_number")) & set(self.expected), leaving
        )
        self.assertEqual(sorted(self.prospects().mapped("bce_number")), later)
