import logging
from unittest.mock import patch

from freezegun import freeze_time
from odoo import fields, models
from odoo.addons.rgpd_prospection.models.bce_import import partner_sync, partner_update
from odoo.tests import tagged

from .import_case import ImportCase

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestPartnerUpdate(ImportCase):
    """The set-based write of the prospects an update changes against ORM
    ``write``: run whenever Odoo or an installed module changes the contacts."""

    extract_updates = 1

    def run_import(self, path, **context):
        self.put(path)
        record = self.Import.with_context(**context).run_pending_imports()
        self.assertEqual(record.state, "done", record.error_message)
        return record

    def test_set_based_write_equals_orm_write(self):
        """The fast path leaves every stored field, link and chatter note as
        ``write`` does; an opposed company gets none of the BCE's changes either
        way (it is archived, as before)."""
        Partner = self.Partner.with_context(active_test=False)
        skipped = {"id", "create_date", "write_date", "bce_last_sync"}
        names = [
            name
            for name, field in Partner._fields.items()
            if field.store and field.type != "one2many" and name not in skipped
        ]

        def comparable(value):
            if isinstance(value, models.BaseModel):
                return sorted(value.mapped("display_name"))
            return value

        self.run_import(self.full)

        def apply_update(orm):
            with self.env.cr.savepoint() as savepoint:
                record = self.run_import(self.update, rgpd_bce_orm_write=orm)
                self.env.invalidate_all()
                partners = Partner.search([])
                # keyed by number: the ids of the prospects created differ
                rows = {
                    partner.bce_number or partner.id: {
                        name: comparable(partner[name]) for name in names
                    }
                    for partner in partners
                }
                notes = {
                    partner.bce_number or partner.id: sorted(
                        str(body)
                        for body in partner.message_ids.mapped("body")
                        if "extract 148" in str(body)
                    )
                    for partner in partners
                }
                counts = record.read(["count_updated", "count_created", "count_archived"])[0]
                counts.pop("id")
                savepoint.rollback()
            self.env.invalidate_all()
            return rows, notes, counts

        with freeze_time(fields.Datetime.now()):
            # two of the prospects the update changes: one corrected by hand,
            # which both paths keep; one that objected, which both leave alone
            rows, notes, _counts = apply_update(True)
            changed = sorted(key for key, texts in notes.items() if texts)
            hand, opposed = (Partner.search([("bce_number", "=", key)]) for key in changed[:2])
            hand.phone = "+32 2 555 01 01"
            self.env["rgpd.blacklist"]._add([opposed.bce_number], "request", "Objected")
            self.env.flush_all()
            synced = ["name", "email", "phone", "zip", "city", "bce_extract_number"]
            synced += ["bce_nace_codes", "bce_main_nace_id"]
            opposed_before = {name: comparable(opposed[name]) for name in synced}
            by_orm = apply_update(True)
            # the fields each record wrote set-based: each is marked modified
            # on those records only (their computed fields, e.g. the sanitized
            # phone, compared below with write's)
            written, write_bulk = [], partner_update._PartnerUpdate._write_bulk

            def spy(writer, writes):
                written.extend(set(vals) for _partner, vals in writes)
                return write_bulk(writer, writes)

            with patch.object(partner_update._PartnerUpdate, "_write_bulk", spy):
                by_sql = apply_update(False)
            with patch.object(partner_update._PartnerUpdate, "_write_bulk") as bulk:
                apply_update(False)
                # set-based unless a module this does not know overrides ``write``
                usable = partner_update._PartnerUpdate(Partner.sudo()).usable
                self.assertEqual(bulk.called, usable)
                if not usable:
                    _logger.warning("contacts written by ORM write: a module overrides it")
        if usable:
            self.assertTrue(
                any(
                    0 < sum(name in fnames for fnames in written) < len(written)
                    for name in ("name", "email", "phone")
                ),
                "some records write a field the others do not",
            )
        rows_orm, notes_orm, counts_orm = by_orm
        rows_sql, notes_sql, counts_sql = by_sql
        self.assertEqual(counts_sql, counts_orm)
        self.assertGreater(counts_sql["count_updated"], 0)
        self.assertGreater(counts_sql["count_archived"], 0)
        self.assertEqual(rows_sql.keys(), rows_orm.keys())
        for pid, values in rows_orm.items():
            for name, value in values.items():
                self.assertEqual(rows_sql[pid][name], value, f"{pid} {name}")
        self.assertEqual(notes_sql, notes_orm)
        self.assertTrue(any(notes_sql.values()), "the chatter says what changed")
        opposed_after = rows_sql[opposed.bce_number]
        self.assertEqual({name: opposed_after[name] for name in synced}, opposed_before)
        self.assertFalse(opposed_after["active"], "an opposed prospect leaves the prospects")
        self.assertEqual(rows_sql[hand.bce_number]["phone"], "+32 2 555 01 01")

    def test_set_based_notes_read_as_logged_ones(self):
        """The notes of an update logged set-based (from ``NOTES_SQL_MIN`` at
        once) store every column as ``_message_log_batch`` does, one per
        changed prospect, and the chatter shows them the same."""
        from odoo.addons.mail.tools.discuss import Store

        Message = self.env["mail.message"].sudo()
        skipped = {"id", "create_date", "write_date", "message_id", "date"}
        names = [
            name
            for name, field in Message._fields.items()
            if field.store and field.type != "one2many" and name not in skipped
        ]
        self.run_import(self.full)
        before = Message.search([]).ids

        def notes_of(orm):
            with self.env.cr.savepoint() as savepoint:
                record = self.run_import(self.update, rgpd_bce_orm_notes=orm)
                self.env.invalidate_all()
                messages = Message.search([("id", "not in", before), ("model", "=", "res.partner")])
                partners = self.Partner.with_context(active_test=False).browse(
                    messages.mapped("res_id")
                )
                numbers = dict(zip(partners.ids, partners.mapped("bce_number"), strict=True))
                rows = {
                    numbers[message.res_id]: {
                        name: str(message[name]) if name == "body" else message[name]
                        for name in names
                        if name != "res_id"
                    }
                    for message in messages
                }
                store = Store().add(messages).get_result()["mail.message"]
                shown = {}
                for item in store:
                    item = dict(item)
                    number = numbers[item.pop("res_id", None) or Message.browse(item["id"]).res_id]
                    for key in ("id", "create_date", "write_date", "date", "thread"):
                        item.pop(key, None)
                    shown[number] = item
                ids = len(set(messages.mapped("message_id")))
                count = record.count_updated + record.count_archived
                savepoint.rollback()
            self.env.invalidate_all()
            return rows, shown, ids, count

        with freeze_time(fields.Datetime.now()), patch.object(partner_sync, "NOTES_SQL_MIN", 2):
            by_orm = notes_of(True)
            with patch.object(
                partner_sync._PartnerSync,
                "_copy_note",
                autospec=True,
                side_effect=partner_sync._PartnerSync._copy_note,
            ) as copy:
                by_sql = notes_of(False)
        self.assertTrue(copy.called, "the notes were copied set-based")
        rows_orm, shown_orm, _ids, count = by_orm
        rows_sql, shown_sql, _ids, _count = by_sql
        self.assertGreater(count, 2)
        self.assertEqual(len(rows_orm), count, "one note per prospect updated or archived")
        self.assertEqual(rows_sql.keys(), rows_orm.keys())
        for number, values in rows_orm.items():
            self.assertEqual(rows_sql[number], values, number)
        self.assertEqual(shown_sql, shown_orm)
        self.assertTrue(all("extract 148" in row["body"] for row in rows_sql.values()))

    def test_notes_kept_as_they_are_are_those_the_sanitizer_keeps(self):
        """A note copied set-based without the HTML sanitizer is one it would
        give back unchanged, whatever character a BCE value holds; the others
        (quotes, control characters, no-break space) go through it."""
        from markupsafe import Markup, escape
        from odoo.tools.mail import html_sanitize

        codes = [*range(0x01, 0x3000), *range(0xD7F0, 0xD800), *range(0xE000, 0x10000, 7)]
        kept = 0
        for code in [*codes, 0x1F600, 0x10FFFF]:
            value = f"a{chr(code)}b & <i>c</i>"
            body = Markup("<p>%s</p><ul><li>%s: %s → %s</li></ul><p>%s</p>") % (
                "The BCE import of extract 148 changed:",
                "Name",
                value,
                escape("(empty)"),
                "why",
            )
            if partner_sync.SANITIZED.fullmatch(body):
                kept += 1
                self.assertEqual(html_sanitize(body, sanitize_style=True), body, hex(code))
        self.assertGreater(kept, 10000, "most values need no sanitizing")
        for value in ("l'Europe", 'say "x"', "a\x0bb", "a\rb", "a\xa0b"):
            body = Markup("<p>%s</p>") % value
            self.assertFalse(partner_sync.SANITIZED.fullmatch(body), value)
        self.assertFalse(partner_sync.SANITIZED.fullmatch(Markup('<p class="x">a</p>')))

    def test_update_streamed_archives_the_changed_numbers_not_built(self):
        """An update's companies are synced as they come (a mass update's are
        not listed first): of the numbers it changed, those not built leave;
        one built but excluded stays as it is, and so does one not changed."""
        from types import SimpleNamespace

        self.run_import(self.full)
        leaving, excluded, untouched = self.prospects()[:3]
        meta = SimpleNamespace(extract_number=148, snapshot_date=fields.Date.today())
        sync = partner_sync._PartnerSync(self.Partner.sudo(), meta, {excluded.bce_number})
        given = iter([SimpleNamespace(bce_number=excluded.bce_number)])
        counts = sync.run(given, None, {leaving.bce_number, excluded.bce_number})
        self.assertEqual(next(given, None), None, "the companies were read")
        self.assertEqual(counts["count_archived"], 1)
        self.assertEqual(counts["count_kept"], 1)
        self.assertEqual((leaving + excluded + untouched).mapped("active"), [False, True, True])
        self.assertIn("extract 148", str(leaving.message_ids[:1].body))

    def test_current_values_read_in_sql_as_the_orm_reads_them(self):
        """The values an update compares, read in one query, are those the ORM
        reads (empty, dates, booleans, many2one, the tag); the notes read as
        formatted by ``Markup``, whatever the values hold."""
        from markupsafe import Markup

        self.run_import(self.full)
        Partner = self.Partner.sudo().with_context(active_test=False)
        partners = Partner.search([("is_bce_prospect", "=", True)], limit=40)
        first, second = partners[:2]
        first.write({"phone": False, "bce_start_date": False, "active": False})
        second.write({"city": "L'Europe <b> & co", "country_id": False})
        sync = partner_sync._PartnerSync(Partner, None, [])
        second.category_id -= sync.tag
        fnames = ["name", "email", "phone", "zip", "city", "country_id", "lang", "active"]
        fnames += ["bce_juridical_form_id", "bce_start_date", "bce_main_nace_id", "bce_nace_codes"]
        currents, tagged = sync._read_current(partners.ids, fnames)
        self.env.invalidate_all()
        self.assertEqual(
            currents, {p.id: {f: sync._current(p, f) for f in fnames} for p in partners}
        )
        self.assertEqual(tagged, {p.id for p in partners if sync.tag in p.category_id})
        self.assertNotIn(second.id, tagged)
        self.assertIs(currents[first.id]["active"], False)
        self.assertIs(currents[first.id]["phone"], False)

        sync.meta = type("Meta", (), {"extract_number": 148})()
        changes = [
            ("city", "L'Europe <b> & co", False),
            ("bce_main_nace_id", False, partners.bce_main_nace_id[:1].id),
            ("bce_nace_codes", "2008:62010", "2025:62100 2008:62010"),
            ("active", True, False),
        ]
        expected = Markup("<p>%s</p><ul>%s</ul>") % (
            "The BCE import of extract 148 changed:",
            Markup("").join(
                Markup("<li>%s: %s → %s</li>")
                % (
                    Partner._fields[f]._description_string(self.env),
                    sync._display(second, f, old),
                    sync._display(second, f, new),
                )
                for f, old, new in changes
            ),
        )
        self.assertEqual(sync._message(second, changes), expected)
        self.assertIn("L&#39;Europe &lt;b&gt; &amp; co", sync._message(second, changes))

    def test_partners_whose_write_does_more_go_through_write(self):
        """A company with a parent, a contact person (archived too), a bank
        account or a user is written by ``write``; a plain prospect is not."""
        Partner = self.Partner.sudo().with_context(active_test=False)
        plain, parented, parent, archived_parent, banked, user_partner = Partner.create(
            [{"name": f"Company {i}", "is_company": True} for i in range(6)]
        )
        parented.parent_id = self.env["res.partner"].create({"name": "Group", "is_company": True})
        Partner.create({"name": "Person", "parent_id": parent.id})
        Partner.create({"name": "Gone", "parent_id": archived_parent.id, "active": False})
        self.env["res.partner.bank"].create(
            {"acc_number": "BE71096123456769", "partner_id": banked.id}
        )
        self.env["res.users"].create(
            {"login": "alone_user", "name": "U", "partner_id": user_partner.id}
        )
        partners = plain | parented | parent | archived_parent | banked | user_partner
        writer = partner_update._PartnerUpdate(Partner)
        alone = writer._alone(partners, [(partner, {"name": "x"}) for partner in partners])
        self.assertEqual(alone, set((partners - plain).ids))
