from odoo import fields, models

from .models import REFUSALS


class MailingTrace(models.Model):
    _inherit = "mailing.trace"

    failure_type = fields.Selection(
        selection_add=[("rgpd_purpose", "Not contactable for the mailing's purpose"), *REFUSALS]
    )
