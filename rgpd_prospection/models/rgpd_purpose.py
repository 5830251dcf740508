from odoo import fields, models


class RgpdPurpose(models.Model):
    """Why prospects are contacted (GDPR art. 5.1.b): the purposes are named in
    the information notice, the record of processing and the consents, so that
    each consent and each withdrawal is tied to one of them."""

    _name = "rgpd.purpose"
    _description = "Prospecting purpose"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(
        translate=True,
        help="What the purpose covers, as told to the prospect in the information notice.",
    )
    legal_basis = fields.Selection(
        [
            ("legitimate_interest", "Legitimate interest"),
            ("consent", "Consent"),
            ("contract", "Contract"),
        ],
        required=True,
        default="legitimate_interest",
        help="GDPR ground (art. 6) on which the purpose relies for companies that gave no "
        "consent; B2B prospecting of companies relies on legitimate interest.",
    )
    is_default = fields.Boolean(
        string="Default for new prospects",
        default=True,
        help="New BCE prospects are contacted for this purpose unless told otherwise.",
    )

    _sql_constraints = [
        ("name_uniq", "unique (name)", "A purpose with this name already exists."),
    ]
