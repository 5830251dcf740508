from odoo import models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def message_post(self, **kwargs):
        """A message to prospects named as its recipients asks the contact
        policy before it is written, so that a refusal leaves nothing behind;
        the followers it reaches are asked when it is notified (below)."""
        if kwargs.get("partner_ids") and kwargs.get("message_type") != "sms":
            policy = self.env["rgpd.contact.policy"]
            policy.check(
                self.env["res.partner"].browse(kwargs["partner_ids"]),
                policy._channel_from_context(),
            )
        return super().message_post(**kwargs)

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
        opposition, phone blacklist) for every contact it texts: the
        recipients, the record when it is a contact, and whoever holds a
        number it goes to (typed by hand, or the record's own); it is refused
        with its reasons."""
        recipients = self.env["res.partner"].browse(partner_ids or [])
        if self._name == "res.partner":
            recipients |= self
        policy = self.env["rgpd.contact.policy"]
        numbers = set(kwargs.get("sms_numbers") or [])
        numbers |= set((kwargs.get("sms_pid_to_number") or {}).values())
        number_field = kwargs.get("number_field")
        if number_field or (partner_ids is False and kwargs.get("sms_numbers") is None):
            info = self._sms_get_recipients_info(force_field=number_field).get(self.id, {})
            recipients |= info.get("partner") or self.env["res.partner"]
            numbers.add(info.get("number"))
        numbers = {self._phone_format(number=number) or number for number in numbers if number}
        recipients |= policy._partners_by_numbers(list(numbers))
        policy.check(recipients, "answer" if policy.is_answer() else "sms")
        return super(MailThread, self.with_context(rgpd_policy_numbers=True))._message_sms(
            body, subtype_id=subtype_id, partner_ids=partner_ids, **kwargs
        )
