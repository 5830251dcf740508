from odoo import fields, models


class RgpdDncmNumber(models.Model):
    """One number of the Do Not Call Me list in force, with its registration
    date and nothing else: never a name. Filled by COPY and replaced as a
    whole by the next list (``rgpd.dncm.load``); a licensed file, so only
    managers read it, as they alone take the prospects' numbers out."""

    _name = "rgpd.dncm.number"
    _description = "Do Not Call Me number"
    _log_access = False
    _rec_name = "number"
    _order = "number"

    number = fields.Char(required=True, readonly=True, help="E.164, as Odoo stores phone numbers.")
    registration_date = fields.Date(
        string="Registration date",
        readonly=True,
        help="When the holder registered the number on the DNCM list.",
    )

    _number_uniq = models.UniqueIndex("(number)")
