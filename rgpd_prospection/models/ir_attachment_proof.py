from odoo import models
from odoo.exceptions import AccessError
from odoo.tools import SQL


class IrAttachment(models.Model):
    """A consent's proof documents are what was signed or sent: Odoo lets
    whoever may write the consent rewrite or delete its files; these ones are
    kept as recorded, whatever the role. The erasure, as superuser, still
    removes them."""

    _inherit = "ir.attachment"

    def _rgpd_check_consent_proof(self):
        if self.env.su or not self.ids:
            return
        self.env["rgpd.consent"].flush_model(["proof_attachment_ids"])
        rows = self.env.execute_query(
            SQL(
                "SELECT 1 FROM rgpd_consent_attachment_rel WHERE attachment_id IN %s LIMIT 1",
                tuple(self.ids),
            )
        )
        if rows:
            raise AccessError(
                self.env._(
                    "A consent's proof documents are kept as recorded: they cannot be changed "
                    "or deleted."
                )
            )

    def write(self, vals):
        self._rgpd_check_consent_proof()
        return super().write(vals)

    def unlink(self):
        self._rgpd_check_consent_proof()
        return super().unlink()
