from unittest.mock import patch

from freezegun import freeze_time
from odoo import fields, models
from odoo.addons.rgpd_prospection.bce_engine.numbers import format_enterprise_number
from odoo.addons.rgpd_prospection.models.bce_import import partner_insert
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .import_case import ImportCase


@tagged("post_install", "-at_install")
class TestPartnerInsert(ImportCase):
    """The set-based insert of new prospects against ORM ``create``: run
    whenever Odoo or an installed module changes the contacts."""

    def test_set_based_insert_equals_orm_create(self):
        """The fast path leaves every stored field as ``create`` does."""
        Partner = self.Partner.with_context(active_test=False)
        skipped = {"id", "create_date", "write_date", "bce_last_sync", "bce_last_values"}
        names = [
            name
            for name, field in Partner._fields.items()
            if field.store and name not in skipped and field.type != "one2many"
        ]

        def comparable(value):
            """Records by name: the code table's ids change with each load."""
            if isinstance(value, models.BaseModel):
                return sorted(value.mapped("display_name"))
            return value

        def import_full(orm, created=173):
            with self.env.cr.savepoint() as savepoint:
                self.put(self.full)
                Import = self.Import.with_context(rgpd_bce_orm_create=orm)
                self.assertEqual(Import.run_pending_imports().count_created, created)
                prospects = self.prospects()
                rows = {
                    partner.bce_number: {name: comparable(partner[name]) for name in names}
                    for partner in prospects
                }
                self.assertTrue(all(p.commercial_partner_id == p for p in prospects))
                self.assertTrue(all(p.complete_name == p.name for p in prospects))
                self.assertTrue(all(p.create_date == p.write_date for p in prospects))
                savepoint.rollback()
            self.env.invalidate_all()
            return rows

        def assert_same(rows, expected):
            self.assertEqual(rows.keys(), expected.keys())
            for number, values in expected.items():
                for name, value in values.items():
                    self.assertEqual(rows[number][name], value, f"{number} {name}")

        inserter = partner_insert._PartnerInsert(Partner.sudo())
        self.assertTrue(inserter.usable)
        computed = {f.name for f in inserter.computed_here} | {f.name for f in inserter.left_to_orm}
        self.assertTrue(inserter.computed_in_insert, "the staged INSERT computes the DNCM flags")
        stored_computed = {
            name
            for name, field in Partner._fields.items()
            if field.store and field.compute and not getattr(field, "attachment", False)
        }
        self.assertEqual(computed, stored_computed, "every stored computed field is filled")
        # the clock stands still so that defaults set to "now" (calendar's
        # last notification, with Sales or CRM) are equal in every import
        with freeze_time(fields.Datetime.now()):
            # a number on the Do Not Call Me list: the staged INSERT flags its
            # holder in SQL, as the computed fields do after ``create``
            phones = [
                v["phone_sanitized"] for v in import_full(True).values() if v["phone_sanitized"]
            ]
            self.env["rgpd.dncm.number"].sudo().create({"number": phones[0]})
            by_orm, by_sql = import_full(True), import_full(False)
            assert_same(by_sql, by_orm)
            self.assertEqual(
                [number for number, values in by_sql.items() if values["rgpd_dncm_listed"]],
                [
                    number
                    for number, values in by_sql.items()
                    if values["phone_sanitized"] == phones[0]
                ],
            )
            for name in ("email_normalized", "phone_sanitized", "bce_nace_codes", "category_id"):
                self.assertTrue(any(values[name] for values in by_sql.values()), name)
            # the fall-back: stored computed fields the fast path does not compute
            # itself (a module overrides them) are computed by the ORM, same result
            with patch.object(partner_insert._PartnerInsert, "COMPUTED_HERE", {}):
                assert_same(import_full(False), by_orm)
            # without staging (an update's new companies): one COPY, the DNCM
            # flags left to the ORM
            with patch.object(type(self.Import), "_stages", return_value=False):
                assert_same(import_full(False), by_orm)
            # values the fast path does not handle go through ``create``
            with patch.object(partner_insert._PartnerInsert, "can_insert", return_value=False):
                assert_same(import_full(False), by_orm)
            # a partner property with a default (the fast path computes the
            # properties itself): every new prospect gets it, as with ``create``
            definition = (
                self.env["properties.base.definition"]
                .sudo()
                ._get_definition_for_property_field("res.partner", "properties")
            )
            definition.properties_definition = [
                {"name": "rgpd_test", "type": "char", "string": "Test", "default": "given"}
            ]
            by_orm, by_sql = import_full(True), import_full(False)
            assert_same(by_sql, by_orm)
            self.assertTrue(all(values["properties"] for values in by_sql.values()))
            # what the models' guards decide, the same on both paths: a company
            # that objected is not created, an erased or an expired one gets
            # nothing back (three numbers of the extract, set up before)
            numbers = sorted(by_sql)[:3]
            self.Blacklist._add([numbers[0]], "phone", "Objected")
            kept = self.Partner.create(
                [
                    {"name": "Erased", "is_company": True, "bce_number": numbers[1]},
                    {"name": "Expired", "is_company": True, "bce_number": numbers[2]},
                ]
            )
            kept[0].rgpd_anonymized = True
            kept[1].rgpd_expired = True
            by_orm, by_sql = import_full(True, 170), import_full(False, 170)
            assert_same(by_sql, by_orm)
            self.assertFalse(set(numbers) & set(by_sql))

    def test_staged_insert_checks_the_constraints(self):
        """The staged insert checks the uniqueness of the enterprise number
        once over the table, then only on the rows holding a number twice:
        without a twin the batch is created with its links; a staged company
        whose number a company took since the staging is refused with
        ``create``'s message, and nothing of the batch is written."""
        Partner = self.Partner.sudo().with_context(active_test=False, tracking_disable=True)
        tag = self.env.ref("rgpd_prospection.res_partner_category_bce_prospect")
        inserter = partner_insert._PartnerInsert(Partner)
        table = "rgpd_test_staging"
        for name in (table, f"{table}_links"):
            self.env.cr.execute(f'DROP TABLE IF EXISTS "{name}"')
        self.env.cr.execute(f'CREATE TABLE "{table}" (LIKE res_partner INCLUDING DEFAULTS)')
        self.env.cr.execute(
            f'CREATE TABLE "{table}_links" (field varchar, partner_id integer, target_id integer)'
        )
        numbers = ["0403170701", "0200065765"]
        given = {
            "name": [f"Staged {number}" for number in numbers],
            "is_company": [True, True],
            "is_bce_prospect": [True, True],
            "bce_number": numbers,
            "category_id": [[(4, tag.id)]] * 2,
        }
        self.assertTrue(inserter.can_insert_names(set(given)))
        ids, columns, many2many = inserter.stage_columns(given, table)
        with self.env.cr.savepoint() as savepoint:
            inserter.insert_staged(table, ids, columns, many2many, {})
            created = Partner.browse(ids)
            self.assertEqual(created.mapped("bce_number"), numbers)
            self.assertEqual(created.mapped("category_id"), tag)
            self.assertTrue(all(partner.commercial_partner_id == partner for partner in created))
            savepoint.rollback()
        self.env.invalidate_all()
        twin = Partner.create({"name": "Twin", "is_company": True, "bce_number": numbers[1]})
        with self.assertRaises(ValidationError) as staged, self.env.cr.savepoint():
            inserter.insert_staged(table, ids, columns, many2many, {})
        self.env.invalidate_all()
        self.assertEqual(
            str(staged.exception),
            f"The enterprise number {format_enterprise_number(numbers[1])} already belongs to "
            "Twin (archived companies included).",
        )
        self.assertFalse(Partner.search([("id", "in", ids)]), "nothing of the batch is written")
        self.assertEqual(Partner.search([("bce_number", "=", numbers[1])]), twin)
