from odoo import fields, models


class MailingTrace(models.Model):
    _inherit = "mailing.trace"

    failure_type = fields.Selection(
        selection_add=[("rgpd_purpose", "Not contactable for the mailing's purpose")]
    )
