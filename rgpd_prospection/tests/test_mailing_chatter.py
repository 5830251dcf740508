from odoo.addons.mail.tests.common import MockEmail
from odoo.tests import tagged

from .accountability_case import AccountabilityCase


@tagged("post_install", "-at_install")
class TestCancelledMailingOutOfTheChatter(AccountabilityCase, MockEmail):
    """A mailing logged in the recipients' chatter logs only the mails that
    left. Odoo 19 creates neither mail nor message for a recipient cancelled
    when the mailing is sent (mass_mailing's ``_manage_mail_values``), and the
    module's own refusals (the purpose) are made before that filter: a
    cancelled recipient keeps only its trace, never a note reading as sent."""

    def test_cancelled_recipients_not_logged_as_sent(self):
        first, second = self.Partner.create(
            [
                {"name": "Shared Desk One", "email": "desk@shared.example"},
                {"name": "Shared Desk Two", "email": "desk@shared.example"},
            ]
        )
        prospect = self._prospect("No Purpose SA", email="info@no-purpose.example")
        recipients = first | second | prospect
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Spring offer",
                "body_html": "<p>Spring offer</p>",
                "mailing_type": "mail",
                "email_from": "sales@seller.example",
                "keep_archives": True,
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "mailing_domain": repr([("id", "in", recipients.ids)]),
            }
        )
        with self.mock_mail_gateway():
            mailing.action_send_mail()
        traces = {t.res_id: t.trace_status for t in mailing.mailing_trace_ids}
        self.assertEqual(traces[prospect.id], "cancel", "no purpose: no prospect reached")
        self.assertEqual(sorted(traces[p.id] for p in first | second), ["cancel", "sent"])
        for partner in recipients:
            logged = partner.message_ids.filtered(lambda m: m.subject == "Spring offer")
            with self.subTest(partner=partner.name, status=traces[partner.id]):
                self.assertEqual(len(logged), 1 if traces[partner.id] == "sent" else 0)
