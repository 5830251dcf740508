from lxml import etree
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .accountability_case import AccountabilityCase

SALES_GROUPS = "base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_user"


@tagged("post_install", "-at_install")
class TestOppositionDoors(AccountabilityCase):
    """An opposed company that an import archived, and the doors a sales user
    finds around it: typing it again, searching it, sending it the notice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("rgpd_prospection.dpo_email", "dpo@example.com")
        cls.number = cls._new_number()
        cls.opposed = cls._prospect(
            "Twin Opposed Works",
            bce_number=cls.number,
            vat=f"BE{cls.number}",
            email="info@twin-opposed.example",
        )
        cls.Blacklist._add([cls.number], "phone", "Called to object")
        cls.opposed.active = False  # what a full import did
        cls.willing = cls._prospect("Willing Notice Ltd", email="info@willing-notice.example")
        cls.sales = new_test_user(cls.env, login="rgpd_doors_sales", groups=SALES_GROUPS)
        cls.manager = new_test_user(
            cls.env,
            login="rgpd_doors_manager",
            groups="base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_manager",
        )
        cls.template = cls.env.ref("rgpd_prospection.rgpd_notice_mail_template")

    def _snapshot(self):
        """What a refused send or creation must leave as it was."""
        self.env.flush_all()
        cr = self.env.cr
        counts = {}
        for table in ("res_partner", "mail_mail", "mail_message", "mail_notification"):
            cr.execute(f"SELECT count(*), max(id) FROM {table}")  # noqa: S608
            counts[table] = cr.fetchone()
        return counts

    # a company typed again by hand

    def test_twin_with_the_same_number_or_vat_is_refused_as_opposed(self):
        Partner = self.Partner.with_user(self.sales)
        for vals in (
            {"bce_number": self.number},
            {"bce_number": f"BE {self.number[:4]}.{self.number[4:7]}.{self.number[7:]}"},
            {"vat": f"BE{self.number}"},
            {"vat": f"be {self.number[1:]}"},
        ):
            with (
                self.subTest(vals=vals),
                self.assertRefusedUnchanged("objected to prospecting", ValidationError),
            ):
                Partner.create({"name": "Twin Opposed (by hand)", "is_company": True, **vals})
        with (
            self.assertRefusedUnchanged("objected to prospecting", ValidationError),
            Form(Partner) as form,
        ):
            form.company_type = "company"
            form.name = "Twin Opposed (form)"
            form.vat = f"BE{self.number}"

    def test_company_typed_with_a_blacklisted_vat_is_opposed_at_once(self):
        """A number on the blacklist without a company left (erased elsewhere,
        a blacklist imported from a backup)."""
        number = self._new_number()
        self.Blacklist._add([number], "request", "Objected by letter")
        created = self.Partner.with_user(self.sales).create(
            {
                "name": "Typed By Hand",
                "is_company": True,
                "vat": f"BE {number[:4]}.{number[4:7]}.{number[7:]}",
                "email": "info@typed-by-hand.example",
            }
        )
        self.assertEqual(created.bce_number, number)
        self.assertTrue(created.rgpd_opted_out)
        self.assertTrue(
            self.Partner.search([("id", "=", created.id), ("rgpd_opted_out", "=", True)])
        )
        self.assertTrue(
            self.env["mail.blacklist"].search([("email", "=", "info@typed-by-hand.example")]),
            "its address joined Odoo's blacklist at once",
        )
        edited = self.Partner.with_user(self.sales).create({"name": "Edited", "is_company": True})
        other = self._new_number()
        self.Blacklist._add([other], "request", "Objected by letter")
        edited.with_user(self.sales).write({"vat": f"BE{other}"})
        self.assertTrue(edited.rgpd_opted_out)

    def test_sales_cannot_edit_a_company_out_of_its_opposition(self):
        company = self._prospect("Opposed Editable", email="info@opposed-editable.example")
        person = self._person(company, "Desk", email="desk@opposed-editable.example")
        self.Blacklist._add([company.bce_number], "phone", "No")
        number = company.bce_number
        for record, vals in (
            (company, {"bce_number": False}),
            (company, {"bce_number": self._new_number()}),
            (company, {"bce_number_display": False}),
            (person, {"parent_id": False}),
        ):
            with (
                self.subTest(vals=vals),
                self.assertRefusedUnchanged("only a GDPR prospecting manager"),
            ):
                record.with_user(self.sales).write(vals)
        company.with_user(self.sales).write({"bce_number": f"BE {number}", "phone": "02 511 22 33"})
        self.assertTrue(company.rgpd_opted_out and person.rgpd_opted_out)
        person.with_user(self.manager).write({"parent_id": False})
        self.assertFalse(person.rgpd_opted_out)

    def test_person_keeps_the_company_number(self):
        """A contact person gets its company's VAT from Odoo, not a number of
        its own."""
        company = self._prospect("Parent With VAT")
        person = self._person(company, "Desk")
        company.vat = f"BE{company.bce_number}"
        self.assertEqual(person.vat, company.vat)
        self.assertFalse(person.bce_number)

    def test_form_warns_about_an_opposed_company(self):
        for field, value in (
            ("bce_number_display", self.number),
            ("vat", f"BE{self.number}"),
            ("email", "info@twin-opposed.example"),
        ):
            with self.subTest(field=field):
                partner = self.Partner.with_user(self.sales).new({"is_company": True, field: value})
                result = partner._onchange_rgpd_opposition_warning()
                self.assertIn("Twin Opposed Works", result["warning"]["message"])
                self.assertIn("objected to prospecting", result["warning"]["message"])
        partner = self.Partner.with_user(self.sales).new(
            {"is_company": True, "email": "info@willing-notice.example"}
        )
        self.assertFalse(partner._onchange_rgpd_opposition_warning())

    # searching it

    def _search_bar(self, value, field="name"):
        """The domain the contacts' search bar builds when ``value`` is typed
        and searched in ``field``, as the sales user."""
        Partner = self.Partner.with_user(self.sales)
        arch = etree.fromstring(
            Partner.get_view(self.env.ref("base.view_res_partner_filter").id, "search")["arch"]
        )
        node = arch.xpath(f"//field[@name='{field}']")[0]
        domain = safe_eval(node.get("filter_domain"), {"self": value})
        return Partner.search(domain)

    def test_search_finds_the_archived_opposed_company(self):
        not_opposed = self._prospect("Archived Quiet Ltd", email="info@quiet.example")
        not_opposed.active = False
        for value in (
            self.number,
            f"{self.number[:4]}.{self.number[4:7]}.{self.number[7:]}",
            f"BE{self.number}",
            "info@twin-opposed.example",
            "INFO@twin-opposed.example",
        ):
            with self.subTest(value=value):
                found = self._search_bar(value)
                self.assertIn(self.opposed, found)
                self.assertTrue(found.filtered(lambda p: p == self.opposed).rgpd_opted_out)
        self.assertIn(self.opposed, self._search_bar(self.number, "bce_number"))
        self.assertNotIn(not_opposed, self._search_bar(not_opposed.bce_number))
        self.assertNotIn(not_opposed, self._search_bar("info@quiet.example"))
        for pattern in ("%", "BE%", "_"):
            with self.subTest(pattern=pattern):
                self.assertNotIn(self.opposed, self._search_bar(pattern), "no wildcard listing")
        self.assertIn(
            self.opposed,
            self.Partner.with_user(self.sales).search(
                [("rgpd_opposition_match", "=", f"BE{self.number}")]
            ),
        )

    # sending it the notice

    def test_notice_to_an_address_on_the_mail_blacklist_is_refused(self):
        twin = self.Partner.create(
            {"name": "Twin By Mail", "is_company": True, "email": "info@twin-opposed.example"}
        )
        self.assertTrue(
            self.env["mail.blacklist"].search([("email", "=", "info@twin-opposed.example")])
        )
        # a hand-made twin gets the opposed company's answer
        with self.assertRefusedUnchanged("which objected to prospecting"):
            self.env["rgpd.contact.policy"].with_user(self.sales).check(twin, "notice")
        # a prospect of its own, whose address someone put on the blacklist
        self.env["mail.blacklist"]._add("info@willing-notice.example")
        with self.assertRefusedUnchanged("e-mail blacklist"):
            self.willing.with_user(self.sales).action_rgpd_send_notice()
        self.assertFalse(self.willing.rgpd_notice_date)
        with self.assertRefusedUnchanged("e-mail blacklist"):
            self.template.with_user(self.manager).send_mail(self.willing.id)
        with self.assertRefusedUnchanged("e-mail blacklist"):
            composer = Form(
                self.env["mail.compose.message"]
                .with_user(self.sales)
                .with_context(
                    default_model="res.partner",
                    default_res_ids=self.willing.ids,
                    default_composition_mode="comment",
                    default_template_id=self.template.id,
                )
            ).save()
            composer.action_send_mail()

    def test_notice_to_an_opposed_company_is_refused_even_as_an_answer(self):
        company = self._prospect("Opposed Active", email="info@opposed-active.example")
        self.Blacklist._add([company.bce_number], "phone", "No")
        with self.assertRefusedUnchanged("objected to prospecting"):
            company.with_user(self.sales).action_rgpd_send_notice()
        with self.assertRefusedUnchanged("it cannot be a mass mailing or a prospecting message"):
            self.env["mail.compose.message"].with_user(self.manager).create(
                {
                    "model": "res.partner",
                    "res_ids": company.ids,
                    "composition_mode": "comment",
                    "template_id": self.template.id,
                    "rgpd_answer_request": True,
                }
            ).action_send_mail()
        with self.assertRefusedUnchanged("it cannot be a mass mailing or a prospecting message"):
            self.env["mail.compose.message"].with_user(self.manager).create(
                {
                    "model": "res.partner",
                    "res_ids": (company | self.willing).ids,
                    "composition_mode": "mass_mail",
                    "subject": "Answer",
                    "body": "<p>Answer</p>",
                    "rgpd_answer_request": True,
                }
            ).action_send_mail()

    def test_notice_with_an_empty_required_value_is_refused(self):
        no_number = self.Partner.create(
            {"name": "No Number Ltd", "is_company": True, "email": "info@no-number.example"}
        )
        with self.assertRefusedUnchanged("the enterprise number"):
            no_number.with_user(self.sales).action_rgpd_send_notice()
        self.assertFalse(no_number.rgpd_notice_date)
        with self.assertRefusedUnchanged("the enterprise number"):
            self.template.with_user(self.manager).send_mail(no_number.id)
        self.env["ir.config_parameter"].set_param("rgpd_prospection.dpo_email", "")
        self.env.company.email = False
        with self.assertRefusedUnchanged("the privacy contact"):
            self.willing.with_user(self.sales).action_rgpd_send_notice()

    def test_sms_to_an_opposed_company_or_a_blacklisted_number_is_refused(self):
        purpose = self.env.ref("rgpd_prospection.rgpd_purpose_news")
        texted = self._prospect("Texted Ltd", phone="+32 470 99 88 77")
        opposed = self._prospect("Texted Opposed", phone="+32 470 99 88 66")
        self.Consent.create(
            [{"partner_id": p.id, "purpose_id": purpose.id} for p in texted | opposed]
        )
        texted.with_user(self.sales)._message_sms("Our offer")
        self.env["phone.blacklist"]._add(["+32470998877"])
        with self.assertRefusedUnchanged("phone blacklist"):
            texted.with_user(self.sales)._message_sms("Our offer")
        self.Blacklist._add([opposed.bce_number], "phone", "No SMS")
        with self.assertRefusedUnchanged("objected to prospecting"):
            opposed.with_user(self.sales)._message_sms("Our offer")

    def test_notice_still_goes_to_a_willing_prospect(self):
        action = self.willing.with_user(self.sales).action_rgpd_send_notice()
        self.assertFalse(self.willing.rgpd_notice_date)  # opened, not sent yet
        Form(
            self.env["mail.compose.message"].with_user(self.sales).with_context(**action["context"])
        ).save().action_send_mail()
        self.assertTrue(self.willing.rgpd_notice_date)
        body = self.willing.message_ids[:1].body
        self.assertIn(self.willing.bce_number_display, body)


@tagged("post_install", "-at_install")
class TestOppositionAcrossCompanies(AccountabilityCase):
    """One blacklist for the whole database: an opposition recorded by a user
    of one company holds for the contacts of every other company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].set_param("rgpd_prospection.dpo_email", "dpo@example.com")
        cls.company_a = cls.env["res.company"].create({"name": "Group Branch A"})
        cls.company_b = cls.env["res.company"].create({"name": "Group Branch B"})
        cls.user_a = new_test_user(
            cls.env,
            login="rgpd_branch_a",
            groups=SALES_GROUPS,
            company_id=cls.company_a.id,
            company_ids=[(6, 0, cls.company_a.ids)],
        )
        cls.user_b = new_test_user(
            cls.env,
            login="rgpd_branch_b",
            groups=SALES_GROUPS,
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )
        cls.prospect_b = cls._prospect(
            "Branch B Prospect", email="info@branch-b.example", company_id=cls.company_b.id
        )
        cls.person_b = cls._person(
            cls.prospect_b, "Desk B", email="desk@branch-b.example", company_id=cls.company_b.id
        )

    def test_opposition_in_one_company_holds_in_the_other(self):
        Partner_a = self.Partner.with_user(self.user_a)
        self.assertFalse(Partner_a.search([("id", "=", self.prospect_b.id)]), "not visible to A")
        self.Blacklist.with_user(self.user_a).create(
            {"bce_number": self.prospect_b.bce_number, "channel": "phone", "reason": "Called A"}
        )
        prospect = self.prospect_b.with_user(self.user_b)
        self.assertTrue(prospect.rgpd_opted_out)
        self.assertEqual(
            set(
                self.env["mail.blacklist"]
                .search([("email", "in", ["info@branch-b.example", "desk@branch-b.example"])])
                .mapped("email")
            ),
            {"info@branch-b.example", "desk@branch-b.example"},
            "the addresses of company B's contacts joined Odoo's blacklist",
        )
        with self.assertRaises(UserError):
            prospect.action_rgpd_send_notice()
        self.assertFalse(self.prospect_b.rgpd_notice_date)
        self.assertIn(
            self.prospect_b,
            self.Partner.with_user(self.user_b).search(
                [("rgpd_opposition_match", "ilike", self.prospect_b.bce_number)]
            ),
        )
        with self.assertRaises(ValidationError) as caught:
            Partner_a.create(
                {
                    "name": "Branch A twin",
                    "is_company": True,
                    "vat": f"BE{self.prospect_b.bce_number}",
                    "company_id": self.company_a.id,
                }
            )
        self.assertIn("objected to prospecting", str(caught.exception))
