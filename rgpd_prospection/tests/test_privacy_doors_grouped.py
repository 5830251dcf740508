from odoo.addons.mail.tools.discuss import Store
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import json2_request
from .test_privacy_doors import PrivacyDoorsCase

# ways to group or aggregate the contacts by an address or a number that the
# first fix (the contacts' own fields, by name) did not see
PARTNER_GROUPINGS = [
    (["parent_id.email"], ["__count"]),
    (["commercial_partner_id.email"], ["__count"]),
    (["parent_id.phone_sanitized"], ["__count"]),
    (["rgpd_other_phone_sanitized"], ["__count"]),
    (["city"], ["rgpd_other_phone_sanitized:array_agg"]),
    (["city"], ["email_normalized:array_agg"]),
]


class GroupedDoorsCase(PrivacyDoorsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.person = cls._person(
            cls.company,
            "Grouped Desk",
            email="desk@acme-doors.be",
            phone="+32 470 11 22 33",
            rgpd_other_phone="+32 471 22 33 44",
        )
        cls.domain = [("id", "in", (cls.company | cls.person).ids)]
        cls.customer = cls.Partner.create(
            {"name": "Plain Grouped Customer", "email": "plain@grouped-customer.example"}
        )
        # a mail from the prospect, one from a customer, in the chatter
        for partner in (cls.company, cls.customer):
            partner.message_post(
                body="Hello",
                message_type="comment",
                author_id=partner.id,
                email_from=partner.email,
            )
        cls.refused_roles = (cls.user, cls.internal, cls.other_company_user)


@tagged("post_install", "-at_install")
class TestGroupedTakeout(GroupedDoorsCase):
    """Grouping lists the addresses and numbers it groups by, one group each:
    refused to all but managers whatever the path to the field, the model or
    the grouped read."""

    def test_contacts_grouped_by_a_path_or_a_stored_copy(self):
        for user in self.refused_roles:
            Partner = self.env["res.partner"].with_user(user)
            for groupby, aggregates in PARTNER_GROUPINGS:
                with self.subTest(user=user.login, groupby=groupby, aggregates=aggregates):
                    with self.assertRaises(AccessError):
                        Partner.formatted_read_group(self.domain, groupby, aggregates)
                    with self.assertRaises(AccessError):
                        Partner.web_read_group(self.domain, groupby, aggregates)
        manager = self.env["res.partner"].with_user(self.manager)
        groups = manager.formatted_read_group(self.domain, ["parent_id.email"], ["__count"])
        self.assertIn("info@acme-doors.be", {group["parent_id.email"] for group in groups})

    def test_the_pivot_grouping_sets(self):
        """Odoo 19's pivot asks several groupings at once, outside ``_read_group``."""
        for user in self.refused_roles:
            Partner = self.env["res.partner"].with_user(user)
            for grouping_sets in ([["email"], ["city"]], [["parent_id.phone_sanitized"]]):
                with (
                    self.subTest(user=user.login, grouping_sets=grouping_sets),
                    self.assertRaises(AccessError),
                ):
                    Partner.formatted_read_grouping_sets(self.domain, grouping_sets, ["__count"])
        sets = (
            self.env["res.partner"]
            .with_user(self.manager)
            .formatted_read_grouping_sets(self.domain, [["email"]], ["__count"])
        )
        self.assertEqual(
            {group["email"] for group in sets[0]}, {"info@acme-doors.be", "desk@acme-doors.be"}
        )

    def test_messages_grouped_by_their_authors_address(self):
        domain = [("model", "=", "res.partner"), ("res_id", "=", self.company.id)]
        for user in (self.internal, self.other_company_user, self.user):
            Message = self.env["mail.message"].with_user(user)
            for groupby in (["email_from"], ["author_id.email"], ["author_id.phone_sanitized"]):
                with self.subTest(user=user.login, groupby=groupby), self.assertRaises(AccessError):
                    Message.formatted_read_group(domain, groupby, ["__count"])
        # a customer's address is not a prospect's: grouping by it still works
        customer = [("model", "=", "res.partner"), ("res_id", "=", self.customer.id)]
        groups = (
            self.env["mail.message"]
            .with_user(self.internal)
            .formatted_read_group(customer, ["author_id.email"], ["__count"])
        )
        self.assertIn("plain@grouped-customer.example", {g["author_id.email"] for g in groups})
        groups = (
            self.env["mail.message"]
            .with_user(self.manager)
            .formatted_read_group(domain, ["email_from"], ["__count"])
        )
        self.assertTrue(any("info@acme-doors.be" in (g["email_from"] or "") for g in groups))

    def test_grouping_by_what_is_not_an_address_still_works(self):
        for user in self.refused_roles:
            groups = (
                self.env["res.partner"]
                .with_user(user)
                .formatted_read_group(self.domain, ["parent_id"], ["__count"])
            )
            self.assertEqual(sum(group["__count"] for group in groups), 2)


@tagged("post_install", "-at_install")
class TestGroupedTakeoutJson2(HttpCase, GroupedDoorsCase):
    """The same through the JSON-2 API, an API key's door."""

    def _json2(self, user, model, method, payload):
        return json2_request(self, user, model, method, payload)

    def test_json2_grouped_reads(self):
        calls = [
            (
                "res.partner",
                {"domain": [["id", "=", self.person.id]], "groupby": ["parent_id.email"]},
            ),
            (
                "mail.message",
                {
                    "domain": [["model", "=", "res.partner"], ["res_id", "=", self.company.id]],
                    "groupby": ["email_from"],
                },
            ),
        ]
        for model, payload in calls:
            with self.subTest(model=model):
                response = self._json2(self.user, model, "formatted_read_group", payload)
                self.assertEqual(response.status_code, 403, response.text)
                self.assertNotIn("info@acme-doors.be", response.text)
                response = self._json2(self.manager, model, "formatted_read_group", payload)
                self.assertEqual(response.status_code, 200, response.text)
                self.assertIn("info@acme-doors.be", response.text)


@tagged("post_install", "-at_install")
class TestInboundActivityDefaults(GroupedDoorsCase):
    """A call ticked as the prospect's keeps its data longer: a default in
    the context ticks it as surely as a value, and is refused as one."""

    def _database(self):
        self.env.flush_all()
        self.env.cr.execute("SELECT id FROM mail_activity ORDER BY id")
        activities = self.env.cr.fetchall()
        self.env.cr.execute(
            "SELECT rgpd_last_contact_date, rgpd_expired FROM res_partner WHERE id = %s",
            [self.company.id],
        )
        return activities, self.env.cr.fetchall()

    def test_an_activity_ticked_by_default_is_refused_to_users_without_the_roles(self):
        before = self._database()
        for user in (self.internal, self.portal):
            Activity = self.env["mail.activity"].with_user(user)
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Activity.with_context(default_rgpd_initiated_by_prospect=True).create(
                    {
                        "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                        "res_id": self.company.id,
                        "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                        "user_id": user.id,
                    }
                )
            self.assertEqual(self._database(), before)
        # a user of the roles logs it, and the clock moves
        activity = (
            self.env["mail.activity"]
            .with_user(self.user)
            .with_context(default_rgpd_initiated_by_prospect=True)
            .create(
                {
                    "res_model_id": self.env["ir.model"]._get_id("res.partner"),
                    "res_id": self.company.id,
                    "activity_type_id": self.env.ref("mail.mail_activity_data_call").id,
                    "user_id": self.user.id,
                }
            )
        )
        self.assertTrue(activity.rgpd_initiated_by_prospect)
        activity.action_done()
        self.assertEqual(self.company.rgpd_last_contact_date, self.env.cr.now().date())

    def test_marked_done_by_a_user_without_the_roles_it_does_not_count(self):
        """The call was ticked by a sales user; an internal user without the
        module's roles closes it: the activity is done, the clock stays."""
        activity = self.company.with_user(self.user).activity_schedule(
            "mail.mail_activity_data_call",
            user_id=self.internal.id,
            rgpd_initiated_by_prospect=True,
        )
        before = self._database()[1]
        activity.with_user(self.internal).action_done()
        self.assertFalse(activity.active, "done")
        self.assertEqual(self._database()[1], before)


@tagged("post_install", "-at_install")
class TestListedAddresses(GroupedDoorsCase):
    """The mail's technical lists read over RPC across several prospect
    companies list their addresses in bulk; one company's, or the chatter's
    own store, still read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.opposed.message_post(
            body="Hello too",
            message_type="comment",
            author_id=cls.opposed.id,
            email_from=cls.opposed.email,
        )
        cls.both = [
            ("model", "=", "res.partner"),
            ("res_id", "in", (cls.company | cls.opposed).ids),
        ]
        cls.followed = cls.env["rgpd.request"].create(
            {"request_type": "access", "requester_name": "Followed"}
        )
        cls.followed.message_subscribe((cls.person | cls.opposed).ids)

    def test_messages_of_several_prospects(self):
        for user in self.refused_roles:
            Message = self.env["mail.message"].with_user(user)
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                Message.search_read(self.both, ["email_from", "body"])
            with self.subTest(user=user.login, door="read"), self.assertRaises(AccessError):
                Message.search(self.both).read(["email_from"])
            one = [("model", "=", "res.partner"), ("res_id", "=", self.company.id)]
            rows = Message.search_read(one, ["email_from"])
            self.assertEqual({row["email_from"] for row in rows}, {"info@acme-doors.be"})
            # the chatter reads through its own store
            store = Store().add(Message.search(self.both)).get_result()
            self.assertTrue(store["mail.message"])
        rows = (
            self.env["mail.message"].with_user(self.manager).search_read(self.both, ["email_from"])
        )
        self.assertEqual(len({row["email_from"] for row in rows}), 2)

    def test_followers_of_several_prospects(self):
        followers = [("res_model", "=", "rgpd.request"), ("res_id", "=", self.followed.id)]
        with self.assertRaises(AccessError):
            self.env["mail.followers"].with_user(self.user).search_read(followers, ["email"])
        rows = self.env["mail.followers"].with_user(self.manager).search_read(followers, ["email"])
        self.assertIn("info@opposed-doors.be", {row["email"] for row in rows})

    def test_export_of_another_model_holding_their_addresses(self):
        followers = [("res_model", "=", "rgpd.request"), ("res_id", "=", self.followed.id)]
        Followers = self.env["mail.followers"].with_user(self.user)
        with self.assertRaises(AccessError):
            Followers.search(followers).export_data(["email"])
        with self.assertRaises(AccessError):
            Followers.search(followers).export_data(["partner_id/phone"])
        rows = Followers.search(followers).export_data(["res_model"])["datas"]
        self.assertIn(["rgpd.request"], rows)
        rows = (
            self.env["mail.followers"]
            .with_user(self.manager)
            .search(followers)
            .export_data(["email"])["datas"]
        )
        self.assertIn(["info@opposed-doors.be"], rows)
