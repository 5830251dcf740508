from odoo import models

from .res_partner_erasure import ERASING_ACCOUNTS


class ResUsers(models.Model):
    _inherit = "res.users"

    def _notify_security_setting_update(self, subject, content, mail_values=None, **kwargs):
        """An erased person's portal account is closed without mailing him
        about its login: the address is being erased, and blacklisted."""
        if self.env.context.get("rgpd_erasing_accounts") is ERASING_ACCOUNTS:
            return None
        return super()._notify_security_setting_update(
            subject, content, mail_values=mail_values, **kwargs
        )
