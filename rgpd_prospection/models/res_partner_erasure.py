"""The erasure reaches what the module itself stores about a company and its
people (consents, requests, their files and chatter), the activities and
files that name them anywhere, and keeps their addresses on Odoo's
blacklists, which is what keeps the opposition working."""

from odoo import Command, _, models
from odoo.osv import expression

MASKED = "****"
# Files the law requires to keep as issued (GDPR art. 17(3)(b)).
KEPT_ATTACHMENT_MODELS = ("account.move",)


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _rgpd_module_records(self):
        """The consents and requests about these contacts, as superuser."""
        env = self.env(su=True, context=dict(self.env.context, active_test=False))
        consents = env["rgpd.consent"].search([("partner_id", "in", self.ids)])
        requests = env["rgpd.request"].search(
            ["|", ("partner_id", "in", self.ids), ("company_partner_id", "in", self.ids)]
        )
        return consents, requests

    def _rgpd_identifying_terms(self):
        """Also the requesters as they wrote their name and address."""
        terms = super()._rgpd_identifying_terms()
        _consents, requests = self._rgpd_module_records()
        extra = requests.mapped("requester_name") + requests.mapped("requester_email")
        return sorted(
            set(terms) | {value.strip() for value in extra if value and len(value.strip()) >= 4}
        )

    def _rgpd_erase_related_records(self, terms):
        counts = super()._rgpd_erase_related_records(terms)
        counts.update(self._rgpd_erase_module_records(terms))
        counts.update(self._rgpd_erase_calendar(terms))
        self._rgpd_keep_on_odoo_blacklists()
        return counts

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
            expression.OR(
                [
                    [("model", "=", "rgpd.consent"), ("res_id", "in", consents.ids)],
                    [("model", "=", "rgpd.request"), ("res_id", "in", requests.ids)],
                ]
            )
        )
        attachments = (
            consents.proof_attachment_ids
            | messages.attachment_ids
            | env["ir.attachment"].search(expression.OR(record_domains))
            | env["ir.attachment"].search(
                expression.AND(
                    [
                        [("res_model", "not in", KEPT_ATTACHMENT_MODELS)],
                        self._rgpd_ilike_domain(["name", "index_content", "description"], terms),
                    ]
                )
            )
        )
        todo = env.ref("mail.mail_activity_data_todo")
        activities = env["mail.activity"].search(
            expression.OR(
                [
                    expression.AND(
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
            _("Consents emptied of their proof"): len(consents),
            _("Requests emptied of their notes and answers"): len(requests),
            _("Activities"): len(activities),
            _("Files of consents, requests and others naming them"): len(attachments),
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
        return {_("Meetings"): len(naming | attended)}

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
            expression.OR(
                [
                    [("model", "=", "mail.blacklist"), ("res_id", "in", rows.ids)],
                    [("model", "=", "phone.blacklist"), ("res_id", "in", phone_rows.ids)],
                ]
            )
        ).write({"record_name": False})
