from odoo import api, models

GATEWAY_USER_PARAM = "rgpd_prospection.mail_gateway_user_id"


class MailThread(models.AbstractModel):
    """Only a mail truly received moves a prospect's retention clock: one
    that Odoo's incoming mail servers fetched (their cron and their button
    run as superuser), or one that the mail gateway's user, named in the
    settings, handed over. Any internal user may call ``message_process``
    or post a message of type ``email`` over RPC: neither counts."""

    _inherit = "mail.thread"

    @api.model
    def message_process(
        self,
        model,
        message,
        custom_values=None,
        save_original=False,
        strip_attachments=False,
        thread_id=None,
    ):
        gateway = self._rgpd_is_mail_gateway()
        if gateway:
            self.env["mail.message"].flush_model()
            self.env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM mail_message")
            last_id = self.env.cr.fetchone()[0]
        result = super().message_process(
            model,
            message,
            custom_values=custom_values,
            save_original=save_original,
            strip_attachments=strip_attachments,
            thread_id=thread_id,
        )
        if gateway:
            received = (
                self.env["mail.message"]
                .sudo()
                .search(
                    [
                        ("id", ">", last_id),
                        ("message_type", "=", "email"),
                        ("author_id", "!=", False),
                    ]
                )
            )
            for message_record in received:
                message_record.author_id._rgpd_register_inbound_contact(message_record.date)
        return result

    def _rgpd_is_mail_gateway(self):
        """Superuser (the incoming mail servers) or the gateway's user: no
        RPC caller is either, unless the settings name him."""
        if self.env.su:
            return True
        gateway_user = self.env["ir.config_parameter"].sudo().get_param(GATEWAY_USER_PARAM)
        return bool(gateway_user) and gateway_user == str(self.env.uid)
