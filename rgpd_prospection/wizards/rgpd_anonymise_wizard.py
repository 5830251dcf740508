from odoo import api, fields, models
from odoo.exceptions import UserError


class RgpdAnonymiseWizard(models.TransientModel):
    """Erasure (GDPR art. 17) is irreversible: a manager confirms it with the
    reason and the reference of the request, which go to the audit log."""

    _name = "rgpd.anonymise.wizard"
    _description = "Erase the personal data of companies"

    partner_ids = fields.Many2many("res.partner", string="Companies", required=True)
    reason = fields.Text(
        required=True,
        help="Why the data are erased (the company's request, ...); it goes to the audit log, "
        "so write no personal data in it.",
    )
    request_reference = fields.Char(
        help="Reference of the data-subject request (letter, ticket, mail date).",
    )
    confirm_irreversible = fields.Boolean(
        string="I understand that this cannot be undone",
    )
    accounting_note = fields.Text(compute="_compute_accounting_note")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if "partner_ids" in fields_list and not values.get("partner_ids"):
            active_ids = self.env.context.get("active_ids") or []
            if self.env.context.get("active_model") == "res.partner" and active_ids:
                companies = self.env["res.partner"].browse(active_ids).commercial_partner_id
                values["partner_ids"] = [(6, 0, companies.ids)]
        return values

    @api.depends("partner_ids")
    def _compute_accounting_note(self):
        for wizard in self:
            documents = wizard.partner_ids.commercial_partner_id._rgpd_accounting_documents()
            wizard.accounting_note = (
                self.env._(
                    "%(count)s posted accounting documents concern these companies: accounting "
                    "law requires keeping them as issued, so they stay, with the name, address "
                    "and VAT number of the company on its contact (GDPR art. 17(3)(b)). "
                    "Everything else is erased.",
                    count=len(documents),
                )
                if documents
                else False
            )

    def action_confirm(self):
        self.ensure_one()
        if not self.confirm_irreversible:
            raise UserError(
                self.env._("Tick the box confirming that the erasure cannot be undone.")
            )
        self.partner_ids._rgpd_erase(self.reason, self.request_reference)
        return {"type": "ir.actions.act_window_close"}
