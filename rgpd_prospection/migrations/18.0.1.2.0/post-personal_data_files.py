"""Mark the access and portability files made before 18.0.1.2.0, so that only
GDPR prospecting managers may open them (their names as the module wrote them
in English, French and Dutch)."""

from odoo.tools import SQL

NAME_PATTERNS = [
    "Personal data of %",
    "Données personnelles de %",
    "Persoonsgegevens van %",
]


def migrate(cr, version):
    cr.execute(
        SQL(
            """UPDATE ir_attachment SET rgpd_personal_data = TRUE
               WHERE res_model IN ('res.partner', 'rgpd.request')
                 AND mimetype IN (
                     'application/json',
                     'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
                 AND name ILIKE ANY(%s)""",
            NAME_PATTERNS,
        )
    )
