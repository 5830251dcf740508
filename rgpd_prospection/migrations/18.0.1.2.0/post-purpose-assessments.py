from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """Purposes on legitimate interest get a draft assessment built from the
    module's defaults; mailings that use them wait until a manager completes
    it (readme/HISTORY.md)."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["rgpd.purpose"].with_context(active_test=False).search([])._prefill_assessments()
