from odoo import api, fields, models
from odoo.tools import email_normalize, email_split

from .rgpd_contact_policy import POLICY_FAILURE_TYPE

# Set by a door that asked the policy for this mail: its addresses are stamped.
DECIDED = "*"
# Put in the context by the mailing's test, which asked the policy for the
# addresses typed; an object, which no RPC context can carry.
TEST_DECIDED = object()


class MailMail(models.Model):
    """Every mail to a prospect carries the policy's decision: the addresses
    it allowed. A mail queued without one (a template sent from code) is
    decided when created; at the transport, an address of a prospect that no
    decision allowed is not delivered, whatever the path that made the mail."""

    _inherit = "mail.mail"

    failure_type = fields.Selection(
        selection_add=[(POLICY_FAILURE_TYPE, "Not contactable for the mailing's purpose")]
    )
    rgpd_policy_emails = fields.Char(
        string="Allowed by the contact policy",
        copy=False,
        readonly=True,
        help="Technical: the prospects' addresses the contact policy allowed this mail to reach.",
    )

    def _rgpd_emails(self):
        """Every normalised address this mail goes to."""
        self.ensure_one()
        emails = {
            email_normalize(email)
            for field in (self.email_to, self.email_cc)
            for email in email_split(field or "")
        }
        emails |= set(self.recipient_ids.mapped("email_normalized"))
        return emails - {False, None, ""}

    @api.model_create_multi
    def create(self, vals_list):
        """A mail queued outside a mailing is decided here (the chatter and the
        composer decided already, with the same answer)."""
        mails = super().create(vals_list)
        policy = self.env["rgpd.contact.policy"]
        channel = policy._channel_from_context()
        decided = self.env.context.get("rgpd_policy_decided") is TEST_DECIDED
        for mail in mails.filtered(lambda m: m.state != "cancel"):
            emails = mail._rgpd_emails()
            if mail.rgpd_policy_emails != DECIDED and not decided:
                if mail.mailing_id:
                    continue
                partners = mail.recipient_ids | self.env["res.partner"]._rgpd_partners_by_email(
                    emails
                )
                policy.check(partners, channel)
            mail.sudo().with_context(rgpd_policy_restamp=True).rgpd_policy_emails = " ".join(
                sorted(emails)
            )
        return mails

    def write(self, vals):
        """New recipients need a new decision."""
        if {"email_to", "email_cc", "recipient_ids"} & set(vals) and not self.env.context.get(
            "rgpd_policy_restamp"
        ):
            vals = dict(vals, rgpd_policy_emails=False)
        return super().write(vals)

    def _send(self, auto_commit=False, raise_exception=False, smtp_session=None, **kwargs):
        """The last line: an outgoing mail reaches a prospect's address only when
        a decision of the contact policy allowed that address."""
        refused = self.env["mail.mail"]
        policy = self.env["rgpd.contact.policy"]
        outgoing = self.sudo().filtered(lambda m: m.state == "outgoing")
        concerned = policy._concerned_emails(
            set().union(*(mail._rgpd_emails() for mail in outgoing)) if outgoing else set()
        )
        for mail in outgoing:
            stamped = set((mail.rgpd_policy_emails or "").split())
            if (mail._rgpd_emails() & concerned) - stamped:
                refused |= mail
        if refused:
            refused.write(
                {
                    "state": "exception",
                    "failure_type": POLICY_FAILURE_TYPE,
                    "failure_reason": self.env._(
                        "No decision of the contact policy allowed this mail to reach a "
                        "prospect: not delivered."
                    ),
                }
            )
        return super(MailMail, (self - refused).with_context(rgpd_transport_checked=True))._send(
            auto_commit=auto_commit,
            raise_exception=raise_exception,
            smtp_session=smtp_session,
            **kwargs,
        )
