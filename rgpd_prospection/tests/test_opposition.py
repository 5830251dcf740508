from contextlib import contextmanager

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import RgpdCase


class OppositionCase(RgpdCase):
    """A prospect with a contact person, both reachable by e-mail and phone,
    and a user and a manager of the module."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        belgium = cls.env.ref("base.be")
        cls.company = cls.Partner.create(
            {
                "name": "Objector Works",
                "is_company": True,
                "bce_number": "0403170701",
                "email": "info@objector-works.example",
                "phone": "02 511 22 33",
                "country_id": belgium.id,
            }
        )
        cls.person = cls.Partner.create(
            {
                "name": "Desk of Objector",
                "parent_id": cls.company.id,
                "email": "sales@objector-works.example",
                "rgpd_other_phone": "0470 12 34 56",
                "country_id": belgium.id,
            }
        )
        cls.other = cls.Partner.create(
            {
                "name": "Willing Ltd",
                "is_company": True,
                "bce_number": "0200065765",
                "email": "info@willing.example",
            }
        )
        cls.user = new_test_user(
            cls.env,
            login="rgpd_opposition_user",
            groups="base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_user",
        )
        cls.manager = new_test_user(
            cls.env,
            login="rgpd_opposition_manager",
            groups="base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_manager",
        )

    @contextmanager
    def assertRefused(self, text):
        """``assertRaises`` rolls the refused operation back (a savepoint);
        ``assertRaisesRegex`` would not."""
        with self.assertRaises(UserError) as caught:
            yield
        self.assertIn(text, str(caught.exception))

    def _mail_rows(self, emails, active=True):
        return (
            self.env["mail.blacklist"]
            .with_context(active_test=False)
            .search([("email", "in", emails), ("active", "=", active)])
        )

    def _phone_rows(self, numbers, active=True):
        return (
            self.env["phone.blacklist"]
            .with_context(active_test=False)
            .search([("number", "in", numbers), ("active", "=", active)])
        )


@tagged("post_install", "-at_install")
class TestOppositionFeedsOdooLists(OppositionCase):
    EMAILS = ["info@objector-works.example", "sales@objector-works.example"]
    PHONES = ["+3225112233", "+32470123456"]

    def test_blacklisting_feeds_and_lifting_takes_back(self):
        own_choice = self.env["mail.blacklist"]._add("sales@objector-works.example")
        entry = self.Blacklist._add(["0403.170.701"], "phone", "Called to object")
        self.assertEqual(set(self._mail_rows(self.EMAILS).mapped("email")), set(self.EMAILS))
        self.assertEqual(set(self._phone_rows(self.PHONES).mapped("number")), set(self.PHONES))
        self.assertFalse(self._mail_rows(["info@willing.example"]))
        self.assertFalse(own_choice.rgpd_blacklist_id, "an existing exclusion is not claimed")

        self.Blacklist.with_user(self.manager)._remove(["0403170701"], "New consent")
        self.assertFalse(entry.active)
        self.assertEqual(self._mail_rows(self.EMAILS), own_choice, "the recipient's own row stays")
        self.assertFalse(self._phone_rows(self.PHONES))
        self.assertEqual(
            set(self._mail_rows(["info@objector-works.example"], active=False).mapped("email")),
            {"info@objector-works.example"},
        )

    def test_addresses_added_later_are_blacklisted(self):
        self.Blacklist._add(["0403170701"], "request")
        self.Partner.create(
            {
                "name": "New desk",
                "parent_id": self.company.id,
                "email": "new@objector-works.example",
            }
        )
        self.company.write({"phone": "+32 9 265 43 21"})
        self.assertTrue(self._mail_rows(["new@objector-works.example"]))
        self.assertTrue(self._phone_rows(["+3292654321"]))
        self.other.write({"email": "hello@willing.example"})
        self.assertFalse(self._mail_rows(["hello@willing.example"]))

    def test_archiving_without_the_lift_wizard_is_refused(self):
        entry = self.Blacklist._add(["0403170701"], "request")
        with self.assertRefused("Lift"):
            entry.with_user(self.manager).action_archive()
        self.assertTrue(entry.active)

    def test_only_managers_lift_with_a_reason(self):
        entry = self.Blacklist._add(["0403170701"], "request")
        with self.assertRaises(AccessError):
            entry.with_user(self.user).action_open_lift_wizard()
        with self.assertRaises(AccessError):
            self.Blacklist.with_user(self.user)._remove(["0403170701"], "I want to call them")
        self.assertTrue(entry.active)
        action = entry.with_user(self.manager).action_open_lift_wizard()
        wizard_form = Form(
            self.env[action["res_model"]].with_user(self.manager).with_context(**action["context"])
        )
        wizard_form.reason = "Signed consent form of the trade fair"
        wizard_form.save().action_confirm()
        self.assertFalse(entry.active)
        self.assertIn("Signed consent form of the trade fair", entry.message_ids[0].body)
        self.assertEqual(entry.message_ids[0].author_id, self.manager.partner_id)

    def test_an_active_entry_cannot_be_deleted(self):
        entry = self.Blacklist._add(["0403170701"], "request")
        with self.assertRefused("cannot be deleted"):
            entry.with_user(self.manager).unlink()
        self.Blacklist._remove(["0403170701"], "Consent")
        entry.with_user(self.manager).unlink()
        self.assertFalse(entry.exists())

    def test_bounce_does_not_blacklist(self):
        self.company._message_receive_bounce(self.company.email, self.company)
        self.assertFalse(self.Blacklist.search([("bce_number", "=", "0403170701")]))
        self.assertFalse(self.company.rgpd_opted_out)


@tagged("post_install", "-at_install")
class TestOppositionBlocksMails(OppositionCase):
    def setUp(self):
        super().setUp()
        self.Blacklist._add(["0403170701"], "phone")

    def _composer(self, user, partner, **values):
        composer = Form(
            self.env["mail.compose.message"]
            .with_user(user)
            .with_context(
                default_model="res.partner",
                default_res_ids=partner.ids,
                default_partner_ids=partner.ids,
                default_composition_mode="comment",
            )
        )
        composer.subject = "Our new offer"
        composer.body = "<p>Would you like to hear about it?</p>"
        for name, value in values.items():
            setattr(composer, name, value)
        return composer.save()

    def test_chatter_refuses_a_mail_to_the_company_and_its_contacts(self):
        for partner in (self.company, self.person):
            with self.subTest(partner=partner.name), self.assertRaises(UserError) as caught:
                partner.with_user(self.user).message_post(
                    body="Hello", partner_ids=partner.ids, subtype_xmlid="mail.mt_comment"
                )
            self.assertIn("Objector Works objected to prospecting", str(caught.exception))
        self.other.with_user(self.user).message_post(
            body="Hello", partner_ids=self.other.ids, subtype_xmlid="mail.mt_comment"
        )
        self.company.with_user(self.user).message_post(body="Called them", partner_ids=[])

    def test_composer_refuses_and_a_manager_answers_the_request(self):
        with self.assertRefused("objected to prospecting"):
            self._composer(self.user, self.company).action_send_mail()
        with self.assertRefused("objected to prospecting"):
            self._composer(self.manager, self.company).action_send_mail()
        with self.assertRefused("objected to prospecting"):
            self.env["mail.compose.message"].with_user(self.user).create(
                {
                    "model": "res.partner",
                    "res_ids": self.company.ids,
                    "partner_ids": self.company.ids,
                    "composition_mode": "comment",
                    "subject": "Answer",
                    "body": "<p>Answer</p>",
                    "rgpd_answer_request": True,
                }
            ).action_send_mail()
        self._composer(self.manager, self.company, rgpd_answer_request=True).action_send_mail()
        message = self.env["mail.message"].search(
            [
                ("model", "=", "res.partner"),
                ("res_id", "=", self.company.id),
                ("subject", "=", "Our new offer"),
            ]
        )
        self.assertEqual(len(message), 1)
        self.assertEqual(
            message.notification_ids.filtered(
                lambda n: n.notification_type == "email"
            ).res_partner_id,
            self.company,
        )

    def test_direct_mail_to_a_blacklisted_address_is_refused(self):
        with self.assertRefused("objected to prospecting"):
            self.env["mail.mail"].sudo().create(
                {"email_to": "Desk <sales@objector-works.example>", "subject": "Offer"}
            )
        self.env["mail.mail"].sudo().create({"email_to": "info@willing.example", "subject": "x"})

    def test_planning_a_call_warns(self):
        """The dialog warns while the call is planned; saving it is refused by
        the contact policy (a call to answer the company's own request passes
        with that request as its event, ``test_contact_policy_doors``)."""
        call = self.env.ref("mail.mail_activity_data_call")
        todo = self.env.ref("mail.mail_activity_data_todo")
        values = {
            "res_model_id": self.env["ir.model"]._get_id("res.partner"),
            "res_id": self.person.id,
            "activity_type_id": call.id,
            "user_id": self.user.id,
        }
        planned = self.env["mail.activity"].new(values)
        self.assertIn("Objector Works objected", planned.rgpd_opposition_warning)
        self.env.flush_all()
        self.env.cr.execute("SELECT count(*), max(id) FROM mail_activity")
        before = self.env.cr.fetchone()
        with self.assertRaisesRegex(UserError, "Objector Works objected"):
            self.env["mail.activity"].create(values)
        self.env.flush_all()
        self.env.cr.execute("SELECT count(*), max(id) FROM mail_activity")
        self.assertEqual(self.env.cr.fetchone(), before, "nothing was written")
        activities = self.env["mail.activity"].create(
            [
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": partner.id,
                    "activity_type_id": activity_type.id,
                    "user_id": self.user.id,
                }
                for partner, activity_type in ((self.other, call), (self.company, todo))
            ]
        )
        self.assertFalse(activities[0].rgpd_opposition_warning)
        self.assertFalse(activities[1].rgpd_opposition_warning)


@tagged("post_install", "-at_install")
class TestRecordOpposition(OppositionCase):
    def test_user_records_an_opposition_acknowledged_by_mail(self):
        action = self.person.with_user(self.user).action_rgpd_record_opposition()
        wizard_form = Form(
            self.env[action["res_model"]].with_user(self.user).with_context(**action["context"])
        )
        self.assertEqual(wizard_form.partner_ids[:], self.company)
        wizard_form.channel = "request"
        wizard_form.note = "Letter of 3 March"
        wizard_form.save().action_confirm()
        entry = self.Blacklist.search([("bce_number", "=", "0403170701")])
        self.assertEqual((entry.channel, entry.reason), ("request", "Letter of 3 March"))
        self.assertEqual(entry.user_id, self.user)
        self.assertTrue(self.company.rgpd_opted_out)
        acknowledgement = self.env["mail.mail"].search([("recipient_ids", "in", self.company.ids)])
        self.assertEqual(len(acknowledgement), 1)
        self.assertIn("0403.170.701", acknowledgement.body_html)
        self.assertIn("Article 21", acknowledgement.body_html)

    def test_no_acknowledgement_without_an_address(self):
        nameless = self.Partner.create({"name": "No number", "is_company": True})
        wizard = self.env["rgpd.opposition.wizard"].create(
            {"partner_ids": nameless.ids, "channel": "phone"}
        )
        with self.assertRefused("no enterprise number"):
            wizard.action_confirm()
        no_mail = self.Partner.create(
            {"name": "No mail", "is_company": True, "bce_number": "0417.497.106"}
        )
        self.env["rgpd.opposition.wizard"].create(
            {"partner_ids": no_mail.ids, "channel": "phone"}
        ).action_confirm()
        self.assertTrue(no_mail.rgpd_opted_out)
        self.assertFalse(self.env["mail.mail"].search([("recipient_ids", "in", no_mail.ids)]))


@tagged("post_install", "-at_install")
class TestBlacklistImportExport(OppositionCase):
    def test_import_updates_reactivates_and_creates(self):
        active = self.Blacklist._add(["0403170701"], "phone", "Called")
        archived = self.Blacklist._add(["0200065765"], "phone")
        self.Blacklist._remove(["0200065765"], "Consent")
        exported = self.Blacklist.search([]).export_data(["bce_number", "channel", "reason"])
        self.assertIn(["0403170701", "Phone call", "Called"], exported["datas"])
        result = (
            self.Blacklist.with_user(self.manager)
            .with_context(import_file=True)
            .load(
                ["bce_number", "channel", "reason"],
                [
                    ["0403.170.701", "request", "Letter"],
                    ["BE 0200 065 765", "dpo", "Objected again"],
                    ["0417497106", "self_service", "Web form"],
                ],
            )
        )
        self.assertFalse(result["messages"])
        self.assertEqual(result["ids"][:2], [active.id, archived.id])
        self.assertEqual((active.channel, active.reason), ("request", "Letter"))
        self.assertTrue(archived.active)
        self.assertEqual(archived.reason, "Objected again")
        self.assertEqual(
            self.Blacklist.search_count([("bce_number", "=", "0417497106")]), 1, "a new number"
        )
        self.assertEqual(self.Blacklist.with_context(active_test=False).search_count([]), 3)


@tagged("post_install", "-at_install")
class TestPrivacyLookupKeepsOptOuts(OppositionCase):
    def test_privacy_lookup_cannot_remove_the_opt_out(self):
        self.Blacklist._add(["0403170701"], "phone")
        wizard = self.env["privacy.lookup.wizard"].create(
            {"name": "Objector Works", "email": "info@objector-works.example"}
        )
        wizard.action_lookup()
        self.assertNotIn("rgpd.blacklist", wizard.line_ids.mapped("res_model"))
        line = wizard.line_ids.filtered(lambda line: line.res_model == "mail.blacklist")
        self.assertEqual(len(line), 1)
        with self.assertRefused("carries the opposition"):
            line.action_unlink()
        with self.assertRefused("carries the opposition"):
            line.is_active = False
            line._onchange_is_active()
        self.assertTrue(self._mail_rows(["info@objector-works.example"]))
