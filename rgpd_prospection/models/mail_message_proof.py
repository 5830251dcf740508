from odoo import models
from odoo.exceptions import AccessError

# Records whose chatter is part of a proof: who recorded, withdrew, renewed a
# consent, answered a request, lifted an opposition, confirmed an import.
PROOF_MODELS = ("rgpd.consent", "rgpd.request", "rgpd.blacklist", "rgpd.bce.import")
# What a user may still change on such a message: marks of his own reading.
READER_FIELDS = frozenset({"starred_partner_ids", "pinned_at"})


class MailMessage(models.Model):
    """The chatter of a proof is written by its events: a message may be
    added, never rewritten nor deleted, whatever the role; the erasure, as
    superuser, still removes them."""

    _inherit = "mail.message"

    def _rgpd_check_proof_history(self, fnames=None):
        if self.env.su or (fnames is not None and set(fnames) <= READER_FIELDS):
            return
        self.flush_model(["model"])
        if any(message.sudo().model in PROOF_MODELS for message in self):
            raise AccessError(
                self.env._(
                    "The history of a consent, a request, an opposition or an import is part "
                    "of its proof: its messages are kept as written."
                )
            )

    def write(self, vals):
        self._rgpd_check_proof_history(vals)
        return super().write(vals)

    def unlink(self):
        self._rgpd_check_proof_history()
        return super().unlink()
