import contextlib

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .accountability_case import AccountabilityCase
from .test_last_contact import INBOUND_MAIL, OLD


@tagged("post_install", "-at_install")
class TestLastContactDoors(AccountabilityCase):
    """Only events that truly come from the company move its retention
    clock: a message forged over RPC, a ``message_process`` called by any
    user, a call ticked by a user without the module's roles do not."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls._prospect(
            "Forged Contact",
            email="info@forged-contact.be",
            rgpd_last_contact_date=OLD,
            rgpd_expired=True,
            rgpd_expired_date=OLD,
        )
        cls.internal = new_test_user(
            cls.env,
            login="rgpd_clock_internal",
            groups="base.group_user,base.group_partner_manager",
        )
        cls.sales = new_test_user(
            cls.env,
            login="rgpd_clock_sales",
            groups="base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_user",
        )
        cls.gateway = new_test_user(cls.env, login="rgpd_clock_gateway")
        cls.today = fields.Date.context_today(cls.Partner)

    def _clock(self):
        self.env.invalidate_all()
        return (
            self.company.rgpd_last_contact_date,
            self.company.rgpd_expired,
            self.company.rgpd_expired_date,
        )

    def _raw(self, tag):
        return INBOUND_MAIL.format(
            sender=self.company.email,
            tag=tag,
            date=fields.Datetime.now().strftime("%a, %d %b %Y %H:%M:%S +0000"),
        )

    def test_forged_messages_do_not_move_the_clock(self):
        before = self._clock()
        for user in (self.internal, self.sales):
            with self.subTest(user=user.login):
                self.company.with_user(user).message_post(
                    body="Forged", message_type="email", author_id=self.company.id
                )
                self.env["mail.message"].with_user(user).create(
                    {
                        "model": "res.partner",
                        "res_id": self.company.id,
                        "message_type": "email",
                        "author_id": self.company.id,
                        "body": "Forged too",
                    }
                )
                self.assertEqual(self._clock(), before)

    def test_message_process_by_any_user_does_not_count(self):
        before = self._clock()
        for user in (self.internal, self.sales, self.gateway):
            with self.subTest(user=user.login):
                self.env["mail.thread"].with_user(user).message_process(
                    "res.partner", self._raw(user.login), thread_id=self.company.id
                )
                self.assertEqual(self.company.message_ids[:1].author_id, self.company)
                self.assertEqual(self._clock(), before)

    def test_the_gateway_user_and_the_mail_servers_count(self):
        self.env["ir.config_parameter"].set_param(
            "rgpd_prospection.mail_gateway_user_id", str(self.gateway.id)
        )
        self.env["mail.thread"].with_user(self.gateway).message_process(
            "res.partner", self._raw("gateway"), thread_id=self.company.id
        )
        self.assertEqual(self._clock(), (self.today, False, False))
        self.company.write({"rgpd_last_contact_date": OLD, "rgpd_expired": True})
        # the incoming mail servers (their cron, their button) run as superuser
        self.env["mail.thread"].with_user(self.internal).sudo().message_process(
            "res.partner", self._raw("fetchmail"), thread_id=self.company.id
        )
        self.assertEqual(self._clock()[:2], (self.today, False))

    def test_only_the_roles_log_a_call_as_the_prospects(self):
        before = self._clock()
        with self.assertRaises(AccessError):
            self.company.with_user(self.internal).activity_schedule(
                "mail.mail_activity_data_call", summary="Call", rgpd_initiated_by_prospect=True
            )
        # a call of ours to the expired company is refused by the contact policy
        with self.assertRaisesRegex(UserError, "retention period ran out"):
            self.company.with_user(self.internal).activity_schedule(
                "mail.mail_activity_data_call", summary="Call"
            )
        self.assertEqual(self._clock(), before)
        activity = self.company.with_user(self.internal).activity_schedule(
            "mail.mail_activity_data_meeting", summary="Meeting"
        )
        with self.assertRaises(AccessError):
            activity.with_user(self.internal).write({"rgpd_initiated_by_prospect": True})
        activity.with_user(self.internal).action_done()
        self.assertEqual(self._clock(), before)

        activity = self.company.with_user(self.sales).activity_schedule(
            "mail.mail_activity_data_call", summary="Call", rgpd_initiated_by_prospect=True
        )
        activity.with_user(self.sales).action_done()
        self.assertEqual(self._clock(), (self.today, False, False))
        note = self.company.message_ids.filtered(lambda m: "initiated by the prospect" in m.body)
        self.assertIn(self.sales.name, note.body)
        self.assertEqual(note.author_id, self.sales.partner_id)

    def test_other_message_paths_do_not_move_the_clock(self):
        """Every other way a user writes a message on the prospect, as the
        prospect or of an inbound type, leaves its clock where it was."""
        before = self._clock()
        company_id = self.company.id
        for user in (self.internal, self.sales):
            company = self.company.with_user(user)
            Message = self.env["mail.message"].with_user(user)
            for door, call in (
                (
                    "log",
                    lambda c=company: c._message_log(
                        body="Logged", message_type="email", author_id=company_id
                    ),
                ),
                (
                    "post email_outgoing",
                    lambda c=company: c.message_post(
                        body="Out", message_type="email_outgoing", author_id=company_id
                    ),
                ),
                (
                    "post auto_comment",
                    lambda c=company: c.message_post(
                        body="Auto", message_type="auto_comment", author_id=company_id
                    ),
                ),
                (
                    "create comment",
                    lambda m=Message: m.create(
                        {
                            "model": "res.partner",
                            "res_id": company_id,
                            "message_type": "comment",
                            "author_id": company_id,
                            "email_from": "info@forged-contact.be",
                            "body": "As the prospect",
                        }
                    ),
                ),
                (
                    "notify",
                    lambda c=company: c.message_notify(
                        body="Notified", author_id=company_id, partner_ids=c.ids
                    ),
                ),
            ):
                with self.subTest(user=user.login, door=door):
                    # refused (rights, the contact policy) is as good: the clock is what matters
                    with contextlib.suppress(UserError), self.env.cr.savepoint():
                        call()
                    self.assertEqual(self._clock(), before)
