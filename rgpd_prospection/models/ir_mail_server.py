from email.utils import getaddresses

from odoo import models
from odoo.exceptions import UserError


class IrMailServer(models.Model):
    _inherit = "ir.mail_server"

    def send_email(self, message, *args, **kwargs):
        """A message handed to the server by a path other than ``mail.mail``
        (which checked the policy's decision) may not reach a prospect."""
        if not self.env.context.get("rgpd_transport_checked"):
            headers = [message.get_all(name, []) for name in ("To", "Cc", "Bcc")]
            emails = {address for _name, address in getaddresses(sum(headers, []))}
            concerned = self.env["rgpd.contact.policy"]._concerned_emails(emails)
            if concerned:
                raise UserError(
                    self.env._(
                        "%(emails)s belongs to a prospect: a message to it leaves only through a "
                        "decision of the contact policy.",
                        emails=", ".join(sorted(concerned)),
                    )
                )
        return super().send_email(message, *args, **kwargs)
