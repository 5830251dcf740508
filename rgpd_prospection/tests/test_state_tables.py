"""The legal persons' state in the module's tables: an update reads and writes
only the enterprises it may change, and leaves the tables as the whole state
would be; the first update after an upgrade (tables empty, the state attached)
loads them once; erasure reaches them."""

import shutil
import tempfile
from pathlib import Path
from unittest.mock import patch

import numpy as np
import pandas as pd
from odoo.addons.rgpd_prospection.bce_engine import (
    Perimeter,
    apply_update_extract,
    read_full_extract,
    state_store,
)
from odoo.addons.rgpd_prospection.bce_engine.model import FIRST_UNIT, STATE_TABLES
from odoo.addons.rgpd_prospection.models.bce_import import state_tables
from odoo.tests import tagged
from odoo.tools import SQL

from .common import RgpdCase

PARAM = "rgpd_prospection.bce_"


def normalised(frame):
    frame = frame.astype(str)
    return frame.sort_values(list(frame.columns), kind="stable").reset_index(drop=True)


@tagged("post_install", "-at_install")
class TestStateTables(RgpdCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from .. import bce_synth

        cls.Import = cls.env["rgpd.bce.import"]
        cls.source = Path(tempfile.mkdtemp(prefix="rgpd_state_tables_"))
        cls.addClassCleanup(shutil.rmtree, cls.source, True)
        cls.full = bce_synth.generate_full(cls.source / "a/", enterprises=300, seed=1)
        cls.update, cls.later = bce_synth.generate_update(cls.full, cls.source / "b", seed=2)
        cls.next_update, _ = bce_synth.generate_update(cls.later, cls.source / "c", seed=3)
        cls.env["ir.config_parameter"].set_param(PARAM + "postal_codes", "1000-9999")

    def setUp(self):
        super().setUp()
        self.folder = Path(tempfile.mkdtemp(prefix="rgpd_state_folder_"))
        self.addCleanup(shutil.rmtree, self.folder, True)
        self.env["ir.config_parameter"].set_param(PARAM + "extract_folder", str(self.folder))

    def run_import(self, path):
        shutil.copy(path, self.folder / Path(path).name)
        record = self.Import.run_pending_imports()
        self.assertEqual(record.state, "done", record.error_message)
        return record

    def assert_tables_hold(self, state):
        store = self.Import._state_store()
        whole = store.whole()
        self.assertEqual(whole.meta, state.meta)
        for table in STATE_TABLES:
            pd.testing.assert_frame_equal(
                normalised(getattr(whole, table)), normalised(getattr(state, table)), obj=table
            )
        self.assertEqual(
            store.table_counts(), {table: len(getattr(state, table)) for table in STATE_TABLES}
        )

    def test_updates_go_through_the_tables(self):
        full = self.run_import(self.full)
        self.assertFalse(full.state_partial)
        # as after an upgrade: the tables do not hold the last state yet
        self.assertNotEqual(self.Import._state_store().import_id, full.id)

        first = self.run_import(self.update)
        # loading the tables was a committed step of its own, before the engine's
        self.assertTrue(first.state_partial, "a daily update reads a sub-state")
        whole = apply_update_extract(self.update, read_full_extract(self.full).state)
        self.assertEqual(first.engine_changes, whole.changes())
        self.assertEqual(first.drops, dict(+whole.drops))
        expected = whole.state
        self.assertEqual(first.count_read, len(expected))
        partial = self.Import._state_of(first.state_attachment_id)
        self.assertLess(len(partial), len(expected))
        self.assertEqual(self.Import._state_store().import_id, first.id)
        self.assert_tables_hold(expected)

        second = self.run_import(self.next_update)
        self.assertTrue(second.state_partial)
        whole = apply_update_extract(self.next_update, expected)
        self.assertEqual(second.engine_changes, whole.changes())
        expected = whole.state
        self.assertEqual(second.count_read, len(expected))
        self.assertEqual(second.table_counts["enterprises"], len(expected))
        self.assert_tables_hold(expected)

    def test_holders_of_values_as_the_whole_state_answers(self):
        """Who else holds contact values, read from the tables by index, is
        what the whole state in memory answers: establishments' values owned
        by their enterprise, the first holder only (the cap), the totals."""
        state = read_full_extract(self.full).state
        store = self.Import._state_store()
        store.replace_all(state, None)
        values = set(state.contacts["value"].astype(object))
        exclude = np.sort(state.enterprises["bce"].to_numpy()[::7])
        expected = state_store.MemoryStore(state).holders_of(values, exclude, 1)
        answer = store.holders_of(values, exclude, 1)
        self.assertTrue((expected[0]["entity"].to_numpy() >= FIRST_UNIT).any())
        self.assertTrue(any(total > 1 for total in expected[2].values()), "a value held widely")
        for got, wanted in zip(answer[:2], expected[:2], strict=True):
            pd.testing.assert_frame_equal(normalised(got), normalised(wanted))
        self.assertEqual(answer[2], expected[2])

    def test_upgrade_from_a_database_without_tables(self):
        """A database of the former version holds the whole state attached to
        its last import and no tables: the upgrade makes them, the next update
        loads them once, in a step of its own, then applies itself through them."""
        full = self.run_import(self.full)
        for table in ("meta", "enterprise", "unit", "name", "address", "contact", "activity"):
            self.env.cr.execute(SQL("DROP TABLE %s", SQL.identifier(f"rgpd_bce_state_{table}")))
        self.Import.init()  # what the module's upgrade runs
        self.assertIsNone(self.Import._state_store().import_id)
        shutil.copy(self.update, self.folder / Path(self.update).name)
        self.Import.run_pending_imports(max_steps=1)  # start
        record = self.Import.run_pending_imports(max_steps=1)
        self.assertEqual(record.state, "running", "loading the tables is a step of its own")
        self.assertEqual(self.Import._state_store().import_id, full.id)
        self.assert_tables_hold(read_full_extract(self.full).state)
        record = self.Import.run_pending_imports()
        self.assertEqual(record.state, "done", record.error_message)
        self.assertTrue(record.state_partial)
        self.assert_tables_hold(
            apply_update_extract(self.update, read_full_extract(self.full).state).state
        )

    def test_settings_changed_while_an_update_is_applied(self):
        """The contacts are then compared with the whole perimeter: the whole
        state is the tables with the update's sub-state written over them."""
        self.run_import(self.full)
        self.run_import(self.update)  # the tables now hold the state of this update
        from .. import bce_synth

        next_update, later = bce_synth.generate_update(self.later, self.source / "d", seed=4)
        shutil.copy(next_update, self.folder / Path(next_update).name)
        record = self.Import.browse()
        while not record or record.state == "running":
            record = self.Import.run_pending_imports(max_steps=1)
        self.assertEqual(record.state, "ready", record.error_message)
        self.assertTrue(record.state_partial)
        self.env["ir.config_parameter"].set_param(PARAM + "postal_codes", "1000-4999")
        record = self.Import.run_pending_imports()
        self.assertEqual(record.state, "done", record.error_message)
        self.assertTrue(record.full_sync)
        expected = {
            company.bce_number
            for company in read_full_extract(later).companies(Perimeter(postal_codes="1000-4999"))
        }
        prospects = self.Partner.search([("is_bce_prospect", "=", True)])
        self.assertEqual(set(prospects.mapped("bce_number")), expected)

    def test_a_mass_update_takes_the_whole_state(self):
        """An update touching a large share of the register reads the whole
        state from the tables and attaches it; the next update loads the tables
        from it once."""
        self.run_import(self.full)
        self.run_import(self.update)
        store = self.Import._state_store()
        with patch.object(state_tables, "SLICE_ROWS", 40):
            # the tables and the activities are read by slices of their keys
            self.assertGreater(len(store._slice_bounds("activities")), 3)
            self.assertGreater(len(store._slice_bounds("names")), 3)
            with (
                patch.object(state_store, "FULL_PATH_MIN", 0),
                patch.object(state_store, "FULL_PATH_SHARE", 0.0),
            ):
                mass = self.run_import(self.next_update)
        self.assertFalse(mass.state_partial)
        whole = apply_update_extract(
            self.next_update,
            apply_update_extract(self.update, read_full_extract(self.full).state).state,
        )
        self.assertEqual(mass.engine_changes, whole.changes())
        # the reading's drops (the contacts step adds its own)
        self.assertEqual({key: mass.drops.get(key, 0) for key in whole.drops}, dict(whole.drops))
        attached = self.Import._state_of(mass.state_attachment_id)
        for table in STATE_TABLES:
            pd.testing.assert_frame_equal(
                normalised(getattr(attached, table)),
                normalised(getattr(whole.state, table)),
                obj=table,
            )
        # the tables still hold the previous state: the next import loads this one
        self.assertNotEqual(self.Import._state_store().import_id, mass.id)
        self.assertFalse(self.Import._state_tables_current(mass))
        self.Import._load_state_tables(mass)
        self.assert_tables_hold(whole.state)

    def test_a_step_that_fails_leaves_the_tables_as_they_were(self):
        self.run_import(self.full)
        first = self.run_import(self.update)
        before = self.Import._state_store().whole()
        self.assertEqual(self.Import._state_store().import_id, first.id)
        with self.assertRaises(RuntimeError), self.env.cr.savepoint():
            self.Import._state_store().write_rows(before, [], first.id, {})
            raise RuntimeError("rolled back")
        self.assert_tables_hold(before)

    def personal_rows(self, owner):
        rows = {}
        for table in ("name", "address", "contact"):
            self.env.cr.execute(
                SQL(
                    """SELECT count(*) FROM %s WHERE entity = %s
                          OR entity IN (SELECT unit FROM rgpd_bce_state_unit WHERE bce = %s)""",
                    SQL.identifier(f"rgpd_bce_state_{table}"),
                    owner,
                    owner,
                )
            )
            rows[table] = self.env.cr.fetchone()[0]
        return rows

    def test_erasure_reaches_the_tables(self):
        self.run_import(self.full)
        self.run_import(self.update)
        partner = self.Partner.search(
            [("is_bce_prospect", "=", True), ("email", "!=", False)], limit=1
        )
        owner = int(partner.bce_number)
        before = self.personal_rows(owner)
        self.assertTrue(before["name"] and before["contact"])
        counts = self.Import._state_store().table_counts()
        partner._rgpd_erase("test")
        self.assertEqual(self.personal_rows(owner), dict.fromkeys(before, 0))
        after = self.Import._state_store().table_counts()
        self.assertEqual(after["contacts"], counts["contacts"] - before["contact"])
        self.assertEqual(after["names"], counts["names"] - before["name"])
        self.env.cr.execute(SQL("SELECT count(*) FROM rgpd_bce_state_contact"))
        self.assertEqual(after["contacts"], self.env.cr.fetchone()[0])
        # the next update goes on from the tables without the erased data
        self.run_import(self.next_update)
        self.assertFalse(self.personal_rows(owner)["name"])
