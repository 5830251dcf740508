from odoo import SUPERUSER_ID, api
from odoo.addons.rgpd_prospection.hooks import migrate_nace_links_and_stored_purposes


def migrate(cr, version):
    migrate_nace_links_and_stored_purposes(api.Environment(cr, SUPERUSER_ID, {}))
