from odoo import models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _notify_thread_by_email(self, message, recipients_data, msg_vals=False, **kwargs):
        """Odoo's blacklists only stop mass mailings: a mail written in the
        chatter or the composer asks the contact policy first."""
        partner_ids = [data["id"] for data in recipients_data if data.get("notif") == "email"]
        policy = self.env["rgpd.contact.policy"]
        policy.check(self.env["res.partner"].browse(partner_ids), policy._channel_from_context())
        return super()._notify_thread_by_email(
            message, recipients_data, msg_vals=msg_vals, **kwargs
        )

    def _message_sms(self, body, subtype_id=False, partner_ids=False, **kwargs):
        """An SMS written on one record asks the contact policy (consent,
        opposition, phone blacklist) and is refused with its reasons."""
        recipients = self.env["res.partner"].browse(partner_ids or [])
        if self._name == "res.partner":
            recipients |= self
        policy = self.env["rgpd.contact.policy"]
        policy.check(recipients, "answer" if policy.is_answer() else "sms")
        return super(MailThread, self.with_context(rgpd_policy_numbers=True))._message_sms(
            body, subtype_id=subtype_id, partner_ids=partner_ids, **kwargs
        )
