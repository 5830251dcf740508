from odoo import fields, models


class MailNotification(models.Model):
    _inherit = "mail.notification"

    failure_type = fields.Selection(
        selection_add=[("rgpd_purpose", "Not contactable for the mailing's purpose")]
    )
