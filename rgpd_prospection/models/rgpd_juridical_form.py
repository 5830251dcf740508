from odoo import api, fields, models

from ..tools import label_for_lang


class RgpdJuridicalForm(models.Model):
    """A juridical form of the BCE (``JuridicalForm`` category of its code.csv)."""

    _name = "rgpd.juridical.form"
    _description = "Juridical form"
    _order = "code"
    _rec_names_search = ["code", "name_fr", "name_nl", "name_de"]

    code = fields.Char(
        required=True,
        index=True,
        help="Juridical form code of the BCE, kept as text: 014 is not 14.",
    )
    name_fr = fields.Char(string="French label", help="French description from the BCE code.csv.")
    name_nl = fields.Char(string="Dutch label", help="Dutch description from the BCE code.csv.")
    name_de = fields.Char(string="German label", help="German description from the BCE code.csv.")
    name = fields.Char(
        string="Label",
        compute="_compute_name",
        help="Label in the user's language (French, Dutch or German), from the BCE code.csv; "
        "empty until a code table is loaded.",
    )

    _code_uniq = models.Constraint("unique (code)", "A juridical form code exists only once.")

    @api.depends_context("lang")
    @api.depends("name_fr", "name_nl", "name_de")
    def _compute_name(self):
        lang = self.env.context.get("lang")
        for form in self:
            form.name = label_for_lang(
                lang, {"fr": form.name_fr, "nl": form.name_nl, "de": form.name_de}
            )

    @api.depends("code", "name")
    def _compute_display_name(self):
        for form in self:
            form.display_name = form.name or form.code
