import json
import random
from datetime import date

from odoo import models
from odoo.addons.rgpd_prospection.bce_engine import Company, ExtractMeta
from odoo.addons.rgpd_prospection.bce_engine.numbers import format_enterprise_number
from odoo.addons.rgpd_prospection.models.bce_import.partner_insert import (
    MISSING,
    array_literal,
    copy_escape,
    json_texts,
    normalized_email,
)
from odoo.addons.rgpd_prospection.models.bce_import.partner_sync import _PartnerSync
from odoo.addons.rgpd_prospection.tools import belgian_e164, nace_codes_text, nace_codes_texts
from odoo.tests import tagged
from odoo.tools import email_normalize

from .common import RgpdCase, enterprise_number


def company(base, name, **values):
    values = {
        "name_language": "fr",
        "juridical_form": "014",
        "juridical_form_cac": None,
        "start_date": date(1998, 3, 1),
        "postal_code": "4000",
        "municipality_fr": "Liège",
        "municipality_nl": "Luik",
        "language": "fr",
        "nace_codes": (("2025", "62100", "MAIN"), ("2008", "62010", "MAIN")),
        **values,
    }
    return Company(bce_number=enterprise_number(base), name=name, **values)


@tagged("post_install", "-at_install")
class TestPrepareRows(RgpdCase):
    """The rows the preparation stages (values taken column by column, Belgian
    numbers formatted without parsing again) against ORM ``create``, on
    values that COPY's text format and the formulas find awkward."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.meta = ExtractMeta("full", 147, date(2025, 10, 12), date(2025, 10, 12), "1.0")
        shared_phone, shared_email = "+3242223344", "office@shared.be"
        cls.companies = [
            company(2000001, 'Schrijnwerkerij "Lumen"', emails=("info@lumen.be",)),
            company(2000002, "Back\\slash\tand tab", phones=("+3253390070",)),
            company(2000003, "New\nline\r\nSRL", phones=("+32470123456",), flags=("mobile_phone",)),
            company(2000004, "Liège Frères — Ça Œuvre", emails=("Info@Exämple.BE",)),
            company(2000005, "Très longue dénomination " * 20, phones=("+33142685300",)),
            company(2000006, None, phones=("053/39.00.70",)),  # a number not in E.164
            company(2000007, "  Spaces around  ", phones=("+3212",)),  # Belgian, not valid
            company(2000008, "L'Oréal \\N", emails=()),  # COPY's NULL spelled in a name
            company(2000009, "Shared one", phones=(shared_phone,), emails=(shared_email,)),
            company(2000010, "Shared two", phones=(shared_phone,), emails=(shared_email,)),
            company(
                2000011,
                "Buiten België",
                postal_code=None,  # a seat abroad: no country, the company's for phones
                municipality_fr=None,
                municipality_nl=None,
                phones=("+3225551234",),
                language="nl",
            ),
            company(2000012, "Ostbelgien GmbH", postal_code="4700", language="de"),
            company(2000013, "Blacklisted SA", phones=("+3253390071",)),
        ]
        cls.numbers = [c.bce_number for c in cls.companies]
        cls.excluded = {cls.numbers[-1]}

    def _rows(self, path):
        """The stored fields of the prospects made by ``path``: ``orm``
        (``create``), ``insert`` (one COPY) or ``stage`` (the committed steps'
        staging tables, then the last step's INSERT)."""
        Partner = self.env["res.partner"].sudo()
        if path == "orm":
            Partner = Partner.with_context(rgpd_bce_orm_create=True)
        skipped = {"id", "create_date", "write_date", "bce_last_sync", "bce_last_values"}
        names = [
            name
            for name, field in Partner._fields.items()
            if field.store and name not in skipped and field.type != "one2many"
        ]
        with self.env.cr.savepoint() as savepoint:
            record = self.env["rgpd.bce.import"].create({"file_name": "prepare.zip"})
            sync = _PartnerSync(Partner, self.meta, self.excluded, bce_import=record)
            if path == "stage":
                record._create_staging()
                table = record._staging_table()
                columns, many2many = sync.stage(self.companies, self.numbers, table)
                sync.run_staged(self.numbers, set(), table, columns, many2many, lambda n: [])
            else:
                sync.run(self.companies, [])
            self.env.invalidate_all()
            prospects = Partner.with_context(active_test=False).search(
                [("bce_number", "in", self.numbers)]
            )
            rows = {
                partner.bce_number: {
                    name: sorted(value.mapped("display_name"))
                    if isinstance(value := partner[name], models.BaseModel)
                    else value
                    for name in names
                }
                for partner in prospects
            }
            # the BCE values compared at the next import, the code records by
            # name: they are created again in each savepoint
            codes = ("bce_main_nace_id", "bce_juridical_form_id")
            last_values = {
                p.bce_number: {
                    **p.bce_last_values,
                    **{name: p[name].display_name for name in codes},
                }
                for p in prospects
            }
            self.assertTrue(all(p.commercial_partner_id == p for p in prospects))
            savepoint.rollback()
        self.env.invalidate_all()
        return rows, last_values

    def test_staged_rows_read_as_created(self):
        by_orm, orm_values = self._rows("orm")
        self.assertEqual(sorted(by_orm), self.numbers[:-1], "the blacklisted one is left out")
        for path in ("insert", "stage"):
            rows, values = self._rows(path)
            self.assertEqual(rows.keys(), by_orm.keys(), path)
            for number, expected in by_orm.items():
                for name, value in expected.items():
                    self.assertEqual(rows[number][name], value, f"{path} {number} {name}")
            self.assertEqual(values, orm_values, path)
        rows = {values["bce_number"]: values for values in by_orm.values()}
        names = [rows[number]["name"] for number in self.numbers[:3]]
        self.assertEqual(names[1:], ["Back\\slash\tand tab", "New\nline\r\nSRL"])
        self.assertEqual(rows[self.numbers[5]]["name"], format_enterprise_number(self.numbers[5]))
        self.assertEqual(rows[self.numbers[7]]["name"], "L'Oréal \\N")
        self.assertEqual(rows[self.numbers[6]]["complete_name"], "Spaces around")
        phones = [rows[number]["phone_sanitized"] for number in self.numbers[1:11]]
        self.assertEqual(
            phones,
            [
                "+3253390070",
                "+32470123456",
                False,  # no e-mail, no phone
                "+33142685300",
                "+3253390070",
                False,  # "+3212" is not a number
                False,
                "+3242223344",
                "+3242223344",
                "+3225551234",
            ],
        )

    def test_belgian_numbers_formatted_as_phone_validation_does(self):
        """The short path gives what ``_phone_format_number`` gives, for
        Belgium and any other country, on valid and invalid numbers of 8 and
        9 digits of every prefix; other spellings are left to it."""
        Partner = self.env["res.partner"]
        countries = self.env.ref("base.be") | self.env.ref("base.fr") | self.env["res.country"]
        numbers = [
            f"+32{prefix}{rest}"
            for prefix in range(1, 10)
            for rest in ("2345678", "23456789", "0000000", "99999999")
        ]
        numbers += ["+32470123456", "+3253390070", "+3225551234", "+32800123456", "+3278151515"]
        short = 0
        for number in numbers:
            fast = belgian_e164(number)
            self.assertIsNotNone(fast, number)
            short += bool(fast)
            for country in countries:
                self.assertEqual(fast, Partner._phone_format_number(number, country), number)
        self.assertTrue(5 <= short < len(numbers), "valid and invalid numbers both tried")
        for number in (
            "053/39.00.70",
            "+33142685300",
            "+320123456789",
            "+32 53 39 00 70",
            "",
            None,
        ):
            self.assertIsNone(belgian_e164(number), number)

    def test_column_helpers_equal_their_rules(self):
        """The helpers that render the staged rows column by column give what
        the rule they replace gives, value by value, on awkward values."""
        sync = _PartnerSync(self.env["res.partner"].sudo(), self.meta, set())
        sync._ensure_codes(self.companies)
        # the values of each company, as the dict per company was built before
        for company, values in zip(self.companies, sync._values_of(self.companies), strict=True):
            self.assertEqual(list(values)[:3], ["name", "email", "phone"])
            self.assertEqual(
                values["name"], company.name or format_enterprise_number(company.bce_number)
            )
            self.assertEqual(values["email"], company.emails[0] if company.emails else False)
            self.assertEqual(values, {**values, **sync._address_values(company)})
            self.assertEqual(
                values["bce_nace_codes"],
                nace_codes_text((version, code) for version, code, _cls in company.nace_codes),
            )
            self.assertEqual(values.get("lang"), sync.langs.get(company.language))
        # the JSON of the BCE values: json.dumps of each dict, a key left out
        # where a row does not give it
        texts = ["Back\\slash\tand tab", 'say "hi"', "New\nline\r\n", "Œuvre ☃ \ud83d", "%s %d"]
        columns = {
            "name": [*texts, "plain"],
            "email": [False, "a@b.be", False, True, None, 0],
            "country_id": [20, False, 1, 0, 2**40, 7],
            "lang": ["fr_BE", MISSING, "nl_BE", MISSING, MISSING, MISSING],
            "none": [MISSING] * 6,
        }
        rows = [
            {name: values[i] for name, values in columns.items() if values[i] is not MISSING}
            for i in range(6)
        ]
        self.assertEqual(json_texts(columns), [copy_escape(json.dumps(row)) for row in rows])
        self.assertEqual(sync._rows(columns), rows)
        # the NACE texts, each list of activities as one at a time
        lists = [company.nace_codes for company in self.companies] + [(), (("2008", "1", "MAIN"),)]
        lists.append(
            (("2025", "62100", "SECONDARY"), ("2025", "62100", "MAIN"), ("2008", "0", "x"))
        )
        self.assertEqual(
            nace_codes_texts(lists),
            [nace_codes_text(triple[:2] for triple in triples) for triples in lists],
        )
        # addresses taken as they are only when email_normalize gives them back
        rng = random.Random(22)
        addresses = ["info@lumen.be", "Info@Exämple.BE", "a..b@x.be", ".a@x.be", "a@x.", "a b@x.be"]
        addresses += ["-@-", "x+y@sub.do-main.be", '"q"@x.be', "a@b@c", "", False, None]
        addresses += [
            "".join(rng.choice("ab0_+-.@ A") for _i in range(rng.randint(3, 12)))
            for _j in range(3000)
        ]
        for address in addresses:
            self.assertEqual(
                normalized_email(address), email_normalize(address, strict=False), address
            )
        # array literals: plain texts at once, others escaped one by one
        self.assertEqual(array_literal(["0200012614", "12"]), '{"0200012614","12"}')
        self.assertEqual(array_literal(['a","b', "c\\d"]), '{"a\\",\\"b","c\\\\d"}')
        self.assertEqual(array_literal([3, 4]), "{3,4}")
        self.assertEqual(array_literal([]), "{}")
