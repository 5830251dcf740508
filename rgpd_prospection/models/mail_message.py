from odoo import api, models


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model_create_multi
    def create(self, vals_list):
        """A mail received from a prospect (or one of its contact persons) is a
        contact from it: it moves the last contact date. Every incoming mail,
        whether routed to a new record (``message_new``) or to an existing
        one (``message_update``, ``message_post``), is created here with the
        type ``email`` and the sender as author; what we send is a comment,
        an outgoing e-mail or a mass mailing, authored by us, and is ignored."""
        messages = super().create(vals_list)
        for message in messages.filtered(lambda m: m.message_type == "email" and m.author_id):
            message.author_id.sudo()._rgpd_register_inbound_contact(message.date)
        return messages
