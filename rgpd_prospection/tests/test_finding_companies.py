from lxml import etree
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from .common import RgpdCase

SPELLINGS = ("0207.288.802", "BE0207288802", "BE 0207 288 802", "207288802", "0207288802")
SHOW = {"rgpd_show_bce_number": True}


@tagged("post_install", "-at_install")
class TestFindingCompanies(RgpdCase):
    """The default search and every dropdown find a company by its
    number in any spelling; namesakes are told apart by their number."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._load_small_code_table()
        cls.alpha = cls.Partner.create(
            {"name": "ALPHABUILD", "is_company": True, "bce_number": "0207288802"}
        )
        cls.twin = cls.Partner.create(
            {"name": "ALPHABUILD", "is_company": True, "bce_number": "0403170701"}
        )
        cls.mine = cls.alpha | cls.twin
        cls.user = new_test_user(
            cls.env, login="h14_sales", groups="base.group_user,rgpd_prospection.group_rgpd_user"
        )

    def _default_search_domain(self, value):
        """The domain the search bar builds when Enter is pressed: the first
        field of the partner search view, with its filter_domain."""
        arch = self.Partner.get_views([(False, "search")])["views"]["search"]["arch"]
        first = etree.fromstring(arch).xpath("//field")[0]
        self.assertEqual(first.get("name"), "name")
        return safe_eval(first.get("filter_domain"), {"self": value})

    def test_default_search_finds_the_number_in_any_spelling(self):
        for spelling in SPELLINGS:
            with self.subTest(spelling=spelling):
                domain = self._default_search_domain(spelling)
                found = self.Partner.with_user(self.user).search(
                    [("id", "in", self.mine.ids), *domain]
                )
                self.assertEqual(found, self.alpha)

    def test_default_search_still_finds_names(self):
        domain = self._default_search_domain("alphabuild")
        self.assertEqual(self.Partner.search([("id", "in", self.mine.ids), *domain]), self.mine)

    def test_dropdowns_find_the_number_in_any_spelling(self):
        for spelling in SPELLINGS:
            with self.subTest(spelling=spelling):
                for model, fname in (
                    ("rgpd.request", "partner_id"),
                    ("rgpd.consent", "partner_id"),
                    ("rgpd.opposition.wizard", "partner_ids"),
                ):
                    comodel = self.env[model]._fields[fname].comodel_name
                    found = self.env[comodel].with_user(self.user).name_search(spelling)
                    self.assertEqual([pid for pid, _name in found], self.alpha.ids)

    def test_namesakes_show_their_number_while_prospecting(self):
        self.assertEqual(self.alpha.display_name, "ALPHABUILD")
        prospecting = self.mine.with_context(**SHOW)
        self.assertEqual(
            prospecting.mapped("display_name"),
            ["ALPHABUILD ‒ 0207.288.802", "ALPHABUILD ‒ 0403.170.701"],
        )
        found = self.Partner.with_user(self.user).with_context(**SHOW).name_search("alphabuild")
        self.assertIn((self.alpha.id, "ALPHABUILD ‒ 0207.288.802"), found)
        person = self.Partner.create({"name": "Ann", "parent_id": self.alpha.id})
        self.assertEqual(person.with_context(**SHOW).display_name, "ALPHABUILD, Ann")

    def test_namesakes_show_their_number_where_a_company_is_picked(self):
        """Every many2one dropdown (a lead's or an order's customer) shows the
        formatted name web_name_search returns; a field that asks for the
        VAT shows the number of a prospect without one."""
        found = self.Partner.with_user(self.user).web_name_search(
            "alphabuild", {"display_name": {}}, domain=[("id", "in", self.mine.ids)]
        )
        self.assertEqual(
            sorted(row["__formatted_display_name"] for row in found),
            ["ALPHABUILD \t --0207.288.802--", "ALPHABUILD \t --0403.170.701--"],
        )
        self.assertEqual({row["display_name"] for row in found}, {"ALPHABUILD"})
        order_customer = self.alpha.with_context(show_vat=True)
        self.assertEqual(order_customer.display_name, "ALPHABUILD - 0207.288.802")
        self.twin.vat = "BE0403170701"
        self.assertEqual(
            self.twin.with_context(show_vat=True).display_name, "ALPHABUILD - BE0403170701"
        )
        self.assertEqual(self.mine.mapped("name"), ["ALPHABUILD", "ALPHABUILD"], "names unchanged")
        person = self.Partner.create({"name": "Ann", "parent_id": self.alpha.id})
        self.assertNotIn("0207", person.with_context(formatted_display_name=True).display_name)

    def test_prospecting_screens_set_the_context(self):
        for xmlid in (
            "rgpd_prospection.res_partner_action",
            "rgpd_prospection.rgpd_request_action",
            "rgpd_prospection.rgpd_consent_action",
            "rgpd_prospection.rgpd_blacklist_action",
        ):
            with self.subTest(action=xmlid):
                context = safe_eval(self.env.ref(xmlid).context or "{}", {"active_id": False})
                self.assertTrue(context.get("rgpd_show_bce_number"))
        wizard_action = self.alpha.with_user(self.user).action_rgpd_record_opposition()
        self.assertTrue(wizard_action["context"].get("rgpd_show_bce_number"))

    def test_number_column_shown_by_default(self):
        arch = self.Partner.with_user(self.user).get_views([(False, "list")])["views"]["list"]
        column = etree.fromstring(arch["arch"]).xpath("//field[@name='bce_number_display']")
        self.assertTrue(column)
        self.assertNotEqual(column[0].get("optional"), "hide")
        self.assertNotIn(column[0].get("column_invisible"), ("1", "True"))

    def test_nace_versions_are_named(self):
        class_2008 = self._nace("62", "2008")
        class_2025 = self._nace("62", "2025")
        self.assertEqual(
            class_2008.display_name,
            "62 (2008) – Programmation, conseil et autres activités informatiques",
        )
        self.assertTrue(class_2025.display_name.startswith("62 (2025) – "))
        found = dict(self.Nace.name_search("62"))
        self.assertIn(class_2008.id, found)
        self.assertIn(class_2025.id, found)
        self.assertNotEqual(found[class_2008.id], found[class_2025.id])


@tagged("post_install", "-at_install")
class TestNumberSearchTour(HttpCase):
    """The search bar, in a real browser, in French and in Dutch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in ("fr_BE", "nl_BE"):
            cls.env["res.lang"]._activate_lang(code)
        Partner = cls.env["res.partner"]
        for number in ("0207288802", "0403170701", "0200065765"):
            Partner.create(
                {
                    "name": "ALPHABUILD",
                    "is_company": True,
                    "is_bce_prospect": True,
                    "bce_number": number,
                }
            )

    def _run_as(self, lang):
        user = new_test_user(
            self.env,
            login=f"h14_tour_{lang}",
            groups="base.group_user,rgpd_prospection.group_rgpd_user",
            lang=lang,
        )
        action = self.env.ref("rgpd_prospection.res_partner_action")
        self.start_tour(f"/odoo/action-{action.id}", "rgpd_number_search_tour", login=user.login)

    def test_number_search_in_french(self):
        self._run_as("fr_BE")

    def test_number_search_in_dutch(self):
        self._run_as("nl_BE")
