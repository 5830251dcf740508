from datetime import date, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import mute_logger

from .accountability_case import AccountabilityCase
from .test_last_contact import INBOUND_MAIL

USER_GROUPS = "base.group_user,base.group_partner_manager,rgpd_prospection.group_rgpd_user"
SALES_GROUPS = f"{USER_GROUPS},base.group_allow_export"
MANAGER_GROUPS = (
    "base.group_user,base.group_partner_manager,base.group_allow_export,"
    "rgpd_prospection.group_rgpd_manager"
)
FORGED_ERASURE = {
    "erased": True,
    "erasure_reason": "Forged by a user",
    "erasure_request_reference": "FAKE-1",
    "erasure_date": "2025-01-01 10:00:00",
    "erasure_user_name": "Erin Manager",
}
OLD = date(2021, 3, 1)


class PrivacyDoorsCase(AccountabilityCase):
    """A prospect with its contact data, an opposed company, and one user per
    role: the doors are tried by each of them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls._prospect(
            "Acme Doors",
            email="info@acme-doors.be",
            phone="+32 2 555 11 11",
            rgpd_last_contact_date=OLD,
        )
        cls.opposed = cls._prospect("Opposed Doors", email="info@opposed-doors.be")
        cls.Blacklist._add([cls.opposed.bce_number], "phone", "Objected by phone")
        cls.user = new_test_user(cls.env, login="doors_user", groups=SALES_GROUPS)
        cls.manager = new_test_user(
            cls.env, login="doors_manager", name="Doors Manager", groups=MANAGER_GROUPS
        )
        cls.internal = new_test_user(
            cls.env, login="doors_internal", groups="base.group_user,base.group_partner_manager"
        )
        cls.portal = new_test_user(cls.env, login="doors_portal", groups="base.group_portal")
        other_company = cls.env["res.company"].create({"name": "Doors Sister Company"})
        cls.other_company_user = new_test_user(
            cls.env,
            login="doors_other_company",
            groups=USER_GROUPS,
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )

    def _entries(self, number):
        return self.Blacklist.with_context(active_test=False).search([("bce_number", "=", number)])

    def _entry_state(self, number):
        return self._entries(number).read(
            ["active", "erased", "erasure_reason", "erasure_request_reference", "user_id"]
        )


@tagged("post_install", "-at_install")
class TestForgedErasure(PrivacyDoorsCase):
    """Only a manager's confirmed erasure writes the erasure log that imports
    and restores act on."""

    def test_user_cannot_create_an_erasure_record(self):
        for user in (self.user, self.other_company_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.Blacklist.with_user(user).create(
                    {"bce_number": self.company.bce_number, "channel": "phone", **FORGED_ERASURE}
                )
            self.assertFalse(self._entries(self.company.bce_number))
        # the next import re-applies erasures: nothing forged, nothing erased
        self.Blacklist.with_user(self.manager).reapply_erasures()
        self.assertEqual(self.company.name, "Acme Doors")
        self.assertEqual(self.company.email, "info@acme-doors.be")

    def test_user_cannot_smuggle_an_erasure_into_a_lifted_opposition(self):
        self.Blacklist._remove([self.opposed.bce_number], "New consent")
        before = self._entry_state(self.opposed.bce_number)
        with self.assertRaises(AccessError):
            self.Blacklist.with_user(self.user).create(
                {"bce_number": self.opposed.bce_number, "reason": "Again", **FORGED_ERASURE}
            )
        self.assertEqual(self._entry_state(self.opposed.bce_number), before)
        self.Blacklist.with_user(self.manager).reapply_erasures()
        self.assertEqual(self.opposed.name, "Opposed Doors")

    def test_user_still_records_an_opposition_again_without_extra_fields(self):
        self.Blacklist._remove([self.opposed.bce_number], "New consent")
        entry = self.Blacklist.with_user(self.user).create(
            {"bce_number": self.opposed.bce_number, "channel": "phone", "reason": "Again"}
        )
        self.assertTrue(entry.active)
        self.assertEqual(entry.user_id, self.user)
        self.assertFalse(entry.sudo().erased)

    def test_user_records_an_opposition_in_the_form(self):
        form = Form(self.Blacklist.with_user(self.user))
        form.bce_number = self.company.bce_number
        form.reason = "Called to object"
        entry = form.save()
        self.assertTrue(entry.active)
        self.assertEqual(entry.user_id, self.user)
        self.assertFalse(entry.sudo().erased)

    def test_user_cannot_record_an_opposition_in_another_name_or_archived(self):
        before = self._entry_state(self.company.bce_number)
        for vals in ({"user_id": self.manager.id}, {"active": False}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self.Blacklist.with_user(self.user).create(
                    {"bce_number": self.company.bce_number, **vals}
                )
        self.assertEqual(self._entry_state(self.company.bce_number), before)

    def test_user_import_cannot_forge_an_erasure(self):
        with mute_logger("odoo.sql_db", "odoo.models"):
            result = self.Blacklist.with_user(self.user).load(
                ["bce_number", "channel", "erased", "erasure_reason"],
                [[self.company.bce_number, "request", "True", "Forged by import"]],
            )
        self.assertFalse(result["ids"])
        self.assertFalse(self._entries(self.company.bce_number))

    def test_nobody_but_a_manager_writes_or_lifts_an_entry(self):
        entry = self._entries(self.opposed.bce_number)
        before = self._entry_state(self.opposed.bce_number)
        for user in (self.user, self.internal, self.portal, self.other_company_user):
            for vals in ({"erased": True, "erasure_reason": "Forged"}, {"active": False}):
                with self.subTest(user=user.login, vals=vals), self.assertRaises(AccessError):
                    entry.with_user(user).write(vals)
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                entry.with_user(user).action_open_lift_wizard()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["rgpd.blacklist.lift.wizard"].with_user(user).create(
                    {"blacklist_ids": [Command.set(entry.ids)], "reason": "Forged"}
                )
        self.assertEqual(self._entry_state(self.opposed.bce_number), before)

    def test_internal_and_portal_users_cannot_create_entries(self):
        for user in (self.internal, self.portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.Blacklist.with_user(user).create(
                    {"bce_number": self.company.bce_number, **FORGED_ERASURE}
                )
        self.assertFalse(self._entries(self.company.bce_number))

    def test_manager_confirmed_erasure_still_writes_the_log(self):
        self.company.with_user(self.manager)._rgpd_erase("Erasure requested", "REQ-9")
        entry = self._entries(self.company.bce_number)
        self.assertTrue(entry.erased)
        self.assertEqual(entry.erasure_request_reference, "REQ-9")

    def test_opposition_rows_of_odoo_blacklists_leave_with_the_opposition_only(self):
        row = self.env["mail.blacklist"].search([("email", "=", "info@opposed-doors.be")])
        self.assertTrue(row.rgpd_blacklist_id)
        mailer = new_test_user(
            self.env,
            login="doors_mailer",
            groups="base.group_user,mass_mailing.group_mass_mailing_user",
        )
        with self.assertRaises(UserError):
            self.env["mail.blacklist"].with_user(mailer)._remove("info@opposed-doors.be")
        with self.assertRaises(UserError):
            row.with_user(mailer).unlink()
        with self.assertRaises(AccessError):
            row.with_user(mailer).write({"rgpd_blacklist_id": False})
        self.assertTrue(row.active)
        self.assertTrue(row.rgpd_blacklist_id)

    def test_opposed_addresses_are_not_exported_from_odoo_blacklists(self):
        mailer = new_test_user(
            self.env,
            login="doors_mailer_export",
            groups="base.group_user,base.group_allow_export,mass_mailing.group_mass_mailing_user",
        )
        rows = self.env["mail.blacklist"].search([("rgpd_blacklist_id", "!=", False)])
        self.assertTrue(rows)
        with self.assertRaises(AccessError):
            rows.with_user(mailer).export_data(["email"])
        self.assertTrue(rows.with_user(mailer).export_data(["create_date"])["datas"])


@tagged("post_install", "-at_install")
class TestConsentsAndRequestsByUsers(PrivacyDoorsCase):
    def test_consent_cannot_be_dated_in_the_future(self):
        purpose = self.env.ref("rgpd_prospection.rgpd_purpose_news")
        future = fields.Date.context_today(self.Partner) + timedelta(days=400)
        with self.assertRaises(ValidationError):
            self.Consent.with_user(self.user).create(
                {"partner_id": self.company.id, "purpose_id": purpose.id, "date": future}
            )
        self.assertEqual(self.company.rgpd_last_contact_date, OLD)

    def test_consent_in_another_users_name_is_refused(self):
        purpose = self.env.ref("rgpd_prospection.rgpd_purpose_news")
        with self.assertRaises(AccessError):
            self.Consent.with_user(self.user).create(
                {
                    "partner_id": self.company.id,
                    "purpose_id": purpose.id,
                    "user_id": self.manager.id,
                }
            )
        self.assertFalse(self.company.rgpd_consent_ids)

    def test_inbound_mail_dated_in_the_future_counts_as_today(self):
        # received by the incoming mail servers, which run as superuser
        self.env["mail.thread"].sudo().message_process(
            "res.partner",
            INBOUND_MAIL.format(
                sender=self.company.email, tag="future", date="Thu, 01 Jan 2099 10:00:00 +0000"
            ),
            thread_id=self.company.id,
        )
        self.assertEqual(
            self.company.rgpd_last_contact_date, fields.Date.context_today(self.Partner)
        )

    def test_requesters_addresses_are_not_exported_by_users(self):
        request = self.env["rgpd.request"].create(
            {
                "request_type": "access",
                "requester_name": "Someone",
                "requester_email": "someone@requester.example",
                "partner_id": self.company.id,
            }
        )
        with self.assertRaises(AccessError):
            request.with_user(self.user).export_data(["name", "requester_email"])
        rows = request.with_user(self.manager).export_data(["requester_email"])["datas"]
        self.assertEqual(rows, [["someone@requester.example"]])

    def test_request_reference_is_numbered_not_typed_by_a_user(self):
        request = (
            self.env["rgpd.request"]
            .with_user(self.user)
            .create(
                {
                    "name": "REQ-FORGED",
                    "request_type": "erasure",
                    "requester_name": "Someone",
                    "partner_id": self.company.id,
                }
            )
        )
        self.assertNotEqual(request.name, "REQ-FORGED")
        with self.assertRaises(AccessError):
            request.with_user(self.user).write({"name": "REQ-FORGED"})
        self.assertNotEqual(request.name, "REQ-FORGED")


@tagged("post_install", "-at_install")
class TestAccessExportDoors(PrivacyDoorsCase):
    """The access and portability files are produced and opened by managers
    only, whoever can read the company they are attached to."""

    def _files(self):
        return self.env["ir.attachment"].search_count([("rgpd_personal_data", "=", True)])

    def _export_files_of(self, record):
        return self.env["ir.attachment"].search(
            [("res_model", "=", record._name), ("res_id", "=", record.id)]
        )

    def test_internal_user_without_role_gets_no_file(self):
        before = self._export_files_of(self.opposed)
        for method in ("action_rgpd_portability_export", "action_rgpd_access_export"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                getattr(self.opposed.with_user(self.internal), method)()
        self.assertEqual(self._export_files_of(self.opposed), before)

    def test_user_role_gets_no_file(self):
        before = self._export_files_of(self.company)
        with self.assertRaises(AccessError):
            self.company.with_user(self.user).action_rgpd_access_export()
        request = self.env["rgpd.request"].create(
            {"request_type": "access", "requester_name": "Boss", "partner_id": self.company.id}
        )
        with self.assertRaises(AccessError):
            request.with_user(self.user).action_export_access()
        self.assertEqual(self._export_files_of(self.company), before)
        self.assertFalse(self._export_files_of(request))

    def test_file_is_readable_by_managers_only(self):
        action = self.opposed.with_user(self.manager).action_rgpd_portability_export()
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        self.assertIn(b"Objected by phone", attachment.with_user(self.manager).raw)
        # the user reads the company the file is attached to, not the file
        self.opposed.with_user(self.user).check_access("read")
        for user in (self.user, self.internal):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    attachment.with_user(user).read(["raw"])
                with self.assertRaises(AccessError):
                    attachment.with_user(user).write({"rgpd_personal_data": False})
                self.assertFalse(
                    self.env["ir.attachment"]
                    .with_user(user)
                    .search([("res_model", "=", "res.partner"), ("res_id", "=", self.opposed.id)])
                )
        self.assertTrue(attachment.rgpd_personal_data)

    def test_file_posted_on_a_request_stays_for_managers(self):
        request = self.env["rgpd.request"].create(
            {"request_type": "access", "requester_name": "Boss", "partner_id": self.company.id}
        )
        request.with_user(self.manager).action_export_access()
        attachment = request.message_ids.attachment_ids
        self.assertEqual(len(attachment), 1)
        request.with_user(self.user).check_access("read")
        with self.assertRaises(AccessError):
            attachment.with_user(self.user).read(["raw"])


class RetentionDatesCase(PrivacyDoorsCase):
    """The dates the retention hangs on come from events; a manager corrects
    them by hand, tracked in the chatter."""

    def _state(self):
        return self.company.read(
            [
                "rgpd_last_contact_date",
                "rgpd_notice_date",
                "rgpd_expired",
                "rgpd_anonymized",
                "is_bce_prospect",
            ]
        )


@tagged("post_install", "-at_install")
class TestRetentionDates(RetentionDatesCase):
    def test_user_cannot_type_a_last_contact_date(self):
        before = self._state()
        for vals in (
            {"rgpd_last_contact_date": "2099-12-31"},
            {"rgpd_last_contact_date": False},
            {"rgpd_notice_date": fields.Date.today()},
            {"rgpd_expired": True},
            {"rgpd_anonymized": True},
            {"is_bce_prospect": False},
        ):
            for user in (self.user, self.internal, self.portal):
                with self.subTest(vals=vals, user=user.login), self.assertRaises(AccessError):
                    self.company.with_user(user).write(vals)
        self.assertEqual(self._state(), before)

    def test_user_cannot_create_a_company_with_a_last_contact_date(self):
        with self.assertRaises(AccessError):
            self.Partner.with_user(self.user).create(
                {"name": "Hand Made", "is_company": True, "rgpd_last_contact_date": "2099-12-31"}
            )
        self.assertFalse(self.Partner.search([("name", "=", "Hand Made")]))

    def test_user_creates_and_edits_a_company_in_the_form(self):
        partners = self.Partner.with_user(self.user).with_context(
            default_is_company=True, default_is_bce_prospect=True
        )
        form = Form(partners)
        form.name = "Typed By Hand"
        company = form.save()
        self.assertFalse(company.rgpd_last_contact_date)
        with Form(company) as edit:
            edit.city = "Liège"
        self.assertEqual(company.city, "Liège")

    def test_user_edits_other_fields_and_unchanged_dates(self):
        self.company.with_user(self.user).write(
            {"city": "Namur", "rgpd_last_contact_date": OLD, "is_bce_prospect": True}
        )
        self.assertEqual(self.company.city, "Namur")

    def test_events_still_move_the_dates_for_a_user(self):
        call = self.env.ref("mail.mail_activity_data_call")
        activity = self.company.with_user(self.user).activity_schedule(
            activity_type_id=call.id, rgpd_initiated_by_prospect=True
        )
        activity.with_user(self.user).action_done()
        self.assertEqual(
            self.company.rgpd_last_contact_date, fields.Date.context_today(self.Partner)
        )

    def test_manager_correction_is_tracked(self):
        company = self.company.with_user(self.manager).with_context(tracking_disable=False)
        company.write({"rgpd_last_contact_date": "2024-06-01"})
        self.env.flush_all()
        self.env.cr.precommit.run()  # tracking is written before the commit
        self.assertEqual(str(self.company.rgpd_last_contact_date), "2024-06-01")
        tracked = self.company.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "rgpd_last_contact_date"
        )
        self.assertEqual(len(tracked), 1)
        self.assertEqual(tracked.mail_message_id.author_id, self.manager.partner_id)
        self.assertEqual(str(tracked.new_value_datetime.date()), "2024-06-01")
