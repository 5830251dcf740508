from odoo.addons.rgpd_prospection.models.bce_import.settings import PARAM
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import RgpdCase


@tagged("post_install", "-at_install")
class TestManagerCheck(RgpdCase):
    """One manager check for every manager-only action: a manager passes, so does
    code running as superuser (``sudo()``: a server action, a cron), nobody else."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="rgpd_check_dpo",
            groups="base.group_user,rgpd_prospection.group_rgpd_manager",
        )
        cls.sales = new_test_user(
            cls.env,
            login="rgpd_check_sales",
            groups="base.group_user,rgpd_prospection.group_rgpd_user",
        )
        cls.expired = cls.Partner.create(
            {
                "name": "Expired prospect",
                "is_company": True,
                "is_bce_prospect": True,
                "rgpd_expired": True,
                "rgpd_expired_date": "2025-01-01",
            }
        )

    def _state(self):
        self.env.invalidate_all()
        return (
            self.expired.rgpd_expired,
            self.env["rgpd.retention.run"].search_count([]),
            self.env["ir.config_parameter"].get_param(PARAM + "postal_codes"),
        )

    def test_a_user_is_refused_and_nothing_changes(self):
        before = self._state()
        with self.assertRaises(AccessError):
            self.expired.with_user(self.sales).action_rgpd_requalify()
        with self.assertRaises(AccessError):
            self.env["rgpd.retention.run"].with_user(self.sales).action_preview()
        self.assertEqual(self._state(), before)

    def test_the_superuser_passes_like_a_manager(self):
        for env_user in (
            self.expired.with_user(self.sales).sudo(),
            self.expired.with_user(self.manager),
        ):
            with self.subTest(user=env_user.env.user.login, su=env_user.env.su):
                self.expired.rgpd_expired = True
                env_user.action_rgpd_requalify()
                self.assertFalse(self.expired.rgpd_expired)
                action = env_user.env["rgpd.retention.run"].action_preview()
                self.assertTrue(self.env["rgpd.retention.run"].browse(action["res_id"]).dry_run)

    def test_settings_written_as_superuser_pass_the_manager_check(self):
        settings = self.env["res.config.settings"].with_user(self.sales).sudo()
        settings.create({"rgpd_bce_postal_codes": "1000-1299"}).set_values()
        self.assertEqual(
            self.env["ir.config_parameter"].get_param(PARAM + "postal_codes"), "1000-1299"
        )
