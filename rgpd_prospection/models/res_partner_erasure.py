"""Erasure (GDPR art. 17, *effacement*): the personal data of a company and
its people are replaced by ``****`` everywhere Odoo and the module keep them
(consents, requests, their files and chatter, activities, meetings, files
naming them); the enterprise number stays on the blacklist, the addresses on
Odoo's blacklists, and a masked log records the erasure."""

import re

from odoo import Command, api, fields, models
from odoo.fields import Domain

from ..bce_engine.erasure import forget_enterprises
from ..bce_engine.model import LegalPersonState
from ..bce_engine.numbers import format_enterprise_number
from .bce_import.rgpd_bce_import import UNDER_WAY

MASKED = "****"
# An object, not a value: a JSON or XML-RPC context can hold a copy of a value, never this one.
ERASING_ACCOUNTS = object()
MIN_TERM_LENGTH = 4  # shorter names would match unrelated text when erasing
# Files the law requires to keep as issued (GDPR art. 17(3)(b)).
KEPT_ATTACHMENT_MODELS = ("account.move",)
# Notes typed by hand on records the erasure keeps (an opposition, a
# quotation or an order of the Sales app): the names in them are masked.
FREE_TEXTS = {
    "rgpd.blacklist": (("reason", "erasure_reason"), []),
    "sale.order": (("note", "client_order_ref"), []),
    # a draft invoice is no accounting document yet: a posted one stays as issued
    "account.move": (("narration", "ref"), [("state", "=", "draft")]),
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    rgpd_anonymized = fields.Boolean(
        string="Erased",
        copy=False,
        help="The contact's personal data were erased at the data subject's request or at the "
        "end of the retention period; only what the law requires is kept.",
    )
    # the few erased contacts, found without reading every contact (each import
    # leaves them out)
    _rgpd_anonymized_index = models.Index("(id) WHERE rgpd_anonymized")

    def action_rgpd_erase(self):
        self._rgpd_check_manager(self.env._("erase contacts"))
        return self._rgpd_open_wizard("rgpd.anonymise.wizard", self.env._("Erase personal data"))

    def _rgpd_accounting_documents(self):
        """Posted accounting documents of these partners, which accounting law
        requires to keep as issued (GDPR art. 17(3)(b)); none without the
        Invoicing app."""
        if "account.move" not in self.env:
            return None
        return (
            self.env["account.move"]
            .sudo()
            .search([("commercial_partner_id", "in", self.ids), ("state", "=", "posted")])
        )

    def _rgpd_erase(self, reason, request_reference=False):
        """Erase the personal data of these companies and their contact persons
        everywhere Odoo keeps them, keep the enterprise number and NACE codes,
        and blacklist the enterprise so it is never prospected again. Returns
        the masked audit line (``privacy.log``)."""
        self._rgpd_check_manager(self.env._("erase contacts"))
        companies = self.sudo().commercial_partner_id
        partners = (
            self.sudo()
            .with_context(active_test=False)
            .search([("commercial_partner_id", "in", companies.ids)])
        )
        accounting = companies._rgpd_accounting_documents()
        kept_companies = accounting.commercial_partner_id if accounting else self.browse()
        audit_name = ", ".join(companies.mapped("name"))
        audit_email = partners.filtered("email_normalized")[:1].email_normalized or "****@****"
        terms = partners._rgpd_identifying_terms()
        numbers = [n for n in companies.mapped("bce_number") if n]
        self.env["rgpd.blacklist"].sudo()._add(
            numbers, "dpo", self.env._("Personal data erased on request: %(reason)s", reason=reason)
        )
        self.env["rgpd.blacklist"].sudo()._log_erasure(partners, reason, request_reference)
        counts = partners._rgpd_erase_related_records(terms)
        partners.with_context(rgpd_erasing=True)._rgpd_erase_own_fields(kept_companies)
        details = "\n".join(f"{label}: {count}" for label, count in counts.items())
        if accounting:
            details += "\n" + self.env._(
                "Kept: %(count)s posted accounting documents and the name, address and VAT "
                "number of the company on them, as accounting law requires (GDPR art. 17(3)(b)).",
                count=len(accounting),
            )
        return (
            self.env["privacy.log"]
            .sudo()
            .create(
                {
                    "anonymized_name": audit_name,
                    "anonymized_email": audit_email,
                    "execution_details": details,
                    "records_description": self.env._(
                        "GDPR erasure of %(count)s companies (%(numbers)s) and their "
                        "contact persons",
                        count=len(companies),
                        numbers=", ".join(format_enterprise_number(n) for n in numbers),
                    ),
                    "additional_note": self.env._(
                        "Reason: %(reason)s\nRequest reference: %(reference)s",
                        reason=reason,
                        reference=request_reference or "-",
                    ),
                }
            )
        )

    def _rgpd_module_records(self):
        """The consents and requests about these contacts, as superuser."""
        env = self.env(su=True, context=dict(self.env.context, active_test=False))
        consents = env["rgpd.consent"].search([("partner_id", "in", self.ids)])
        requests = env["rgpd.request"].search(
            ["|", ("partner_id", "in", self.ids), ("company_partner_id", "in", self.ids)]
        )
        return consents, requests

    def _rgpd_identifying_terms(self):
        """What identifies these contacts in free text: names, e-mail
        addresses and phone numbers as typed and normalised, and the
        requesters as they wrote their name and address."""
        _consents, requests = self._rgpd_module_records()
        values = (
            self.mapped("name")
            + self.mapped("email")
            + self.mapped("email_normalized")
            + self.mapped("phone")
            + self.mapped("rgpd_other_phone")
            + list(self._rgpd_phone_numbers())
            + requests.mapped("requester_name")
            + requests.mapped("requester_email")
        )
        return sorted(
            {value.strip() for value in values if value and len(value.strip()) >= MIN_TERM_LENGTH}
        )

    def _rgpd_erase_related_records(self, terms):
        """Delete what Odoo keeps around the contacts (messages, tracking,
        attachments, mails, mailing data, bus notifications, leads), empty
        what the module keeps, take them off meetings, and keep their
        addresses on Odoo's blacklists. Accounting documents and their files
        stay: the law requires them as issued, not the messages about them."""
        env = self.env(su=True, context=dict(self.env.context, active_test=False))
        emails = [email for email in self.mapped("email_normalized") if email]
        counts = {}
        if "crm.lead" in env:
            leads = env["crm.lead"].search(
                Domain.OR(
                    [
                        [("partner_id", "in", self.ids)],
                        [("email_normalized", "in", emails)],
                        [("phone_sanitized", "in", list(self._rgpd_phone_numbers()))],
                    ]
                )
            )
            counts[self.env._("CRM leads and opportunities")] = len(leads)
            leads.unlink()
        # a portal account of theirs: its login is their e-mail, its signature
        # their name; closed as Odoo closes an account its holder deletes
        portal_users = env["res.users"].search(
            [("partner_id", "in", self.ids), ("share", "=", True)]
        )
        counts[self.env._("Portal accounts closed")] = len(portal_users)
        if portal_users:
            portal_users = portal_users.with_context(rgpd_erasing_accounts=ERASING_ACCOUNTS)
            portal_users.write({"signature": False})
            portal_users._deactivate_portal_user()
        messages = env["mail.message"].search(
            Domain.OR(
                [
                    [("model", "=", "res.partner"), ("res_id", "in", self.ids)],
                    [("author_id", "in", self.ids)],
                    [("partner_ids", "in", self.ids)],
                    self._rgpd_ilike_domain(["body", "email_from", "subject"], terms),
                ]
            )
        )
        mails = env["mail.mail"].search(
            Domain.OR(
                [
                    [("recipient_ids", "in", self.ids)],
                    [("mail_message_id", "in", messages.ids)],
                    self._rgpd_ilike_domain(["email_to", "email_cc", "body_html"], terms),
                ]
            )
        )
        attachments = env["ir.attachment"].search(
            ["&", ("res_model", "=", "res.partner"), ("res_id", "in", self.ids)]
        ) | messages.attachment_ids.filtered(
            lambda attachment: attachment.res_model != "account.move"
        )
        tracking_values = env["mail.tracking.value"].search(
            self._rgpd_ilike_domain(["old_value_char", "new_value_char"], terms)
        )
        counts[self.env._("Mails")] = len(mails)
        counts[self.env._("Messages")] = len(messages)
        counts[self.env._("Tracking values")] = len(tracking_values | messages.tracking_value_ids)
        # a mailing's mail takes its own message along: what is left is read again
        mails.unlink()
        tracking_values.exists().unlink()
        messages.exists().unlink()
        counts[self.env._("Attachments")] = len(attachments)
        attachments.unlink()
        activities = env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", self.ids)]
        )
        activities.unlink()
        env["mail.followers"].search([("partner_id", "in", self.ids)]).unlink()
        traces = env["mailing.trace"].search(
            [
                "|",
                ("email", "in", emails),
                "&",
                ("model", "=", "res.partner"),
                ("res_id", "in", self.ids),
            ]
        )
        counts[self.env._("Mailing traces")] = len(traces)
        traces.unlink()
        mailing_contacts = env["mailing.contact"].search([("email_normalized", "in", emails)])
        counts[self.env._("Mailing contacts")] = len(mailing_contacts)
        mailing_contacts.unlink()
        env["bus.bus"].search(self._rgpd_ilike_domain(["message"], terms)).unlink()
        # a mail written to them and scheduled for later ("send later")
        scheduled = env["mail.scheduled.message"].search(
            Domain.OR(
                [
                    [("partner_ids", "in", self.ids)],
                    [("model", "=", "res.partner"), ("res_id", "in", self.ids)],
                    self._rgpd_ilike_domain(["subject", "body"], terms),
                ]
            )
        )
        counts[self.env._("Scheduled messages")] = len(scheduled)
        scheduled.attachment_ids.unlink()
        scheduled.unlink()
        env["sms.sms"].search([("partner_id", "in", self.ids)]).unlink()
        counts.update(self._rgpd_erase_module_records(terms))
        counts.update(self._rgpd_mask_free_texts(terms))
        counts.update(self._rgpd_erase_engine_states())
        counts.update(self._rgpd_erase_calendar(terms))
        self._rgpd_keep_on_odoo_blacklists()
        return counts

    @api.model
    def _rgpd_ilike_domain(self, fnames, terms):
        """A domain matching any of ``terms`` in any of ``fnames``; nothing
        when there is no term."""
        leaves = [[(fname, "ilike", term)] for fname in fnames for term in terms]
        return Domain.OR(leaves) if leaves else Domain.FALSE

    def _rgpd_erased_values(self, kept):
        """What the erasure writes on this contact; ``kept``: it is a company
        with posted accounting documents, which keeps its name and address."""
        self.ensure_one()
        masked = "****"
        vals = {
            "name": masked,
            "email": False,
            "phone": False,
            "rgpd_other_phone": False,
            "website": False,
            "comment": False,
            "function": False,
            "ref": False,
            "company_name": False,
            "bce_last_values": False,
            "image_1920": False,
            "category_id": [(5, 0, 0)],
            "rgpd_anonymized": True,
        }
        if kept:
            del vals["name"]
        elif not (self.parent_id and self.type == "contact"):
            # a contact person of type "contact" shares its company's address,
            # which Odoo 19 writes back to the company: the company's own
            # erasure, not the person's, decides about it
            vals.update(street=masked, street2=masked, city=masked, zip=masked)
            if not self.is_company:
                vals["vat"] = False
        return vals

    def _rgpd_erase_own_fields(self, kept_companies):
        """Replace the contact data by ``****`` and empty what cannot hold it;
        keep the enterprise number and NACE codes, and what accounting law
        requires on the companies with posted accounting documents. Untracked:
        a tracking value would keep the old name, e-mail and phone."""
        self.bank_ids.unlink()
        for partner in self.with_context(mail_notrack=True):
            partner.write(partner._rgpd_erased_values(partner in kept_companies))

    def _rgpd_holding_erased_data(self, kept_companies):
        """The contacts that hold again data an erasure removed (a restored
        backup, data typed again): any field differing from what the erasure
        writes, or a bank account."""

        def holds_data(partner):
            erased = partner._rgpd_erased_values(partner in kept_companies)
            return bool(partner.bank_ids) or any(
                bool(partner[fname])
                if partner._fields[fname].type == "many2many"
                else (partner[fname] or False) != value
                for fname, value in erased.items()
            )

        return self.filtered(holds_data)

    def _rgpd_erase_module_records(self, terms):
        """Consent proofs and their documents, request notes and answers, the
        chatter and files of both, and any activity or stored file elsewhere
        that names these contacts. The consents and requests stay, emptied:
        what was consented to and when, and that a request was answered."""
        env = self.env(su=True, context=dict(self.env.context, active_test=False))
        consents, requests = self._rgpd_module_records()
        record_domains = [
            [("res_model", "=", "rgpd.consent"), ("res_id", "in", consents.ids)],
            [("res_model", "=", "rgpd.request"), ("res_id", "in", requests.ids)],
        ]
        messages = env["mail.message"].search(
            Domain.OR(
                [
                    [("model", "=", "rgpd.consent"), ("res_id", "in", consents.ids)],
                    [("model", "=", "rgpd.request"), ("res_id", "in", requests.ids)],
                ]
            )
        )
        attachments = (
            consents.proof_attachment_ids
            | messages.attachment_ids
            | env["ir.attachment"].search(Domain.OR(record_domains))
            | env["ir.attachment"].search(
                Domain.AND(
                    [
                        [("res_model", "not in", KEPT_ATTACHMENT_MODELS)],
                        self._rgpd_ilike_domain(["name", "index_content", "description"], terms),
                    ]
                )
            )
        )
        todo = env.ref("mail.mail_activity_data_todo")
        activities = env["mail.activity"].search(
            Domain.OR(
                [
                    Domain.AND(
                        [
                            [("res_model", "=", "rgpd.request"), ("res_id", "in", requests.ids)],
                            [("activity_type_id", "!=", todo.id)],
                        ]
                    ),
                    self._rgpd_ilike_domain(["summary", "note"], terms),
                ]
            )
        )
        counts = {
            self.env._("Consents emptied of their proof"): len(consents),
            self.env._("Requests emptied of their notes and answers"): len(requests),
            self.env._("Activities"): len(activities),
            self.env._("Files of consents, requests and others naming them"): len(attachments),
        }
        activities.unlink()
        messages.tracking_value_ids.unlink()
        messages.unlink()
        attachments.unlink()
        untracked = {"mail_notrack": True, "tracking_disable": True}
        consents.with_context(**untracked).write({"proof": False})
        for request in requests.with_context(**untracked):
            request.write(
                {
                    "requester_name": MASKED,
                    "requester_email": False,
                    "identity_note": False,
                    "answer": False,
                    "extension_reason": MASKED if request.extension_reason else False,
                }
            )
        return counts

    def _rgpd_erase_calendar(self, terms):
        """Meetings keep their slot in the colleagues' agendas: the erased
        contacts leave the attendees, and a title or description naming them
        is masked."""
        if "calendar.event" not in self.env:
            return {}
        env = self.env(su=True, context=dict(self.env.context, active_test=False))
        naming = env["calendar.event"].search(
            self._rgpd_ilike_domain(["name", "description", "location"], terms)
        )
        attended = env["calendar.event"].search([("partner_ids", "in", self.ids)])
        untracked = env["calendar.event"].with_context(
            mail_notrack=True, tracking_disable=True, no_mail_to_attendees=True
        )
        untracked.browse(naming.ids).write(
            {"name": MASKED, "description": False, "location": False}
        )
        untracked.browse(attended.ids).write(
            {"partner_ids": [Command.unlink(partner_id) for partner_id in self.ids]}
        )
        return {self.env._("Meetings"): len(naming | attended)}

    def _rgpd_keep_on_odoo_blacklists(self):
        """Keep (or put) the erased addresses and numbers on Odoo's e-mail and
        phone blacklists: the rows are what stops a mail or an SMS to them if
        they are typed again, on a company without an enterprise number too."""
        env = self.env(su=True)
        rows = env["mail.blacklist"].browse()
        for email in sorted(set(self.mapped("email_normalized")) - {False}):
            rows |= env["mail.blacklist"]._add(email)
        numbers = sorted(self._rgpd_phone_numbers())
        phone_rows = env["phone.blacklist"]._add(numbers) if numbers else env["phone.blacklist"]
        # their chatter keeps the row's history, not a copy of the address
        env["mail.message"].search(
            Domain.OR(
                [
                    [("model", "=", "mail.blacklist"), ("res_id", "in", rows.ids)],
                    [("model", "=", "phone.blacklist"), ("res_id", "in", phone_rows.ids)],
                ]
            )
        ).write({"record_name": False})

    def _rgpd_mask_free_texts(self, terms):
        """Notes typed by hand on records the erasure keeps (the opposition
        entries' reasons, a quotation's or a draft invoice's terms and
        reference) keep the record
        and lose the names, addresses and numbers in them."""
        if not terms:
            return {}
        env = self.env(su=True, context=dict(self.env.context, active_test=False))
        pattern = re.compile("|".join(re.escape(term) for term in terms), re.IGNORECASE)
        untracked = {"mail_notrack": True, "tracking_disable": True}
        masked = 0
        for model, (fnames, domain) in FREE_TEXTS.items():
            if model not in env:
                continue
            records = env[model].search(
                Domain.AND([domain, self._rgpd_ilike_domain(fnames, terms)])
            )
            for record in records.with_context(**untracked):
                record.write(
                    {
                        fname: pattern.sub(MASKED, str(record[fname]))
                        for fname in fnames
                        if record[fname] and pattern.search(str(record[fname]))
                    }
                )
            masked += len(records)
        return {
            self.env._("Notes masked (oppositions, quotations and orders, draft invoices)"): masked
        }

    def _rgpd_erase_engine_states(self):
        """The states the BCE engine keeps for the next update hold the
        names, addresses and contacts of every enterprise: the erased ones
        leave each of them."""
        numbers = [number for number in self.commercial_partner_id.mapped("bce_number") if number]
        if not numbers:
            return {}
        imports = (
            self.env["rgpd.bce.import"]
            .sudo()
            .with_context(active_test=False)
            .search([("state_attachment_id", "!=", False)])
        )
        changed = 0
        for attachment in imports.state_attachment_id:
            state = forget_enterprises(LegalPersonState.from_bytes(attachment.raw), numbers)
            if state is not None:
                attachment.write({"raw": state.to_bytes()})
                changed += 1
        # the state tables too, which an update reads instead of the attachment
        changed += bool(self.env["rgpd.bce.import"]._state_store().forget(numbers))
        under_way = imports.search([("state", "in", UNDER_WAY)])
        # an extract uploaded and not imported yet holds them too
        wizards = self.env["rgpd.bce.import.wizard"].sudo()
        wizards.search([("extract_file", "!=", False)])._forget_upload()
        return {
            self.env._("States of the BCE engine"): changed,
            self.env._("Imports under way whose prepared contacts held them"): (
                under_way._forget_staged(numbers)
            ),
        }
