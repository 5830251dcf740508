from odoo.addons.mail.tests.common import MockEmail
from odoo.tests import tagged

from .common import RgpdCase


@tagged("post_install", "-at_install")
class TestCancelledMailingOutOfTheChatter(RgpdCase, MockEmail):
    """A mailing logged in the recipients' chatter logs only the mails that
    left: a cancelled one (here a duplicate address) does not read as sent."""

    def test_cancelled_mail_not_logged_as_sent(self):
        first, second = self.Partner.create(
            [
                {"name": "Shared Desk One", "email": "desk@shared.example"},
                {"name": "Shared Desk Two", "email": "desk@shared.example"},
            ]
        )
        mailing = self.env["mailing.mailing"].create(
            {
                "subject": "Spring offer",
                "body_html": "<p>Spring offer</p>",
                "mailing_type": "mail",
                "email_from": "sales@seller.example",
                "keep_archives": True,
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "mailing_domain": repr([("id", "in", (first | second).ids)]),
            }
        )
        with self.mock_mail_gateway():
            mailing.action_send_mail()
        traces = {t.res_id: t.trace_status for t in mailing.mailing_trace_ids}
        self.assertEqual(sorted(traces.values()), ["cancel", "sent"], traces)
        for partner in first | second:
            logged = partner.message_ids.filtered(lambda m: m.subject == "Spring offer")
            with self.subTest(partner=partner.name, status=traces[partner.id]):
                self.assertEqual(len(logged), 1 if traces[partner.id] == "sent" else 0)
