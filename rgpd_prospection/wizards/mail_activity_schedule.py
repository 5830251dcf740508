from odoo import models

from ..models.mail_activity_dncm import LOGGING_DONE


class MailActivitySchedule(models.TransientModel):
    _inherit = "mail.activity.schedule"

    def action_schedule_activities_done(self):
        """ "Done" in the schedule dialog logs a call that happened."""
        return super(
            MailActivitySchedule, self.with_context(rgpd_dncm_logging=LOGGING_DONE)
        ).action_schedule_activities_done()
