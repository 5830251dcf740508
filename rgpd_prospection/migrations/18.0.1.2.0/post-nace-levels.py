from odoo import SUPERUSER_ID, api
from odoo.addons.rgpd_prospection.hooks import migrate_nace_levels


def migrate(cr, version):
    migrate_nace_levels(api.Environment(cr, SUPERUSER_ID, {}))
