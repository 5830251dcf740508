from odoo import http
from odoo.addons.mass_mailing.controllers.main import MassMailController
from odoo.http import request


class RgpdMassMailController(MassMailController):
    """Mark the requests of Odoo's mailing pages that exclude an address from
    every mailing (or include it again), so that ``mail.blacklist._add`` and
    ``_remove`` know it is the recipient's own choice about the company."""

    def _mailing_unsubscribe_from_document(self, mailing, document_id, email, hash_token):
        request.update_context(rgpd_mailing_page=True)
        return super()._mailing_unsubscribe_from_document(mailing, document_id, email, hash_token)

    @http.route()
    def mail_blocklist_add(self, mailing_id=None, document_id=None, email=None, hash_token=None):
        request.update_context(rgpd_mailing_page=True)
        return super().mail_blocklist_add(
            mailing_id=mailing_id, document_id=document_id, email=email, hash_token=hash_token
        )

    @http.route()
    def mail_blocklist_remove(self, mailing_id=None, document_id=None, email=None, hash_token=None):
        request.update_context(rgpd_mailing_page=True)
        return super().mail_blocklist_remove(
            mailing_id=mailing_id, document_id=document_id, email=email, hash_token=hash_token
        )
