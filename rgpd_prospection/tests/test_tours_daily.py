from odoo.tests import HttpCase, new_test_user, tagged

from .common import fresh_dncm_list
from .test_import_funnel import DROPS


@tagged("post_install", "-at_install")
class TestDailyTours(HttpCase):
    """The import funnel and the notice preview in a real browser,
    for users working in French and in Dutch."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for code in ("fr_BE", "nl_BE"):
            cls.env["res.lang"]._activate_lang(code)
        cls.env.company.company_registry = "0207.288.802"
        cls.record = cls.env["rgpd.bce.import"].create(
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

    def _user(self, lang, group):
        return new_test_user(
            self.env,
            login=f"h14_{group}_{lang}",
            groups=f"base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_{group}",
            lang=lang,
        )

    def _funnel(self, lang):
        user = self._user(lang, "manager")
        action = self.env.ref("rgpd_prospection.rgpd_bce_import_action")
        self.start_tour(
            f"/odoo/action-{action.id}/{self.record.id}",
            "rgpd_import_funnel_tour",
            login=user.login,
        )

    def _notice(self, lang):
        # the notice names the privacy contact of the settings; without demo data, none is set
        self.env["ir.config_parameter"].set_param("rgpd_prospection.dpo_email", "dpo@example.com")
        user = self._user(lang, "user")
        company = self.env["res.partner"].create(
            {
                "name": f"Notice Tour {lang}",
                "is_company": True,
                "is_bce_prospect": True,
                "bce_number": "0403170701" if lang == "fr_BE" else "0200065765",
                "email": f"info@notice-{lang.lower()}.example",
                "lang": lang,
            }
        )
        self.start_tour(
            f"/odoo/res.partner/{company.id}", "rgpd_notice_preview_tour", login=user.login
        )
        self.assertTrue(company.rgpd_notice_date, "dated once sent")

    def test_import_funnel_in_french(self):
        self._funnel("fr_BE")

    def test_import_funnel_in_dutch(self):
        self._funnel("nl_BE")

    def test_notice_preview_in_french(self):
        self._notice("fr_BE")

    def test_notice_preview_in_dutch(self):
        self._notice("nl_BE")

    def test_mark_done_asks_who_initiated_and_refreshes_the_date(self):
        user = self._user("fr_BE", "user")
        company = self.env["res.partner"].create(
            {"name": "Caller Tour", "is_company": True, "is_bce_prospect": True}
        )
        fresh_dncm_list(self.env)
        company.activity_schedule("mail.mail_activity_data_call", user_id=user.id)
        url = f"/odoo/res.partner/{company.id}"
        self.start_tour(url, "rgpd_mark_done_tour", login=user.login)
        self.assertTrue(company.rgpd_last_contact_date)

    def test_settings_show_their_help_and_units(self):
        user = self._user("nl_BE", "manager")
        user.group_ids += self.env.ref("base.group_system")
        self.start_tour(
            "/odoo/settings#rgpd_prospection", "rgpd_settings_help_tour", login=user.login
        )
