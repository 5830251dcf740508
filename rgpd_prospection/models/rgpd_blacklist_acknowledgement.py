from markupsafe import Markup
from odoo import api, models


class RgpdBlacklist(models.Model):
    """Every opposition is acknowledged, whatever its channel: Belgian law
    (Royal Decree of 4 April 2003, art. 2) asks for an acknowledgement by
    e-mail of every opposition to e-mail prospecting, and the company's
    chatter keeps track of it."""

    _inherit = "rgpd.blacklist"

    @api.model
    def _add_from_unsubscribe(self, email):
        entries = super()._add_from_unsubscribe(email)
        entries._acknowledge_opposition(email=email)
        return entries

    def _acknowledge_opposition(self, email=False, send=True, channel=None):
        """Note the opposition in each company's chatter and acknowledge it by
        e-mail: to ``email`` when the opposition came from that address, else
        to the company or one of its contact persons. Where no address is
        known, the note says so. Notes are written in the language of the
        company's salesperson (else of the user recording it). Returns the
        companies acknowledged. ``channel``: how the company objected this
        time, when not the entry's own channel (an opposition made again)."""
        template = self.env.ref("rgpd_prospection.rgpd_opposition_mail_template").sudo()
        author = self.env.user.partner_id
        if self.env.user._is_public():
            author = self.env.ref("base.partner_root")
        acknowledged = self.env["res.partner"]
        channel_code = channel
        for entry in self.sudo():
            company = entry.partner_id
            if not company:
                continue
            env = entry.with_context(lang=company._rgpd_reader_lang()).env
            channels = dict(entry._fields["channel"]._description_selection(env))
            channel = channels[channel_code or entry.channel]
            lines = [env._("Opposition to prospecting recorded (%(channel)s).", channel=channel)]
            recipient = company._rgpd_acknowledgement_recipient(email) if send else None
            if recipient:
                mail_id = template.with_context(rgpd_answer_request=True).send_mail(
                    recipient.id, force_send=True
                )
                lines.append(self._acknowledgement_outcome(env, mail_id, recipient))
                acknowledged |= company
            elif send:
                lines.append(
                    env._(
                        "No e-mail address is known for this company: the opposition could "
                        "not be acknowledged by e-mail. Acknowledge it another way (letter, "
                        "phone)."
                    )
                )
            else:
                lines.append(env._("Not acknowledged by e-mail, as chosen when recording it."))
            company.message_post(
                author_id=author.id,
                body=Markup("<br/>").join(lines),
                subtype_xmlid="mail.mt_note",
            )
        return acknowledged

    @api.model
    def _acknowledgement_outcome(self, env, mail_id, recipient):
        """What became of the acknowledgement, sent at once rather than left to
        the hourly queue: the note says "sent" only for a mail that left."""
        mail = self.env["mail.mail"].sudo().browse(mail_id).exists()
        email = recipient.email_normalized
        if not mail or mail.state == "sent":  # an auto-deleted mail was sent
            return env._(
                "Acknowledgement of the opposition sent by e-mail to %(email)s.", email=email
            )
        if mail.state == "exception":
            return env._(
                "The acknowledgement of the opposition to %(email)s could not be sent "
                "(%(reason)s): it waits among the failed e-mails of Odoo's outgoing mail.",
                email=email,
                reason=mail.failure_reason or mail.failure_type or "?",
            )
        return env._(
            "Acknowledgement of the opposition queued for sending by e-mail to %(email)s: "
            "Odoo's outgoing mail sends it within the hour.",
            email=email,
        )
