from odoo import fields, models

from .rgpd_processing_record import DPO_EMAIL_PARAM, RECIPIENTS_PARAM, SECURITY_PARAM
from .rgpd_retention_run import DEFAULT_RETENTION_MONTHS, RETENTION_MONTHS_PARAM


class ResConfigSettings(models.TransientModel):
    """Settings of the accountability side: they feed the retention run, the
    information notice and the record of processing."""

    _inherit = "res.config.settings"

    rgpd_retention_months = fields.Integer(
        string="Retention period (months)",
        config_parameter=RETENTION_MONTHS_PARAM,
        default=DEFAULT_RETENTION_MONTHS,
        help="A prospect that has not contacted us for this long loses its personal data "
        "(3 years by default).",
    )
    rgpd_dpo_email = fields.Char(
        string="Privacy contact e-mail",
        config_parameter=DPO_EMAIL_PARAM,
        help="Where data subjects exercise their rights; shown in the information notice and "
        "the record of processing.",
    )
    rgpd_record_recipients = fields.Char(
        string="Recipients",
        config_parameter=RECIPIENTS_PARAM,
        help="Who receives the prospects' data (sales team, processors such as the mailing "
        "or hosting provider), for the record of processing.",
    )
    rgpd_record_security = fields.Char(
        string="Security measures",
        config_parameter=SECURITY_PARAM,
        help="Technical and organisational measures protecting the data, for the record of "
        "processing.",
    )
