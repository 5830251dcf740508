"""The contact policy: the one place that says whether a company or a person
may be contacted through a channel, for a purpose, now, and why.

Every door (chatter, composers, mailings, SMS, the information notice,
activities, the prospect form, the record of processing) asks ``decide`` and
acts on its answer; the transport (``mail.mail._send``, ``sms.sms._send``)
delivers to a prospect only what a decision allowed."""

from collections import namedtuple

from odoo import api, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from ..tools import is_rgpd_manager
from .res_partner_opposition import number_from_vat

# The failure type of a message the policy refused, on mails, SMS and traces.
POLICY_FAILURE_TYPE = "rgpd_purpose"

CHANNELS = ("email", "sms", "call", "notice", "answer")

Decision = namedtuple("Decision", ["allowed", "fact", "reason"])


class RgpdContactPolicy(models.AbstractModel):
    _name = "rgpd.contact.policy"
    _description = "GDPR contact policy"

    # ------------------------------------------------------------------ entry point

    @api.model
    def decide(self, partners, channel, purpose=None, require_purpose=False):
        """``{partner_id: Decision}`` for every partner: may it be reached
        through ``channel`` for ``purpose`` now? The rules of ``_rules`` run in
        order on the whole set; the first that refuses a partner decides, with
        its reason in the reader's language. ``require_purpose``: a mass
        message, which reaches no prospect without a purpose.

        The ``answer`` channel is a manager's answer to the company's own
        request, or the module's acknowledgement of an opposition: only the
        rules that no answer may cross apply."""
        assert channel in CHANNELS, channel
        if channel == "answer" and not is_rgpd_manager(self.env):
            channel = "email"
        purpose = purpose or self.env["rgpd.purpose"]
        partners = partners.sudo().with_context(active_test=False).exists()
        decisions = {
            partner_id: Decision(True, "exempt", reason)
            for partner_id, reason in self._exempted(partners, channel).items()
        }
        undecided = partners.browse([p.id for p in partners if p.id not in decisions])
        for rule in self._rules():
            if not undecided:
                break
            refused = getattr(self, rule)(undecided, channel, purpose, require_purpose)
            for partner_id, (fact, reason) in refused.items():
                decisions[partner_id] = Decision(False, fact, reason)
            undecided = undecided.browse([p.id for p in undecided if p.id not in refused])
        for partner in undecided:
            decisions[partner.id] = Decision(
                True, "allowed", self._allowed_reason(partner, channel, purpose)
            )
        return decisions

    @api.model
    def _rules(self):
        """The rules, in the order they are asked. A later rule (a national
        do-not-call list) is added by inheriting this model and extending the
        list."""
        return [
            "_rule_opposition",
            "_rule_erasure",
            "_rule_expiry",
            "_rule_blacklisted_address",
            "_rule_sms_consent",
            "_rule_purpose_missing",
            "_rule_purpose_not_theirs",
            "_rule_purpose_consent",
            "_rule_assessment",
        ]

    @api.model
    def _exempted(self, partners, channel):
        """``{partner_id: reason}`` of the partners that the door's own event
        takes out of prospecting (a call answering the company's request): no
        rule applies to them. None here; a later rule adds its events."""
        return {}

    @api.model
    def _rule_descriptions(self):
        """What each rule refuses, for the record of processing and the README."""
        return [
            self.env._(
                "Opposition: a company that objected to prospecting, its contact persons and any "
                "company typed again with its enterprise number, VAT, e-mail or phone are not "
                "contacted; only a manager's answer to the company's own request and the "
                "acknowledgement of the opposition are sent."
            ),
            self.env._("Erasure: an erased company is not contacted."),
            self.env._(
                "Expiry: a company whose retention period ran out is not contacted until it "
                "contacts us or a manager re-qualifies it."
            ),
            self.env._(
                "A prospect's address on the e-mail blacklist gets no mail, a number on the phone "
                "blacklist no SMS."
            ),
            self.env._("An SMS reaches a prospect only with a recorded consent."),
            self.env._("A mass message without a purpose reaches no prospect."),
            self.env._(
                "A message for a purpose reaches only the prospects that have it; where the "
                "purpose relies on consent, only those whose consent is given and not withdrawn; "
                "where it relies on legitimate interest, only once its assessment is completed "
                "and favourable."
            ),
        ]

    # ------------------------------------------------------------------ helpers

    @api.model
    def is_answer(self):
        """A GDPR manager answering the company's own request (ticked in the
        composer): the ``answer`` channel."""
        return bool(self.env.context.get("rgpd_answer_request")) and is_rgpd_manager(self.env)

    @api.model
    def check(self, partners, channel, purpose=None, require_purpose=False):
        """``decide``, raising the reasons when one of ``partners`` is refused."""
        decisions = self.decide(partners, channel, purpose, require_purpose)
        message = self.refusal_message(decisions, partners)
        if message:
            raise UserError(
                self.env._("This message will not be sent.\n%(reasons)s", reasons=message)
            )
        return decisions

    @api.model
    def _channel_from_context(self, channel="email"):
        """The channel of a mail being sent: the information notice
        (``rgpd_prospecting``) or a manager's answer (``rgpd_answer_request``)."""
        if self.env.context.get("rgpd_prospecting"):
            return "notice"
        if channel == "email" and self.is_answer():
            return "answer"
        return channel

    @api.model
    def _concerned(self, partners):
        """The partners the policy speaks for: prospects, companies with an
        opposition, their contact persons, and their twins typed by hand."""
        concerned = partners.filtered(
            lambda p: p.commercial_partner_id.is_bce_prospect or p.rgpd_opted_out
        )
        twins = self._opposed_twins(partners - concerned)
        return concerned | partners.filtered(lambda p: p.id in twins)

    @api.model
    def _concerned_emails(self, emails):
        """Those of ``emails`` that belong to a partner the policy speaks for."""
        partners = self.env["res.partner"]._rgpd_partners_by_email(emails)
        return set(self._concerned(partners).mapped("email_normalized"))

    @api.model
    def _partners_by_numbers(self, numbers):
        """The contacts whose phone or other phone is one of ``numbers`` (E.164)."""
        numbers = [number for number in numbers if number]
        if not numbers:
            return self.env["res.partner"]
        return (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search(
                Domain("phone_sanitized", "in", numbers)
                | Domain("rgpd_other_phone_sanitized", "in", numbers)
            )
        )

    @api.model
    def _concerned_numbers(self, numbers):
        """Those of ``numbers`` (E.164) that belong to a partner the policy speaks for."""
        concerned = self._concerned(self._partners_by_numbers(numbers))
        found = set(concerned.mapped("phone_sanitized"))
        found |= set(concerned.mapped("rgpd_other_phone_sanitized"))
        return found & set(numbers)

    @api.model
    def decide_records(self, records, channel, purpose=None, require_purpose=True):
        """``{res_id: Decision}`` of the records a mass message targets that it
        may not reach: a contact through itself, another record through the
        contacts it reaches (``_rgpd_partners_by_record``)."""
        Partner = self.env["res.partner"]
        if records._name == "res.partner":
            by_record = {record.id: record for record in records}
        else:
            by_record = Partner._rgpd_partners_by_record(records)
        if not by_record:
            return {}
        partners = Partner.union(*by_record.values())
        decisions = self.decide(partners, channel, purpose, require_purpose)
        refused = {}
        for res_id, partners in by_record.items():
            for partner in partners:
                decision = decisions.get(partner.id)
                if decision and not decision.allowed:
                    refused[res_id] = decision
                    break
        return refused

    @api.model
    def refusal_message(self, decisions, partners):
        """One line per refused partner, or an empty string."""
        lines = []
        for partner in partners.sudo():
            decision = decisions.get(partner.id)
            if decision and not decision.allowed:
                lines.append(f"{partner.display_name}: {decision.reason}")
        return "\n".join(dict.fromkeys(lines))

    @api.model
    def _governed(self, partners):
        """Partners whose company is a BCE prospect: the purpose rules apply to them."""
        return partners.filtered(lambda p: p.commercial_partner_id.is_bce_prospect)

    @api.model
    def _twin_keys(self, partner):
        """What identifies a company typed by hand: (field, value) pairs of its
        enterprise number (from its VAT too), VAT, e-mail and phone."""
        company = partner.commercial_partner_id
        vat = (company.vat or "").replace(" ", "").upper()
        keys = [
            ("commercial_partner_id.bce_number", company.bce_number),
            ("commercial_partner_id.bce_number", number_from_vat(vat)),
            ("vat", vat),
            ("email_normalized", partner.email_normalized),
            ("email_normalized", company.email_normalized),
            ("phone_sanitized", partner.phone_sanitized),
            ("phone_sanitized", company.phone_sanitized),
        ]
        return {(field, value) for field, value in keys if value}

    @api.model
    def _opposed_twins(self, partners):
        """``{partner_id: opposed company}`` for the partners made by hand whose
        enterprise number, VAT, e-mail or phone is an opposed company's."""
        keys_by_partner = {partner.id: self._twin_keys(partner) for partner in partners}
        values = {}
        for field, value in set().union(*keys_by_partner.values()) if keys_by_partner else ():
            values.setdefault(field, set()).add(value)
        if not values:
            return {}
        opposed = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search(
                Domain("rgpd_opted_out", "=", True)
                & Domain.OR(Domain(field, "in", list(found)) for field, found in values.items())
            )
        )
        companies = {}
        for other in opposed:
            for key in self._twin_keys(other):
                companies.setdefault(key, other.commercial_partner_id)
        twins = {}
        for partner in partners:
            for key in keys_by_partner[partner.id]:
                company = companies.get(key)
                if company and company != partner.commercial_partner_id:
                    twins[partner.id] = company
                    break
        return twins

    def _allowed_reason(self, partner, channel, purpose):
        if not purpose or not partner.commercial_partner_id.is_bce_prospect:
            return self.env._("Nothing stands in the way.")
        company = partner.commercial_partner_id
        if self._needs_consent(company, purpose):
            consent = self._consents(company, purpose).filtered(lambda c: c.state == "given")[:1]
            channels = dict(consent._fields["channel"]._description_selection(self.env))
            return self.env._(
                "Consent given on %(date)s (%(channel)s).",
                date=consent.date,
                channel=channels.get(consent.channel, ""),
            )
        labels = dict(purpose._fields["legal_basis"]._description_selection(self.env))
        basis = purpose.legal_basis if purpose.legal_basis != "consent" else "legitimate_interest"
        current = purpose.sudo().current_assessment_id
        if basis == "legitimate_interest" and current:
            return self.env._(
                "%(basis)s (assessment version %(version)s of %(date)s)",
                basis=labels.get(basis, ""),
                version=current.version,
                date=current.date,
            )
        return labels.get(basis, "")

    @api.model
    def _needs_consent(self, company, purpose):
        return purpose.legal_basis == "consent" or company.rgpd_legal_basis == "consent"

    @api.model
    def _consents(self, companies, purpose):
        return (
            self.env["rgpd.consent"]
            .sudo()
            .search(
                [("company_partner_id", "in", companies.ids), ("purpose_id", "=", purpose.id)],
                order="id",
            )
        )

    # ------------------------------------------------------------------ rules

    def _rule_opposition(self, partners, channel, purpose, require_purpose):
        if channel == "answer":
            return {}
        refused = {}
        for partner in partners.filtered("rgpd_opted_out"):
            refused[partner.id] = (
                "opposition",
                self.env._(
                    "%(company)s objected to prospecting.",
                    company=partner.commercial_partner_id.name,
                ),
            )
        twins = self._opposed_twins(partners.filtered(lambda p: p.id not in refused))
        for partner_id, company in twins.items():
            refused[partner_id] = (
                "opposition",
                self.env._(
                    "Same enterprise number, VAT, e-mail or phone as %(company)s, which objected "
                    "to prospecting.",
                    company=company.name,
                ),
            )
        return refused

    def _rule_erasure(self, partners, channel, purpose, require_purpose):
        if channel == "answer":
            return {}
        return {
            partner.id: ("erasure", self.env._("The company's data were erased."))
            for partner in partners
            if partner.commercial_partner_id.rgpd_anonymized or partner.rgpd_anonymized
        }

    def _rule_expiry(self, partners, channel, purpose, require_purpose):
        if channel == "answer":
            return {}
        return {
            partner.id: (
                "expiry",
                self.env._(
                    "The retention period ran out without a contact from the company: it is "
                    "not contacted until it contacts us or a manager re-qualifies it."
                ),
            )
            for partner in partners
            if partner.commercial_partner_id.rgpd_expired
        }

    def _rule_blacklisted_address(self, partners, channel, purpose, require_purpose):
        if channel in ("answer", "call"):
            return {}
        # the notice prospects whoever it reaches; other mails, only prospects
        prospects = partners if channel == "notice" else self._governed(partners)
        refused = {}
        if channel in ("email", "notice"):
            emails = [p.email_normalized for p in prospects if p.email_normalized]
            blacklisted = set(
                self.env["mail.blacklist"].sudo().search([("email", "in", emails)]).mapped("email")
                if emails
                else []
            )
            for partner in prospects:
                if partner.email_normalized in blacklisted:
                    refused[partner.id] = (
                        "blacklisted",
                        self.env._(
                            "%(email)s is on the e-mail blacklist.", email=partner.email_normalized
                        ),
                    )
        if channel == "sms":
            numbers = {p.id: p._rgpd_phone_numbers() for p in prospects}
            every = sorted(set().union(*numbers.values())) if numbers else []
            blacklisted = set(
                self.env["phone.blacklist"]
                .sudo()
                .search([("number", "in", every)])
                .mapped("number")
                if every
                else []
            )
            for partner in prospects:
                found = numbers[partner.id] & blacklisted
                if found:
                    refused[partner.id] = (
                        "blacklisted",
                        self.env._(
                            "%(numbers)s is on the phone blacklist.",
                            numbers=", ".join(sorted(found)),
                        ),
                    )
        return refused

    def _rule_sms_consent(self, partners, channel, purpose, require_purpose):
        if channel != "sms":
            return {}
        return {
            partner.id: (
                "consent_missing",
                self.env._("A BCE prospect is texted only after recording its consent."),
            )
            for partner in self._governed(partners)
            if not (partner.rgpd_has_consent or partner.commercial_partner_id.rgpd_has_consent)
        }

    def _rule_purpose_missing(self, partners, channel, purpose, require_purpose):
        if purpose or not require_purpose or channel == "answer":
            return {}
        return {
            partner.id: (
                "purpose_missing",
                self.env._("No purpose stated: a mass message reaches no prospect."),
            )
            for partner in self._governed(partners)
        }

    def _rule_purpose_not_theirs(self, partners, channel, purpose, require_purpose):
        if not purpose or channel == "answer":
            return {}
        return {
            partner.id: ("purpose_not_theirs", self.env._("Not one of the company's purposes."))
            for partner in self._governed(partners)
            if purpose not in partner.commercial_partner_id.rgpd_purpose_ids
        }

    def _rule_purpose_consent(self, partners, channel, purpose, require_purpose):
        if not purpose or channel == "answer":
            return {}
        companies = self._governed(partners).commercial_partner_id.filtered(
            lambda c: self._needs_consent(c, purpose)
        )
        if not companies:
            return {}
        consents = self._consents(companies, purpose)
        given = set(consents.filtered(lambda c: c.state == "given").company_partner_id.ids)
        withdrawn = {
            c.company_partner_id.id: c.withdrawal_date
            for c in consents
            if c.state == "withdrawn" and c.company_partner_id.id not in given
        }
        refused = {}
        for partner in partners.filtered(lambda p: p.commercial_partner_id in companies):
            company_id = partner.commercial_partner_id.id
            if company_id in given:
                continue
            if company_id in withdrawn:
                refused[partner.id] = (
                    "consent_withdrawn",
                    self.env._("Consent withdrawn on %(date)s.", date=withdrawn[company_id] or ""),
                )
            else:
                refused[partner.id] = (
                    "consent_missing",
                    self.env._("Consent needed, none recorded."),
                )
        return refused

    def _rule_assessment(self, partners, channel, purpose, require_purpose):
        if not purpose or channel == "answer":
            return {}
        governed = self._governed(partners)
        if not governed:
            return {}
        problem = purpose._assessment_problem()
        if not problem:
            return {}
        return {
            partner.id: ("assessment", problem)
            for partner in governed
            if not self._needs_consent(partner.commercial_partner_id, purpose)
        }
