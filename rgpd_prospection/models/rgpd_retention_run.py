import datetime
import logging

from dateutil.relativedelta import relativedelta
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from psycopg2 import IntegrityError

from ..tools import is_rgpd_manager

RETENTION_MONTHS_PARAM = "rgpd_prospection.retention_months"
DEFAULT_RETENTION_MONTHS = 36
MAX_RETENTION_MONTHS = 120

_logger = logging.getLogger(__name__)


class RgpdRetentionRun(models.Model):
    """One pass of the retention rule (GDPR art. 5.1.e): prospects that have
    not contacted us for the retention period and are not customers lose the
    personal data kept around them. A preview is the same pass with
    ``dry_run``: it lists and counts exactly what the run would remove."""

    _name = "rgpd.retention.run"
    _description = "Retention run"
    _order = "date desc, id desc"
    _rec_name = "date"

    date = fields.Datetime(required=True, default=fields.Datetime.now, readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Run by", default=lambda self: self.env.user, readonly=True
    )
    dry_run = fields.Boolean(
        string="Preview", readonly=True, help="Nothing was removed: this shows what a run would do."
    )
    retention_months = fields.Integer(string="Retention (months)", readonly=True)
    cutoff_date = fields.Date(
        readonly=True, help="Prospects without a contact from them since this date expire."
    )
    company_ids = fields.Many2many(
        "res.partner",
        "rgpd_retention_run_partner_rel",
        "run_id",
        "partner_id",
        string="Expired companies",
        readonly=True,
    )
    company_count = fields.Integer(string="Number of companies", readonly=True)
    contact_count = fields.Integer(string="Contact persons", readonly=True)
    message_count = fields.Integer(string="Messages", readonly=True)
    attachment_count = fields.Integer(string="Attachments", readonly=True)
    activity_count = fields.Integer(string="Activities", readonly=True)
    consent_count = fields.Integer(string="Consents", readonly=True)
    email_count = fields.Integer(string="E-mail addresses", readonly=True)
    phone_count = fields.Integer(string="Phone numbers", readonly=True)

    @api.model
    def _retention_months(self):
        """The months the dates are computed with (the default while the
        stored value is wrong: the settings show a banner, and the run waits)."""
        return self._retention_setting()[0]

    @api.model
    def _retention_setting(self):
        """The one reader of the retention setting: (months, problem), where
        ``problem`` says in words why a stored value cannot be used. The
        settings allow 1 to 120 months; a value written around them (``abc``,
        ``100000``, ``-5``) is never silently taken for another."""
        value = self.env["ir.config_parameter"].sudo().get_param(RETENTION_MONTHS_PARAM)
        if not value:
            return DEFAULT_RETENTION_MONTHS, None
        try:
            months = int(value)
        except ValueError:
            months = None
        if months is not None and 1 <= months <= MAX_RETENTION_MONTHS:
            return months, None
        return DEFAULT_RETENTION_MONTHS, self.env._(
            "The retention period stored in the settings, “%(value)s”, is not a number of months "
            "between 1 and %(max)s. Nothing is removed until it is corrected in the settings; "
            "meanwhile the dates shown count %(default)s months.",
            value=value,
            max=MAX_RETENTION_MONTHS,
            default=DEFAULT_RETENTION_MONTHS,
        )

    @api.model
    def _customers_among(self, companies):
        """Customers, whose data are kept under contract: flagged so (legal
        basis "contract", or a customer rank where Invoicing is installed), or
        with a confirmed sale or a posted customer invoice where those apps are
        installed."""
        has_rank = "customer_rank" in companies._fields
        customers = companies.filtered(
            lambda p: p.rgpd_legal_basis == "contract" or (has_rank and p.customer_rank > 0)
        )
        if "sale.order" in self.env:
            customers |= (
                self.env["sale.order"]
                .sudo()
                .search([("partner_id", "child_of", companies.ids), ("state", "=", "sale")])
                .partner_id.commercial_partner_id
            )
        if "account.move" in self.env:
            customers |= (
                self.env["account.move"]
                .sudo()
                .search(
                    [
                        ("commercial_partner_id", "in", companies.ids),
                        ("state", "=", "posted"),
                        ("move_type", "in", ("out_invoice", "out_refund")),
                    ]
                )
                .commercial_partner_id
            )
        return customers & companies

    @api.model
    def _expired_prospects(self, cutoff):
        """BCE prospects with no contact from them since ``cutoff`` (counted
        from their creation, that is their import, when never contacted)."""
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        cutoff_start = datetime.datetime.combine(cutoff, datetime.time.min)
        candidates = Partner.search(
            [
                ("is_company", "=", True),
                ("is_bce_prospect", "=", True),
                ("rgpd_expired", "=", False),
                ("rgpd_anonymized", "=", False),
                "|",
                ("rgpd_last_contact_date", "<", cutoff),
                "&",
                ("rgpd_last_contact_date", "=", False),
                ("create_date", "<", cutoff_start),
            ]
        )
        return candidates - self._customers_among(candidates)

    @api.model
    def _retention_plan(self, cutoff):
        """What the retention removes, record by record."""
        companies = self._expired_prospects(cutoff)
        persons = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [("commercial_partner_id", "in", companies.ids), ("id", "not in", companies.ids)]
            )
        )
        partners = companies | persons
        on_partners = [("res_id", "in", partners.ids)]
        return {
            "companies": companies,
            "persons": persons,
            "messages": self.env["mail.message"]
            .sudo()
            .search([("model", "=", "res.partner"), *on_partners]),
            "attachments": self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", "res.partner"), *on_partners]),
            "activities": self.env["mail.activity"]
            .sudo()
            .with_context(active_test=False)
            .search([("res_model", "=", "res.partner"), *on_partners]),
            "consents": self.env["rgpd.consent"]
            .sudo()
            .search([("partner_id", "in", partners.ids)]),
            "emails": {e for e in partners.mapped("email") if e},
            "phones": {n for p in partners for n in (p.phone, p.rgpd_other_phone) if n},
        }

    @api.model
    def run_retention(self, dry_run=False):
        """Apply the retention rule, or with ``dry_run`` only say what it would
        do; either way the pass is logged. The companies keep their BCE data
        and are marked expired, not blacklisted: they never objected."""
        today = fields.Date.context_today(self)
        months, problem = self._retention_setting()
        if problem:
            raise UserError(problem)
        cutoff = today - relativedelta(months=months)
        plan = self._retention_plan(cutoff)
        run = self.sudo().create(
            {
                "dry_run": dry_run,
                "retention_months": months,
                "cutoff_date": cutoff,
                "company_ids": [fields.Command.set(plan["companies"].ids)],
                "company_count": len(plan["companies"]),
                "contact_count": len(plan["persons"]),
                "message_count": len(plan["messages"]),
                "attachment_count": len(plan["attachments"]),
                "activity_count": len(plan["activities"]),
                "consent_count": len(plan["consents"]),
                "email_count": len(plan["emails"]),
                "phone_count": len(plan["phones"]),
            }
        )
        if not dry_run:
            self._purge(plan, today)
        return run

    @api.model
    def _purge(self, plan, today):
        plan["messages"].unlink()
        plan["attachments"].unlink()
        plan["activities"].unlink()
        plan["consents"].unlink()
        self._remove_persons(plan["persons"])
        plan["companies"].write(
            {
                "email": False,
                "phone": False,
                "rgpd_other_phone": False,
                "comment": False,
                "rgpd_expired": True,
                "rgpd_expired_date": today,
            }
        )

    @api.model
    def _remove_persons(self, persons):
        """Delete the contact persons; those a document still names (a
        quotation, a draft invoice: Sales and Invoicing refuse to lose them)
        lose their personal data and are archived instead."""
        try:
            with self.env.cr.savepoint():
                persons.unlink()
            return
        except (UserError, IntegrityError) as error:
            _logger.info("Retention: contact persons kept archived, still referenced: %s", error)
        for person in persons.exists():
            try:
                with self.env.cr.savepoint():
                    person.unlink()
            except (UserError, IntegrityError):
                person.with_context(rgpd_erasing=True)._rgpd_erase_own_fields(person.browse())
                person.active = False

    @api.model
    def _cron_run_retention(self):
        """A wrong stored period stops the run (the settings' banner says
        why), without failing the scheduler day after day."""
        problem = self._retention_setting()[1]
        if problem:
            _logger.error("Retention run not started: %s", problem)
            return
        self.run_retention()

    def _check_manager(self):
        if not is_rgpd_manager(self.env):
            raise AccessError(
                self.env._("Only a GDPR prospecting manager may run the retention rule.")
            )

    @api.model
    def action_preview(self):
        """Show what the next run would remove, computed by the run itself."""
        self._check_manager()
        return self._open(self.run_retention(dry_run=True))

    def action_run_now(self):
        """From the preview's button (``self`` is the preview) or the menu's
        server action (``self`` is empty): the run is computed anew either way."""
        self._check_manager()
        return self._open(self.run_retention())

    @api.model
    def _open(self, run):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
        }
