from odoo import models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _notify_thread_by_email(self, message, recipients_data, msg_vals=False, **kwargs):
        """Odoo's blacklists only stop mass mailings: refuse a mail written in
        the chatter or the composer to a company that objected to prospecting."""
        partner_ids = [data["id"] for data in recipients_data if data.get("notif") == "email"]
        self.env["res.partner"].browse(partner_ids)._rgpd_check_can_mail()
        return super()._notify_thread_by_email(
            message, recipients_data, msg_vals=msg_vals, **kwargs
        )

    def _message_sms(self, body, subtype_id=False, partner_ids=False, **kwargs):
        """An SMS written on one record to a prospect without consent, to an
        opposed company or to a blacklisted number is refused with an
        explanation."""
        recipients = self.env["res.partner"].browse(partner_ids or [])
        if self._name == "res.partner":
            recipients |= self
        recipients._rgpd_check_sms_consent()
        recipients._rgpd_check_can_text()
        return super()._message_sms(body, subtype_id=subtype_id, partner_ids=partner_ids, **kwargs)
