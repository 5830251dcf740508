from odoo import SUPERUSER_ID, api
from odoo.addons.rgpd_prospection.hooks import migrate_mobile_numbers


def migrate(cr, version):
    migrate_mobile_numbers(api.Environment(cr, SUPERUSER_ID, {}))
