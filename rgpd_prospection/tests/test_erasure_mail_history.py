from odoo.addons.mail.tests.common import MockEmail
from odoo.tests import Form, new_test_user, tagged

from .accountability_case import AccountabilityCase

HISTORIES = (
    "purpose_cancelled",
    "bounced",
    "sent_and_deleted",
    "queued",
    "notified",
    "unreadable",
    "all",
)


@tagged("post_install", "-at_install")
class TestErasureMailHistory(AccountabilityCase, MockEmail):
    """Issue 23: the erasure failed on a company that mailings had reached.
    A manager erases a company with each kind of mail history; afterwards no
    mail, message, notification or trace about it is left."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env,
            login="rgpd_history_manager",
            groups="base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_manager",
        )
        cls.colleague = new_test_user(cls.env, login="rgpd_history_colleague")
        cls.outsider = new_test_user(cls.env, login="rgpd_history_outsider")
        cls.purpose = cls.Purpose.create(
            {"name": "Design webinars", "description": "Webinars.", "is_default": False}
        )
        cls.purpose.assessment_ids.write({"outcome": "favourable", "conclusion": "B2B only."})
        cls.purpose.assessment_ids.action_complete()

    def _company(self):
        company = self._prospect(
            "Quadrant Design",
            email="hello@quadrant-design.example",
            phone="+32 2 640 11 22",
            rgpd_purpose_ids=[(6, 0, self.purpose.ids)],
        )
        person = self._person(
            company, "Mathilde Mercier", email="purchasing@quadrant-design.example"
        )
        return company, person

    def _mailing(self, partners, purpose):
        return self.env["mailing.mailing"].create(
            {
                "subject": "Quadrant news",
                "body_html": "<p>News for Quadrant Design</p>",
                "mailing_type": "mail",
                "email_from": "sales@seller.example",
                "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
                "mailing_domain": repr([("id", "in", partners.ids)]),
                "rgpd_purpose_id": purpose.id,
            }
        )

    def _mailing_mail(self, mailing, partner, state, **values):
        """A mailing's mail to ``partner``, which carries its own message."""
        mail = (
            self.env["mail.mail"]
            .sudo()
            .create(
                {
                    "mailing_id": mailing.id,
                    "model": "res.partner",
                    "res_id": partner.id,
                    "subject": mailing.subject,
                    "body_html": mailing.body_html,
                    "email_to": partner.email,
                    "recipient_ids": partner.ids,
                    "state": state,
                    **values,
                }
            )
        )
        self.assertFalse(mail.is_notification)
        self.env["mailing.trace"].sudo().create(
            {
                "mass_mailing_id": mailing.id,
                "model": "res.partner",
                "res_id": partner.id,
                "email": partner.email,
                "mail_mail_id": mail.id,
                "trace_status": "cancel" if state == "cancel" else "outgoing",
            }
        )
        return mail

    def _make_history(self, kind, company, person):
        # the messages were sent before the bounces blacklisted the addresses:
        # they go out as a manager's answers, which the contact policy lets through
        if kind in ("purpose_cancelled", "all"):
            mailing = self._mailing(company | person, self.env["rgpd.purpose"])
            with self.mock_mail_gateway():
                mailing.action_send_mail()
            # as Odoo 18 kept them: the cancelled mail itself, with its own message
            self._mailing_mail(mailing, person, "cancel", failure_type="mail_bl")
        if kind in ("bounced", "all"):
            mailing = self._mailing(company, self.purpose)
            with self.mock_mail_gateway(mail_unlink_sent=False):
                mailing.action_send_mail()
            traces = mailing.mailing_trace_ids
            self.assertTrue(traces)
            traces.set_bounced()
            mails = self.env["mail.mail"].sudo().search([("mailing_id", "=", mailing.id)])
            mails.write({"state": "exception", "failure_type": "mail_smtp"})
            company.with_context(rgpd_answer_request=True).message_post(
                body="<p>Offer</p>",
                partner_ids=company.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                mail_auto_delete=False,
            )
            self.env["mail.notification"].sudo().search(
                [("res_partner_id", "=", company.id)]
            ).write({"notification_status": "bounce", "failure_type": "mail_bounce"})
        if kind in ("sent_and_deleted", "all"):
            with self.mock_mail_gateway():
                answer = company.with_user(self.manager).with_context(rgpd_answer_request=True)
                answer.message_post(
                    body="<p>Dear Mathilde Mercier</p>",
                    partner_ids=(company | person).ids,
                    subtype_xmlid="mail.mt_comment",
                )
            with self.mock_mail_gateway(mail_unlink_sent=True):
                mailing = self._mailing(company, self.purpose)
                mailing.action_send_mail()
        if kind in ("queued", "all"):
            company.with_context(rgpd_answer_request=True).message_post(
                body="<p>Still in the queue</p>",
                partner_ids=person.ids,
                subtype_xmlid="mail.mt_comment",
                force_send=False,
            )
            mailing = self._mailing(person, self.purpose)
            mailing.action_put_in_queue()
            self._mailing_mail(mailing, company, "outgoing")
            self.env["mail.mail"].with_context(rgpd_answer_request=True).create(
                {"email_to": "hello@quadrant-design.example", "body_html": "<p>Queued</p>"}
            )
        if kind in ("notified", "all"):
            self.env.ref("base.partner_admin").with_context(rgpd_answer_request=True).message_post(
                body="<p>Met Quadrant Design at the fair</p>",
                partner_ids=company.ids,
                subtype_xmlid="mail.mt_note",
                author_id=person.id,
            )
        if kind in ("unreadable", "all"):
            channel = (
                self.env["discuss.channel"]
                .with_user(self.colleague)
                ._get_or_create_chat(self.outsider.partner_id.ids)
            )
            channel.with_user(self.colleague).message_post(
                body="<p>Quadrant Design wants a demo</p>",
                partner_ids=company.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
            channel.message_post(
                body="<p>Mathilde Mercier wrote</p>",
                author_id=person.id,
                message_type="email",
                subtype_xmlid="mail.mt_comment",
            )

    def _left_about(self, company, person):
        env = self.env(su=True, context=dict(self.env.context, active_test=False))
        partners = (company | person).ids
        terms = ["Quadrant", "Mathilde", "quadrant-design.example"]
        left = {
            "messages": env["mail.message"].search_count(
                [
                    "|",
                    "|",
                    ("author_id", "in", partners),
                    ("partner_ids", "in", partners),
                    "&",
                    ("model", "=", "res.partner"),
                    ("res_id", "in", partners),
                ]
            ),
            "notifications": env["mail.notification"].search_count(
                [("res_partner_id", "in", partners)]
            ),
            "mails": env["mail.mail"].search_count([("recipient_ids", "in", partners)]),
            "traces": env["mailing.trace"].search_count(
                ["|", ("email", "ilike", "quadrant-design"), ("res_id", "in", partners)]
            ),
        }
        self.env.flush_all()
        for term in terms:
            for table, column in (
                ("mail_message", "body"),
                ("mail_mail", "email_to"),
                ("mail_mail", "body_html"),
                ("mailing_trace", "email"),
            ):
                self.env.cr.execute(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',  # noqa: S608
                    [f"%{term}%"],
                )
                left[f"{table}.{column} {term}"] = self.env.cr.fetchone()[0]
        return {what: count for what, count in left.items() if count}

    def _open_form(self, company):
        """What the form reads before the button: the chatter, the mails."""
        self.env.flush_all()
        as_manager = company.with_user(self.manager)
        as_manager.read(["message_ids", "message_follower_ids", "activity_ids"])
        as_manager.message_ids.read(["body", "notification_ids", "partner_ids"])
        (as_manager | as_manager.child_ids).mapped("message_ids.notification_ids.mail_mail_id")

    def _erase(self, company):
        wizard_form = Form(
            self.env["rgpd.anonymise.wizard"]
            .with_user(self.manager)
            .with_context(active_model="res.partner", active_ids=company.ids)
        )
        wizard_form.reason = "Erasure requested by e-mail"
        wizard_form.confirm_irreversible = True
        wizard_form.save().action_confirm()

    def test_erasure_whatever_the_mail_history(self):
        for kind in HISTORIES:
            with self.subTest(history=kind):
                company, person = self._company()
                self._make_history(kind, company, person)
                self._open_form(company)
                self._erase(company)
                self.assertTrue(company.rgpd_anonymized)
                self.assertEqual(company.name, "****")
                self.assertEqual(self._left_about(company, person), {})

    def test_erasure_from_the_request(self):
        company, person = self._company()
        self._make_history("all", company, person)
        request = (
            self.env["rgpd.request"]
            .with_user(self.manager)
            .create(
                {
                    "request_type": "erasure",
                    "requester_name": "M. Mercier",
                    "partner_id": company.id,
                    "identity_check": "id_document",
                }
            )
        )
        self._open_form(company)
        request.action_execute()
        self.assertTrue(company.rgpd_anonymized)
        self.assertEqual(self._left_about(company, person), {})

    def test_two_companies_erased_in_turn(self):
        """Quadrant Design, then Mercier & Cie: one mailing reached both, one
        message names both."""
        first, first_person = self._company()
        second = self._prospect(
            "Mercier & Cie",
            email="info@mercier-cie.example",
            rgpd_purpose_ids=[(6, 0, self.purpose.ids)],
        )
        mailing = self._mailing(first | second, self.env["rgpd.purpose"])
        with self.mock_mail_gateway():
            mailing.action_send_mail()
        self._mailing_mail(mailing, first, "cancel")
        self._mailing_mail(mailing, second, "cancel")
        self._make_history("all", first, first_person)
        first.with_context(rgpd_answer_request=True).message_post(
            body="<p>Mercier & Cie is Quadrant's supplier</p>",
            partner_ids=second.ids,
            subtype_xmlid="mail.mt_comment",
            author_id=second.id,
            message_type="email",
        )
        self._open_form(first)
        self._erase(first)
        self._open_form(second)
        self._erase(second)
        self.assertEqual((first | second).mapped("name"), ["****", "****"])
        self.assertEqual(self._left_about(first, first_person), {})
        self.assertEqual(self._left_about(second, second), {})
