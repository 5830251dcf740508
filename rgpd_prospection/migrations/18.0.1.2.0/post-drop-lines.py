from odoo import SUPERUSER_ID, api
from odoo.addons.rgpd_prospection.hooks import migrate_drop_lines


def migrate(cr, version):
    migrate_drop_lines(api.Environment(cr, SUPERUSER_ID, {}))
