from odoo import fields, models

from .models import REFUSALS


class SmsSms(models.Model):
    _inherit = "sms.sms"

    failure_type = fields.Selection(
        selection_add=[("rgpd_purpose", "Not contactable for the mailing's purpose"), *REFUSALS]
    )
