from odoo import api, models

# The module's templates, and what each one must not print empty. The notice
# prospects; the acknowledgement answers an opposition and may not advertise.
PROSPECTING_TEMPLATES = {
    "rgpd_prospection.rgpd_notice_mail_template": "_rgpd_notice_missing_values",
}
ANSWER_TEMPLATES = {
    "rgpd_prospection.rgpd_opposition_mail_template": "_rgpd_acknowledgement_missing_values",
}


class MailTemplate(models.Model):
    _inherit = "mail.template"

    def _rgpd_template_check(self):
        """(missing-values method, is prospecting) of this template, or
        ``(False, False)`` for a template that is not the module's."""
        for templates, prospecting in ((PROSPECTING_TEMPLATES, True), (ANSWER_TEMPLATES, False)):
            for xmlid, method in templates.items():
                template = self.env.ref(xmlid, raise_if_not_found=False)
                if template and template.id in self.ids:
                    return method, prospecting
        return False, False

    def _rgpd_is_prospecting(self):
        return self._rgpd_template_check()[1]

    @api.model
    def _rgpd_check_before_send(self, template, partners, emails=()):
        """What every send of one of the module's templates passes, whatever
        the path (button, composer, code): no empty required value, and no
        prospecting message to an opposed company or a blacklisted address."""
        method, prospecting = template._rgpd_template_check()
        if method:
            partners._rgpd_check_template_values(method)
        if prospecting:
            self.env["rgpd.contact.policy"].check(
                partners | partners._rgpd_partners_by_email(emails), "notice"
            )

    def send_mail_batch(
        self,
        res_ids,
        force_send=False,
        raise_exception=False,
        email_values=None,
        email_layout_xmlid=False,
    ):
        if self.model == "res.partner" and self._rgpd_template_check()[0]:
            self._rgpd_check_before_send(self, self.env["res.partner"].browse(res_ids))
            if self._rgpd_is_prospecting():
                self = self.with_context(rgpd_prospecting=True)
        return super().send_mail_batch(
            res_ids,
            force_send=force_send,
            raise_exception=raise_exception,
            email_values=email_values,
            email_layout_xmlid=email_layout_xmlid,
        )
